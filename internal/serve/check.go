package serve

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// rounds is how many rounds of load each side gets when there is a
// baseline: the sides alternate (candidate, baseline, baseline, candidate
// …), so that a machine that slows down or speeds up during the check
// weighs on both alike.
const rounds = 4

// answers sends every row to the candidate and compares each answer with
// the row's offline prediction.
func (c *checker) answers(ctx context.Context, head *service) {
	r := c.builtin(CheckAnswers, c.answersRule())
	if c.sp.offline == nil {
		r.Skipped, r.Message = true, c.sp.note
		c.res.Gates = append(c.res.Gates, r)
		return
	}

	got := c.sendRows(ctx, head)
	for i, a := range got {
		if m, bad := c.compare(c.sp.rows[i], a); bad {
			c.res.Mismatches = append(c.res.Mismatches, m)
		}
	}
	c.res.Checked = len(got)
	r.Head = ptr(float64(len(c.res.Mismatches)))
	if n := len(c.res.Mismatches); n > 0 {
		fail(&r, "%d of %d rows differ from %s; first: %s", n, len(got), c.res.Compared,
			describeMismatch(c.res.Mismatches[0]))
	} else {
		r.Message = fmt.Sprintf("all %d rows equal %s", len(got), c.res.Compared)
	}
	c.grp.Linef("answers: %s", r.Message)
	c.res.Gates = append(c.res.Gates, r)
}

func (c *checker) answersRule() string {
	what := "offline predictions"
	if c.sp.offline != nil {
		what = c.sp.compared()
	}
	if c.sp.classes != nil {
		return "equal " + what
	}
	return fmt.Sprintf("equal %s within %s", what, num(c.sp.serve.Tolerance))
}

// sendRows sends each row once, from as many workers as the load uses.
func (c *checker) sendRows(ctx context.Context, s *service) []answer {
	t := target{method: c.sp.serve.Method, url: c.sp.requestURL(s.port)}
	out := make([]answer, len(c.sp.rows))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range c.sp.conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(out) {
					return
				}
				var buf bytes.Buffer
				out[i] = c.client.send(ctx, t, c.sp.rows[i].body, &buf)
			}
		})
	}
	wg.Wait()
	return out
}

// compare reads a row's answer and compares it with the offline prediction.
func (c *checker) compare(r row, a answer) (Mismatch, bool) {
	want, ok := c.sp.offline[r.id]
	m := Mismatch{ID: r.id, Offline: want}
	switch {
	case !ok:
		m.Problem = fmt.Sprintf("not in %s (line %d of %s)", c.sp.predictionsFile, r.line,
			c.sp.serve.Rows)
		return m, true
	case a.problem() != "":
		m.Problem = a.problem()
		return m, true
	}
	if c.sp.classes != nil {
		return c.compareClass(m, a)
	}
	v, err := c.sp.pointer.number(a.body)
	if err != nil {
		m.Problem = err.Error()
		return m, true
	}
	m.Served = v
	return m, !within(v, want, c.sp.serve.Tolerance)
}

// compareClass compares an answer with an offline prediction that is a
// class named by text: they must be the same text.
func (c *checker) compareClass(m Mismatch, a answer) (Mismatch, bool) {
	m.OfflineClass, m.Offline = c.sp.classes[int(m.Offline)], 0
	served, err := c.sp.pointer.text(a.body)
	if err != nil {
		m.Problem = err.Error()
		return m, true
	}
	m.ServedClass = served
	return m, served != m.OfflineClass
}

// within reports whether a and b differ by at most tol, allowing for the
// rounding of decimal figures to binary ones (0.412960 − 0.412959 is a
// little over 1e-6).
func within(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+1e-9)+1e-12
}

func describeMismatch(m Mismatch) string {
	if m.Problem != "" {
		return fmt.Sprintf("id %s: %s", m.ID, m.Problem)
	}
	if m.OfflineClass != "" {
		return fmt.Sprintf("id %s: offline %q, served %q", m.ID, m.OfflineClass, m.ServedClass)
	}
	return fmt.Sprintf("id %s: offline %s, served %s", m.ID, num(m.Offline), num(m.Served))
}

// measure puts the load on the candidate, and on the baseline in
// alternating rounds when there is one.
func (c *checker) measure(ctx context.Context, head, base *service) {
	bodies := make([][]byte, len(c.sp.rows))
	for i, r := range c.sp.rows {
		bodies[i] = r.body
	}
	sides := []*service{head}
	if base != nil {
		sides = append(sides, base)
	}
	for _, s := range sides {
		c.client.burst(ctx, c.target(s), bodies, 0, c.sp.conc, 0, c.sp.conc) // warm-up
	}

	n := 1
	if base != nil {
		n = rounds
	}
	got := make([]sample, len(sides))
	sent := 0
	for i := range n {
		count := c.sp.requests * (i + 1) / n
		order := []int{0, 1}
		if i%2 == 1 {
			order = []int{1, 0}
		}
		if c.sp.requests > 0 && count == sent {
			continue
		}
		for _, k := range order[:len(sides)] {
			got[k].add(c.client.burst(ctx, c.target(sides[k]), bodies, sent, count-sent,
				c.sp.duration/time.Duration(n), c.sp.conc))
		}
		sent = count
	}

	if ctx.Err() != nil {
		return
	}
	got[0].figures(&c.res.Candidate)
	c.grp.Linef("candidate: %s", c.res.Candidate.summary())
	if base != nil {
		got[1].figures(c.res.Baseline)
		c.grp.Linef("baseline:  %s", c.res.Baseline.summary())
	}
}

func (c *checker) target(s *service) target {
	return target{method: c.sp.serve.Method, url: c.sp.requestURL(s.port)}
}

// summary is the load's figures in one line.
func (f Figures) summary() string {
	return fmt.Sprintf("%d requests, %d errors, %.1f req/s, p50 %.2f ms, p95 %.2f ms, "+
		"p99 %.2f ms", f.Requests, f.Errors, f.RPS, f.P50, f.P95, f.P99)
}

// num formats a figure as briefly as it reads.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

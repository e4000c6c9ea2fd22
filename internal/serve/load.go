package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// client sends the check's requests: plain HTTP on loopback, never through a
// proxy, with one kept-alive connection per worker.
type client struct {
	*http.Client
}

func newClient(timeout time.Duration, conc int) *client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		MaxIdleConns:        conc + 2,
		MaxIdleConnsPerHost: conc + 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &client{&http.Client{Transport: tr, Timeout: timeout}}
}

// target is where and how requests are sent.
type target struct {
	method string
	url    string
}

// answer is one request's outcome.
type answer struct {
	latency time.Duration
	status  int
	body    []byte
	err     error
}

// problem says why the answer is an error, "" when it is not: a failed
// request, a status other than 2xx, or a body that is not JSON.
func (a answer) problem() string {
	switch {
	case a.err != nil:
		return errorText(a.err)
	case a.status < 200 || a.status > 299:
		return fmt.Sprintf("HTTP %d: %.120q", a.status, bytes.TrimSpace(a.body))
	case !json.Valid(a.body):
		return fmt.Sprintf("the answer is not JSON: %.120q", a.body)
	}
	return ""
}

// send sends one request and reads the whole answer into buf's storage.
func (c *client) send(ctx context.Context, t target, body []byte, buf *bytes.Buffer) answer {
	req, err := http.NewRequestWithContext(ctx, t.method, t.url, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{latency: time.Since(start), err: err}
	}
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, 16<<20))
	resp.Body.Close()
	return answer{latency: time.Since(start), status: resp.StatusCode, body: buf.Bytes(), err: err}
}

// sample is what one burst of load measured.
type sample struct {
	latencies []time.Duration
	errors    int
	firstErr  string
	elapsed   time.Duration
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.errors += o.errors
	s.elapsed += o.elapsed
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

// burst sends n requests (or, when n is 0, as many as fit in d) from conc
// workers, cycling through bodies from offset on, and measures every one.
func (c *client) burst(ctx context.Context, t target, bodies [][]byte, offset, n int,
	d time.Duration, conc int) sample {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		out      sample
		wg       sync.WaitGroup
		deadline = time.Now().Add(d)
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			var buf bytes.Buffer
			var mine sample
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if (n > 0 && i >= n) || (n == 0 && time.Now().After(deadline)) {
					break
				}
				a := c.send(ctx, t, bodies[(offset+i)%len(bodies)], &buf)
				mine.latencies = append(mine.latencies, a.latency)
				if p := a.problem(); p != "" {
					mine.errors++
					if mine.firstErr == "" {
						mine.firstErr = p
					}
				}
			}
			mu.Lock()
			out.add(mine)
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

// figures turns a side's samples into latency percentiles, throughput and
// errors.
func (s sample) figures(f *Figures) {
	lat := slices.Clone(s.latencies)
	slices.Sort(lat)
	f.P50, f.P95, f.P99 = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
	f.Requests, f.Errors, f.FirstError = len(lat), s.errors, s.firstErr
	if s.elapsed > 0 {
		f.RPS = float64(len(lat)) / s.elapsed.Seconds()
	}
}

// percentile returns the p-th percentile of sorted values by the nearest
// rank: the smallest value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted)+99)/100 - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

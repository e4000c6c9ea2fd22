package gate

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
)

// Verdict is the outcome of every gate of every model.
type Verdict struct {
	// Passed is false when any error gate failed.
	Passed bool `json:"passed"`
	// Baseline is what the candidate was compared with.
	Baseline *metrics.Baseline `json:"baseline,omitempty"`
	// Gates are the results in model and gate order.
	Gates []Result `json:"gates"`
	// Notes are what a reader should know about the inputs: files that one
	// side lacks, say.
	Notes []string `json:"notes,omitempty"`
}

// NewVerdict gathers results into a verdict.
func NewVerdict(b *metrics.Baseline, results []Result) *Verdict {
	v := &Verdict{Passed: true, Baseline: b, Gates: results}
	if v.Gates == nil {
		v.Gates = []Result{}
	}
	for _, r := range results {
		if r.Fails() {
			v.Passed = false
		}
	}
	return v
}

// Counts returns how many gates passed, failed (errors) and only warned; a
// skipped gate counts as passed.
func (v *Verdict) Counts() (passed, failed, warned int) {
	for _, r := range v.Gates {
		switch {
		case r.Passed:
			passed++
		case r.Fails():
			failed++
		default:
			warned++
		}
	}
	return passed, failed, warned
}

// JSON returns the verdict as indented JSON.
func (v *Verdict) JSON() ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the verdict: %w", err)
	}
	return append(data, '\n'), nil
}

// junitSuites and the types below are the JUnit XML that GitLab's test
// reports and GitHub's JUnit reporters read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit returns the verdict as JUnit XML: a test suite per model, a test
// case per gate. A failed error gate is a failure with its message; a failed
// warning gate and a gate that could not be checked are skipped, with the
// message as the reason, so that both GitLab's test report and GitHub's
// JUnit reporters show them without failing the run; every case carries its
// message as system-out.
func (v *Verdict) JUnit() ([]byte, error) {
	doc := junitSuites{Name: "mlci gates"}
	index := map[string]int{}
	for _, r := range v.Gates {
		i, ok := index[r.Model]
		if !ok {
			i = len(doc.Suites)
			index[r.Model] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: "model " + r.Model})
		}
		s := &doc.Suites[i]
		c := junitCaseOf(r)
		s.Tests++
		doc.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
			doc.Failures++
		case c.Skipped != nil:
			s.Skipped++
			doc.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}

	data, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the JUnit report: %w", err)
	}
	return append([]byte(xml.Header), append(data, '\n')...), nil
}

func junitCaseOf(r Result) junitCase {
	name := r.Metric + ": " + r.Rule
	c := junitCase{Name: name, ClassName: "mlci." + r.Model, File: r.Pos.File, Line: r.Pos.Line,
		SystemOut: r.Message}
	switch {
	case r.Fails():
		c.Failure = &junitMessage{Message: r.Message, Type: "gate", Text: detail(r)}
	case !r.Passed:
		c.Skipped = &junitMessage{Message: "warning: " + r.Message}
	case r.Skipped:
		c.Skipped = &junitMessage{Message: "not checked: " + r.Message}
	}
	return c
}

// detail is a failed gate's text for the failure's body.
func detail(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s, %s: %s\n", r.Model, r.Metric, r.Rule)
	fmt.Fprintf(&b, "baseline %s, candidate %s\n", value(r.Base), value(r.Head))
	if r.Slice != "" {
		fmt.Fprintf(&b, "worst slice %s\n", r.Slice)
	}
	fmt.Fprintf(&b, "%s\n", r.Message)
	if r.Pos.File != "" {
		fmt.Fprintf(&b, "gate at %s\n", r.Pos)
	}
	return b.String()
}

func value(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt4(*v)
}

// Write writes the verdict as JSON to jsonPath and as JUnit XML to
// junitPath, each atomically; an empty path is skipped.
func (v *Verdict) Write(jsonPath, junitPath string) error {
	for _, out := range []struct {
		path   string
		encode func() ([]byte, error)
	}{{jsonPath, v.JSON}, {junitPath, v.JUnit}} {
		if out.path == "" {
			continue
		}
		data, err := out.encode()
		if err != nil {
			return err
		}
		if err := atomicfile.Write(out.path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteText writes the verdict for people: a line per gate with its outcome,
// model, metric, rule, baseline and candidate values, and message.
func (v *Verdict) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, r := range v.Gates {
		fmt.Fprintf(&b, "%-4s  %s  %s: %s", mark(r), r.Model, r.Metric, r.Rule)
		if !r.Passed && r.Pos.File != "" {
			fmt.Fprintf(&b, "  (%s)", r.Pos)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "      baseline %s  candidate %s", value(r.Base), value(r.Head))
		if r.Slice != "" {
			fmt.Fprintf(&b, "  worst slice %s", r.Slice)
		}
		fmt.Fprintf(&b, "\n      %s\n", r.Message)
	}
	for _, n := range v.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	passed, failed, warned := v.Counts()
	outcome := "passed"
	if !v.Passed {
		outcome = "FAILED"
	}
	fmt.Fprintf(&b, "verdict: %s against baseline %s — %d passed, %d failed, %s\n",
		outcome, v.Baseline, passed, failed, plural(warned, "warning"))
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func mark(r Result) string {
	switch {
	case r.Skipped:
		return "skip"
	case r.Passed:
		return "ok"
	case r.Fails():
		return "FAIL"
	default:
		return "warn"
	}
}

package pipeline

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
	"github.com/mlci-dev/mlci/internal/pipeline/shell"
)

// DefaultJUnit is where Test writes its JUnit XML, relative to the root.
const DefaultJUnit = ".mlci/reports/tests.xml"

// TestResult is the outcome of the pipeline tests.
type TestResult struct {
	Tests  []TestCase `json:"tests"`
	Passed int        `json:"passed"`
	Failed int        `json:"failed"`
	// JUnit is the path of the JUnit XML report.
	JUnit string `json:"junit"`
}

// TestCase is one pipeline test's outcome.
type TestCase struct {
	Name     string  `json:"name"`
	Passed   bool    `json:"passed"`
	Seconds  float64 `json:"seconds"`
	ExitCode int     `json:"exit_code"`
	// Message says why a test failed.
	Message   string   `json:"message,omitempty"`
	LastLines []string `json:"last_lines,omitempty"`
}

// Test runs the pipeline tests one after the other in the repository and
// writes their results as JUnit XML to junitPath (relative to the root;
// DefaultJUnit when empty). When a test fails, the error (exit code 1) names
// every failed test; the result holds them all.
func (p *Pipeline) Test(ctx context.Context, tests []config.Test, junitPath string) (
	*TestResult, error) {
	if junitPath == "" {
		junitPath = DefaultJUnit
	}
	res := &TestResult{Tests: []TestCase{}, JUnit: p.abs(junitPath)}
	outputs := make([]string, 0, len(tests))
	for _, t := range tests {
		tc, output := p.runTest(ctx, t)
		res.Tests = append(res.Tests, tc)
		outputs = append(outputs, output)
		if tc.Passed {
			res.Passed++
		} else {
			res.Failed++
		}
	}

	data, err := junit(res, outputs)
	if err == nil {
		err = atomicfile.Write(res.JUnit, data, 0o644)
	}
	if err != nil {
		return res, fmt.Errorf("writing the test report: %w", err)
	}
	return res, testsErr(res)
}

// maxTestOutput bounds the output kept for the JUnit report, per test.
const maxTestOutput = 64 << 10

func (p *Pipeline) runTest(ctx context.Context, t config.Test) (TestCase, string) {
	g := p.opts.Printer.Start(t.Name, "test "+t.Name+": "+t.Cmd)
	buf := &tailBuffer{max: maxTestOutput}
	res, err := shell.Run(ctx, shell.Command{Line: t.Cmd, Dir: p.root, Timeout: t.Timeout,
		Output: writers{g, buf}})
	tc := TestCase{Name: t.Name, Passed: err == nil, ExitCode: res.ExitCode}
	outcome := "passed"
	if err != nil {
		tc.Message, tc.LastLines, outcome = err.Error(), res.Tail, "failed"
	}
	tc.Seconds = g.End(outcome).Seconds()
	return tc, buf.String()
}

func testsErr(res *TestResult) error {
	var failed []string
	for _, tc := range res.Tests {
		if !tc.Passed {
			failed = append(failed, fmt.Sprintf("%s (%s)", tc.Name, tc.Message))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return exit.Failedf("pipeline tests failed: %s; see %s", strings.Join(failed, ", "),
		filepath.Base(res.JUnit))
}

type junitSuites struct {
	XMLName  xml.Name   `xml:"testsuites"`
	Name     string     `xml:"name,attr"`
	Tests    int        `xml:"tests,attr"`
	Failures int        `xml:"failures,attr"`
	Time     string     `xml:"time,attr"`
	Suite    junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// junit renders the results as JUnit XML.
func junit(res *TestResult, outputs []string) ([]byte, error) {
	var total float64
	s := junitSuite{Name: "pipeline tests", Tests: len(res.Tests), Failures: res.Failed,
		Timestamp: time.Now().UTC().Format(time.RFC3339)}
	for i, tc := range res.Tests {
		total += tc.Seconds
		c := junitCase{Name: tc.Name, Classname: "mlci.tests", Time: seconds(tc.Seconds),
			SystemOut: outputs[i]}
		if !tc.Passed {
			c.Failure = &junitFailure{Message: tc.Message, Type: "exit status",
				Body: strings.Join(tc.LastLines, "\n")}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Time = seconds(total)
	doc := junitSuites{Name: "mlci", Tests: s.Tests, Failures: s.Failures, Time: s.Time,
		Suite: s}
	data, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(data, '\n')...), nil
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// writers writes to each of its writers, whatever errors they return.
type writers []io.Writer

func (ws writers) Write(b []byte) (int, error) {
	for _, w := range ws {
		_, _ = w.Write(b)
	}
	return len(b), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return strings.ToValidUTF8(string(t.b), "\uFFFD") }

// Package serve checks a model's prediction service before it is promoted:
// it starts the service the way mlci.yaml's `serve:` block says, on a free
// loopback port, waits until it is ready, checks that its answers for the
// test set equal the offline predictions, puts a bounded load on it beside
// the baseline model's service, measures latency, throughput, errors, start
// time and peak memory, evaluates the serving gates on those figures, and
// always stops the service and every process it started.
//
// It does not build or deploy services, read mlci.yaml (package config does)
// or prepare the baseline's work tree (the flow or the command does); the
// gate rules themselves are package gate's.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/progress"
)

// The metrics serving gates may name, as Figures.Metrics gives them.
const (
	MetricLoadSeconds = "load_seconds"
	MetricPeakRSS     = "peak_rss_mb"
	MetricP50         = "latency_p50_ms"
	MetricP95         = "latency_p95_ms"
	MetricP99         = "latency_p99_ms"
	MetricRPS         = "rps"
	MetricErrors      = "errors"
	MetricRequests    = "requests"
	MetricMismatches  = "mismatches"
)

// The built-in checks, reported as gate results beside the serving gates.
const (
	// CheckStartup: the service starts and answers its ready check in time.
	CheckStartup = "startup"
	// CheckAnswers: its answers equal the offline predictions.
	CheckAnswers = "answers"
	// CheckProcess: it stays up until stopped, then exits with every
	// process it started.
	CheckProcess = "process"
)

// ErrNoServe means the model has no serve: block.
var ErrNoServe = errors.New("no serve: block")

// DefaultRequests is the load when serve: sets neither requests nor duration.
const DefaultRequests = 500

// Options are what Check needs besides the model.
type Options struct {
	// Root is the candidate's work tree: the service starts there, and the
	// rows and predictions files are read from it.
	Root string
	// BaseRoot is the baseline's work tree, "" for no baseline; its service
	// is started with the same command and loaded with the same requests.
	BaseRoot string
	// Model is the model whose Serve block is checked.
	Model *config.Model
	// Rows bounds the rows whose answers are compared; 0 means all.
	Rows int
	// Grace is how long a service has to exit after SIGTERM (5s when 0).
	Grace time.Duration
	// RequestTimeout bounds one request (10s when 0).
	RequestTimeout time.Duration
	// Log receives diagnostics; Printer shows the check as a group.
	Log     *slog.Logger
	Printer *progress.Printer
}

// Result is the outcome of one model's serving check.
type Result struct {
	Model string `json:"model"`
	// Candidate are the candidate service's figures; Baseline the
	// baseline's, nil when there is none or it did not start.
	Candidate Figures  `json:"candidate"`
	Baseline  *Figures `json:"baseline,omitempty"`
	// Mismatches are the rows whose answer differs from the offline
	// prediction, or could not be read; Checked counts the rows compared.
	Mismatches []Mismatch `json:"mismatches,omitempty"`
	Checked    int        `json:"checked"`
	// Compared names what answers were compared with ("eval/predictions.csv
	// (score)"), "" when they were not.
	Compared string `json:"compared,omitempty"`
	// Gates are the built-in checks (startup, answers, process) followed by
	// the serving gates, as gate results that join the verdict.
	Gates  []gate.Result `json:"gates"`
	Passed bool          `json:"passed"`
	// Notes say what a reader should know: what was not checked and why.
	Notes []string `json:"notes,omitempty"`
	// Output are the candidate service's first and last lines of output when a
	// built-in check failed.
	Output []string `json:"output,omitempty"`
}

// Figures are one service's measurements. Latencies are in milliseconds.
type Figures struct {
	LoadSeconds float64 `json:"load_seconds"`
	// PeakRSSMB is the peak of the summed high-water resident memory
	// (VmHWM) of the service's processes, sampled while it ran; 0 where
	// /proc is not available.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	P50       float64 `json:"latency_p50_ms"`
	P95       float64 `json:"latency_p95_ms"`
	P99       float64 `json:"latency_p99_ms"`
	RPS       float64 `json:"rps"`
	Errors    int     `json:"errors"`
	Requests  int     `json:"requests"`
	// FirstError is the first failed request of the load, for the reader.
	FirstError string `json:"first_error,omitempty"`
}

// Metrics returns the figures by the names serving gates use.
func (f Figures) Metrics() map[string]float64 {
	return map[string]float64{
		MetricLoadSeconds: f.LoadSeconds, MetricPeakRSS: f.PeakRSSMB,
		MetricP50: f.P50, MetricP95: f.P95, MetricP99: f.P99, MetricRPS: f.RPS,
		MetricErrors: float64(f.Errors), MetricRequests: float64(f.Requests),
	}
}

// Mismatch is a row whose served answer differs from its offline prediction.
type Mismatch struct {
	ID      string  `json:"id"`
	Offline float64 `json:"offline"`
	Served  float64 `json:"served"`
	// OfflineClass and ServedClass are the prediction and the answer when
	// the predictions are classes named by text; Offline and Served are 0.
	OfflineClass string `json:"offline_class,omitempty"`
	ServedClass  string `json:"served_class,omitempty"`
	// Problem says why there is no served value (an HTTP error, invalid
	// JSON), "" when the values differ.
	Problem string `json:"problem,omitempty"`
}

// Check runs the serving check of o.Model. A configuration error (exit code
// 2) or an unreadable predictions file is an error; a service that fails a
// check is a Result that did not pass, with the reason in its gates.
func Check(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	sp, err := compile(o)
	if err != nil {
		return nil, err
	}
	c := &checker{o: o, sp: sp, res: &Result{Model: o.Model.Name, Compared: sp.compared()},
		client: newClient(o.RequestTimeout, sp.conc)}
	defer c.client.CloseIdleConnections()
	if sp.note != "" {
		c.res.Notes = append(c.res.Notes, sp.note)
	}

	grp := o.Printer.Start("serve-check "+o.Model.Name, "serve-check "+o.Model.Name)
	c.grp = grp
	err = c.run(ctx)
	outcome := "passed"
	if err != nil || !c.res.Passed {
		outcome = "failed"
	}
	grp.End(outcome)
	if err != nil {
		return nil, err
	}
	return c.res, nil
}

func (o Options) withDefaults() Options {
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	return o
}

// checker is one run of Check.
type checker struct {
	o      Options
	sp     *spec
	res    *Result
	client *client
	grp    *progress.Group
}

// run starts the services, checks and measures them, stops them and
// evaluates the gates. Services are stopped however run returns.
func (c *checker) run(ctx context.Context) error {
	head, err := c.startService("candidate", c.o.Root)
	if err != nil {
		return err
	}
	defer head.stop(c.o.Grace)
	if !c.startup(ctx, head) {
		if err := ctx.Err(); err != nil {
			return exit.With(exit.External, fmt.Errorf("serving check of %s: %w",
				c.o.Model.Name, err))
		}
		c.finish(head, nil)
		return nil
	}

	var base *service
	if c.o.BaseRoot != "" {
		base = c.baseline(ctx)
		if base != nil {
			defer base.stop(c.o.Grace)
		}
	}

	c.answers(ctx, head)
	c.measure(ctx, head, base)
	if err := ctx.Err(); err != nil {
		return exit.With(exit.External, fmt.Errorf("serving check of %s: %w", c.o.Model.Name, err))
	}
	c.finish(head, base)
	return nil
}

// startService starts one side's service; an error here is mlci's, not the
// service's (no shell, say).
func (c *checker) startService(side, dir string) (*service, error) {
	port, err := freePort(c.sp.host)
	if err != nil {
		return nil, exit.With(exit.External, fmt.Errorf("finding a free port: %w", err))
	}
	s, err := startService(side, c.sp.command(port), dir, c.sp.host, port, c.o.Log)
	if err != nil {
		return nil, exit.With(exit.External, err)
	}
	c.grp.Linef("%s: `%s` in %s (port %d)", side, s.line, dir, port)
	return s, nil
}

// startup waits for the candidate and records the startup check.
func (c *checker) startup(ctx context.Context, head *service) bool {
	r := c.builtin(CheckStartup, c.sp.readyRule())
	took, err := head.waitReady(ctx, c.client, c.sp.readyURL(head.port), c.sp.serve.ReadyTimeout)
	c.res.Candidate.LoadSeconds = took.Seconds()
	r.Head = ptr(took.Seconds())
	if err != nil {
		fail(&r, "%v", err)
		c.res.Gates = append(c.res.Gates, r)
		return false
	}
	r.Message = fmt.Sprintf("ready in %s", progress.Duration(took))
	c.grp.Linef("candidate: ready in %s", progress.Duration(took))
	c.res.Gates = append(c.res.Gates, r)
	return true
}

// baseline starts the baseline's service; when it does not start, the
// comparison is left out with a note rather than failing the candidate.
func (c *checker) baseline(ctx context.Context) *service {
	base, err := c.startService("baseline", c.o.BaseRoot)
	if err != nil {
		c.note("the baseline's service was not started: %v", err)
		return nil
	}
	took, err := base.waitReady(ctx, c.client, c.sp.readyURL(base.port), c.sp.serve.ReadyTimeout)
	if err != nil {
		base.stop(c.o.Grace)
		c.note("the baseline's service did not start, so nothing is compared with it: %v", err)
		return nil
	}
	c.res.Baseline = &Figures{LoadSeconds: took.Seconds()}
	c.grp.Linef("baseline: ready in %s", progress.Duration(took))
	return base
}

func (c *checker) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.res.Notes = append(c.res.Notes, msg)
	c.grp.Linef("note: %s", msg)
}

// finish stops the services, records the process check and the figures
// only known at the end, evaluates the serving gates and sets the outcome.
func (c *checker) finish(head, base *service) {
	stopped := head.stop(c.o.Grace)
	c.res.Candidate.PeakRSSMB = head.peakMB()
	if base != nil {
		base.stop(c.o.Grace)
		c.res.Baseline.PeakRSSMB = base.peakMB()
	}

	r := c.builtin(CheckProcess, "runs until stopped, then exits with all its processes")
	if !c.ready() {
		stopped.crashed = "" // the startup check says so already
	}
	if problem := stopped.problem(); problem != "" {
		fail(&r, "%s", problem)
	} else {
		r.Message = stopped.describe()
	}
	c.res.Gates = append(c.res.Gates, r)

	c.res.Gates = append(c.res.Gates, c.gates()...)
	c.res.Passed = true
	for _, g := range c.res.Gates {
		if g.Fails() {
			c.res.Passed = false
		}
	}
	if c.builtinFailed() {
		c.res.Output = head.out.lines()
	}
}

func (c *checker) builtinFailed() bool {
	for _, g := range c.res.Gates {
		switch g.Metric {
		case CheckStartup, CheckAnswers, CheckProcess:
			if g.Fails() {
				return true
			}
		}
	}
	return false
}

// gates evaluates the serving gates on the figures; when the service never
// became ready there are none, and each gate says so.
func (c *checker) gates() []gate.Result {
	gs := c.sp.gates
	if !c.ready() {
		out := make([]gate.Result, len(gs))
		for i, g := range gs {
			out[i] = gate.Result{Model: c.o.Model.Name, Metric: g.Metric, Rule: gate.RuleText(g),
				Passed: true, Skipped: true, Severity: severity(g), Pos: g.Pos,
				Message: "not measured: the service did not become ready"}
		}
		return out
	}
	head := c.res.Candidate.Metrics()
	head[MetricMismatches] = float64(len(c.res.Mismatches))
	var base map[string]float64
	if c.res.Baseline != nil {
		base = c.res.Baseline.Metrics()
	}
	return gate.Evaluate(&config.Model{Name: c.o.Model.Name, Gates: gs}, base, head, nil)
}

func (c *checker) ready() bool {
	return len(c.res.Gates) > 0 && c.res.Gates[0].Metric == CheckStartup && c.res.Gates[0].Passed
}

// builtin starts the result of a built-in check.
func (c *checker) builtin(check, rule string) gate.Result {
	return gate.Result{Model: c.o.Model.Name, Metric: check, Rule: rule, Passed: true,
		Severity: gate.Error, Pos: c.sp.serve.Pos}
}

func fail(r *gate.Result, format string, args ...any) {
	r.Passed = false
	r.Message = fmt.Sprintf(format, args...)
}

func severity(g config.Gate) string {
	if g.Severity == "" {
		return gate.Error
	}
	return g.Severity
}

func ptr(f float64) *float64 { return &f }

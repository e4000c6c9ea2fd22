// Package flow is what `mlci ci` does for the CI event at hand: for a pull
// request, it detects the changes, runs the pipeline tests and the affected
// stages, validates the data and the model, and publishes one report; the
// demo and a laptop run take the same path with the local platform.
//
// Each step of a flow is a value with a name and a run method; the order of
// the steps lives in one commented list per event. The packages the steps
// call hold the logic; this package only wires them together.
package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/remote"
	"github.com/mlci-dev/mlci/internal/report"
	"github.com/mlci-dev/mlci/internal/serve"
)

// DefaultReportDir is where the report files are written, relative to the
// repository.
const DefaultReportDir = ".mlci/reports"

// Options configure one run of a flow.
type Options struct {
	// Root is the repository's work tree.
	Root string
	// ConfigFile overrides mlci.yaml; "" finds it.
	ConfigFile string
	// Platform is the CI platform, or the local one.
	Platform platform.Platform
	// Event overrides the platform's event; nil asks the platform.
	Event *platform.Event
	// Base overrides the base the changes are compared with.
	Base string
	// ReportDir is where report files go; DefaultReportDir by default.
	ReportDir string
	// CacheDir overrides the pipeline's cache, to share one between clones.
	CacheDir string
	// Jobs bounds how many stages run at once; 0 means the CPUs.
	Jobs int
	// Collect gathers the stages that other CI jobs ran (mlci plan) from the
	// remote cache instead of running them.
	Collect bool
	// Getenv reads the environment, for the remote cache's credentials;
	// nil means os.Getenv.
	Getenv func(string) string
	// Version is mlci's version, shown in the report.
	Version string
	// Printer shows progress; Log receives diagnostics.
	Printer *progress.Printer
	Log     *slog.Logger
	// StageOutput, when set, also receives the stages' command output.
	StageOutput io.Writer
}

// Outcome is what a flow produced.
type Outcome struct {
	// Passed is false when a test, a stage, a data check or a gate failed.
	Passed bool
	// Report is the report's data; Files the report files by name.
	Report *report.Data
	Files  map[string]string
	// Outputs are the values passed to later CI steps.
	Outputs map[string]string
}

// state is what the steps of one flow share.
type state struct {
	opts  Options
	cfg   *config.Config
	repo  git.Repo
	event *platform.Event
	start time.Time

	changes *changes.Result
	tests   *pipeline.TestResult
	run     *pipeline.RunResult
	verdict *gate.Verdict
	// modelGates is how many of the verdict's gates are the models' own;
	// the serving checks' follow them.
	modelGates int
	data       *datacheck.Result
	serving    []*serve.Result

	// halt says why the later pipeline steps do not run (a test failed).
	halt string
	// force runs the affected stages even when their outputs could be
	// restored (/mlci retrain).
	force bool
	// failures are why the outcome failed, for the report's headline.
	failures []string

	// promotion is what a merge promoted, for the report.
	promotion *report.Promotion

	view    *report.Data
	files   map[string]string
	outputs map[string]string

	// remoteCache is the remote cache, opened once by remote().
	remoteCache *remote.Remote
	remoteErr   error
	remoteOnce  sync.Once
}

// step is one step of a flow.
type step interface {
	name() string
	run(ctx context.Context, s *state) error
}

// skipError is a step's typed result for "did not run, and why".
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func skip(format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...)}
}

// Run runs the flow for the event at hand.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	s, err := newState(ctx, opts)
	if err != nil {
		return nil, err
	}

	if s.event.Kind == platform.Schedule || s.event.Kind == platform.Manual {
		return runRetrain(ctx, s)
	}
	if s.event.Kind == platform.Comment {
		if err := runComment(ctx, s); err != nil {
			return nil, err
		}
		return s.outcome(), nil
	}
	steps, err := stepsFor(s.event)
	if err != nil {
		return nil, err
	}
	if err := runSteps(ctx, s, steps); err != nil {
		return nil, err
	}
	return s.outcome(), nil
}

// outcome is what the steps produced.
func (s *state) outcome() *Outcome {

	return &Outcome{
		Passed:  len(s.failures) == 0,
		Report:  s.view,
		Files:   s.files,
		Outputs: s.outputs,
	}
}

// exitCode is the exit code err ends the process with.
func exitCode(err error) int { return exit.Code(err) }

func newState(ctx context.Context, opts Options) (*state, error) {
	if opts.Printer == nil {
		opts.Printer = progress.Discard()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.ReportDir == "" {
		opts.ReportDir = filepath.Join(opts.Root, DefaultReportDir)
	}

	ev := opts.Event
	if ev == nil {
		var err error
		if ev, err = opts.Platform.Event(ctx); err != nil {
			return nil, fmt.Errorf("reading the %s event: %w", opts.Platform.Name(), err)
		}
	}
	return &state{
		opts:    opts,
		repo:    git.Repo{Dir: opts.Root},
		event:   ev,
		start:   time.Now(),
		outputs: map[string]string{},
	}, nil
}

// stepsFor returns the steps for an event.
func stepsFor(ev *platform.Event) ([]step, error) {
	switch ev.Kind {
	case platform.PullRequest, platform.Local:
		return pullRequest, nil
	case platform.Push:
		return push, nil
	default:
		return nil, exit.Usagef("mlci ci does not handle the %q event", ev.Kind)
	}
}

// runSteps runs steps in order, printing skipped ones.
func runSteps(ctx context.Context, s *state, steps []step) error {
	for _, st := range steps {
		err := st.run(ctx, s)
		var skipped *skipError
		switch {
		case errors.As(err, &skipped):
			s.opts.Log.Debug("step skipped", "step", st.name(), "reason", skipped.reason)
		case err != nil:
			return err
		}
	}
	return nil
}

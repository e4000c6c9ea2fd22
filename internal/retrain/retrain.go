// Package retrain is continuous training: it checks the triggers of
// mlci.yaml (new data after a refresh command, drift of that data from the
// data the production model learnt from, the production model's age, a
// monitored metric out of bounds) and, when one fires, retrains on a branch
// mlci/retrain/<model> cut from the default branch, validates the new model
// against the production version (data checks and gates), commits the
// result with a message that says why, and proposes it as a pull or merge
// request when it passed.
//
// The production version is the one the registry's last promotion stage
// holds (production by default); without one, the default branch stands in.
// The package does not decide when to run (the CI flow calls it for
// schedule and manual events, `mlci retrain` on demand) and runs no stage,
// gate or check itself: packages pipeline, datacheck and gate do, and the
// platform opens the pull request.
package retrain

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/report"
)

// BranchPrefix starts the name of every retraining branch.
const BranchPrefix = "mlci/retrain/"

// Labels are the labels of a retraining pull request.
var Labels = []string{"mlci", "retrain"}

// DefaultReportDir is where the report files go, relative to the repository.
const DefaultReportDir = ".mlci/reports"

// Options configure one retraining run.
type Options struct {
	// Root is the repository's work tree, checked out at the default branch.
	Root string
	// Config is the repository's configuration.
	Config *config.Config
	// Platform publishes the report and, when it is a platform.Proposer,
	// opens the pull request.
	Platform platform.Platform
	// Event is the CI event; nil asks the platform.
	Event *platform.Event
	// Printer shows progress; Log receives diagnostics.
	Printer *progress.Printer
	Log     *slog.Logger
	// CacheDir overrides the pipeline's cache, to share one between clones.
	CacheDir string
	// ReportDir is where the report files go; DefaultReportDir by default.
	ReportDir string
	// Version is mlci's version, shown in the report.
	Version string
	// Check only checks the triggers: the refresh command runs, nothing is
	// trained, committed or pushed.
	Check bool
	// Force retrains whether or not a trigger fires.
	Force bool
	// Remote is the git remote the branch is pushed to; origin by default.
	Remote string
	// Jobs bounds how many stages run at once; 0 means the CPUs.
	Jobs int
	// StageOutput, when set, also receives the stages' command output.
	StageOutput io.Writer
	// Now is the clock a model's age is measured with; time.Now when nil.
	Now func() time.Time
}

// Outcome is what a retraining run found and did.
type Outcome struct {
	// Fired is true when a trigger fired (or Force asked to retrain).
	Fired bool `json:"fired"`
	// Triggers are the configured triggers in a fixed order: data, drift,
	// max_age, metric.
	Triggers []TriggerResult `json:"triggers"`
	// Summary is the outcome in one line, for logs and the job summary.
	Summary string `json:"summary"`
	// Reference is what the new data and model were compared with:
	// "v1.2.0" (the production version) or "main@1a2b3c4".
	Reference string `json:"reference,omitempty"`
	// Branch and Commit are the retraining branch and its commit, empty
	// when nothing was retrained or nothing changed.
	Branch string `json:"branch,omitempty"`
	Commit string `json:"commit,omitempty"`
	// Passed is true when the retrained model passed its stages, data
	// checks and gates.
	Passed bool `json:"passed"`
	// Pushed is true when the branch was pushed; ProposalURL is the pull or
	// merge request opened or updated.
	Pushed      bool   `json:"pushed"`
	ProposalURL string `json:"proposal_url,omitempty"`
	// Report is the report's data; Files the report files by name.
	Report *report.Data      `json:"report,omitempty"`
	Files  map[string]string `json:"files,omitempty"`
	// Outputs are the values passed to later CI steps.
	Outputs map[string]string `json:"outputs,omitempty"`
}

// Trigger names, in the order they are checked.
const (
	TriggerData   = "data"
	TriggerDrift  = "drift"
	TriggerMaxAge = "max_age"
	TriggerMetric = "metric"
	// TriggerForce is the pseudo-trigger of a forced run.
	TriggerForce = "force"
)

// TriggerResult is one trigger's check.
type TriggerResult struct {
	Name  string `json:"name"`
	Fired bool   `json:"fired"`
	// Summary says what was found, with the figures ("drift 0.14 at or
	// above 0.10").
	Summary string `json:"summary"`
	// Figures are the numbers the decision rests on, by name.
	Figures map[string]float64 `json:"figures,omitempty"`
}

// Run checks the triggers and, when one fires (or opts.Force), retrains,
// validates, commits and proposes. A failed model is no error: the outcome
// says Passed false. Errors are configuration (exit code 2) and external
// failures: git, the refresh command, the platform (exit code 3).
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	s, err := newState(ctx, opts)
	if err != nil {
		return nil, err
	}
	if !opts.Check {
		if err := s.checkStart(ctx); err != nil {
			return nil, err
		}
	}

	if err := s.checkTriggers(ctx); err != nil {
		return nil, err
	}
	if opts.Check || !s.out.Fired {
		return s.out, s.finishEarly(opts.Check)
	}

	if err := s.retrain(ctx); err != nil {
		return nil, err
	}
	return s.out, nil
}

// state is what the steps of one run share.
type state struct {
	opts  Options
	cfg   *config.Config
	repo  git.Repo
	event *platform.Event
	model string
	start time.Time

	// defaultBranch and defaultCommit are where the branch is cut from.
	defaultBranch string
	defaultCommit string
	// ref is the production version, or the default branch standing in.
	ref *reference

	out *Outcome
	run *runResult
}

func newState(ctx context.Context, opts Options) (*state, error) {
	if opts.Config == nil {
		return nil, exit.Usagef("retraining: no configuration")
	}
	opts = withDefaults(opts)
	ev := opts.Event
	if ev == nil {
		var err error
		if ev, err = opts.Platform.Event(ctx); err != nil {
			return nil, fmt.Errorf("reading the %s event: %w", opts.Platform.Name(), err)
		}
	}
	s := &state{
		opts:  opts,
		cfg:   opts.Config,
		repo:  git.Repo{Dir: opts.Root},
		event: ev,
		model: ModelName(opts.Config),
		start: opts.Now(),
		out:   &Outcome{Outputs: map[string]string{}},
	}
	if err := s.findDefault(ctx); err != nil {
		return nil, err
	}
	ref, err := s.findReference(ctx)
	if err != nil {
		return nil, err
	}
	s.ref = ref
	s.out.Reference = ref.String()
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.ReportDir == "" {
		o.ReportDir = filepath.Join(o.Root, DefaultReportDir)
	}
	if o.Remote == "" {
		o.Remote = "origin"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ModelName is what a retraining branch is named after: the model, the
// models joined by "-" when the pipeline trains several, else "pipeline".
func ModelName(cfg *config.Config) string {
	name := ""
	for i, m := range cfg.Models {
		if i > 0 {
			name += "-"
		}
		name += m.Name
	}
	if name == "" {
		return "pipeline"
	}
	return name
}

// Branch returns the retraining branch of cfg's model.
func Branch(cfg *config.Config) string { return BranchPrefix + ModelName(cfg) }

// findDefault finds the default branch and the commit it is at.
func (s *state) findDefault(ctx context.Context) error {
	name := s.event.DefaultBranch
	if name == "" {
		var err error
		if name, err = s.repo.DefaultBranch(ctx); err != nil {
			return exit.Usagef("retraining needs the default branch: %v", err)
		}
	}
	ref, err := s.repo.BranchRef(ctx, name)
	if err != nil {
		return err
	}
	if ref == "" {
		return exit.Usagef("retraining starts from the default branch %s, which this "+
			"clone does not have: fetch it", name)
	}
	commit, err := s.repo.RevParse(ctx, ref)
	if err != nil {
		return err
	}
	s.defaultBranch, s.defaultCommit = name, commit
	return nil
}

package flow

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/plan"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/remote"
)

// pullRequest is what mlci does for a pull request, and on a laptop.
var pullRequest = []step{
	loadConfig{},    // mlci.yaml, else dvc.yaml and params.yaml
	trust{},         // never a fork's code with a write token
	detectChanges{}, // what changed, and which stages and tests it affects
	runTests{},      // the pipeline tests, when code changed
	runStages{},     // the affected stages; unchanged inputs are restored
	checkData{},     // schema and drift of the data against the base's
	checkModels{},   // the gates against the baseline model
	checkServing{},  // the model served beside the baseline's, and gated
	saveRecord{},    // the run record, beside the report and in git notes
	buildReport{},   // the report's data and files
	publish{},       // the comment, the check, the job summary, the outputs
}

// push is what mlci does on a push: the same checks against the commit
// before the push; on the default branch, the merged model is registered
// and enters the first stage when the policy says so.
var push = []step{
	loadConfig{},     // mlci.yaml, else dvc.yaml and params.yaml
	detectChanges{},  // what the push changed
	runTests{},       // the pipeline tests, when code changed
	runStages{},      // the affected stages
	checkData{},      // schema and drift
	checkModels{},    // the gates
	checkServing{},   // the served model, before anything is promoted
	saveRecord{},     // the run record, pushed with the notes
	promoteOnMerge{}, // register the model, and promote it on merge
	buildReport{},    // the report's data and files
	publish{},        // the check or status, the job summary, the outputs
}

type loadConfig struct{}

func (loadConfig) name() string { return "configuration" }

func (loadConfig) run(_ context.Context, s *state) error {
	cfg, err := config.Load(s.opts.Root, s.opts.ConfigFile)
	if err != nil {
		return err
	}
	s.cfg = cfg
	return nil
}

// truster is a platform that can tell a fork's pull request under a write
// token, which must never run the pull request's code.
type truster interface {
	Trusted(ev *platform.Event) error
}

type trust struct{}

func (trust) name() string { return "trust" }

func (trust) run(_ context.Context, s *state) error {
	t, ok := s.opts.Platform.(truster)
	if !ok {
		return skip("the platform runs no untrusted code")
	}
	return t.Trusted(s.event)
}

type detectChanges struct{}

func (detectChanges) name() string { return "changes" }

func (detectChanges) run(ctx context.Context, s *state) error {
	g := s.opts.Printer.Start("changes", "What changed")
	lister, _ := s.opts.Platform.(platform.FileLister)
	res, err := changes.Detect(ctx, changes.Options{
		Repo:   s.repo,
		Config: s.cfg,
		Base:   s.opts.Base,
		Event:  s.event,
		Lister: lister,
		Log:    s.opts.Log,
	})
	if err != nil {
		g.End("failed")
		return err
	}
	s.changes = res
	_ = res.WriteText(g)
	g.End("done")

	for k, v := range res.Outputs() {
		s.outputs[k] = v
	}
	return nil
}

type runTests struct{}

func (runTests) name() string { return "tests" }

func (runTests) run(ctx context.Context, s *state) error {
	if !s.changes.Tests {
		s.opts.Printer.Skipped("tests", "no code changed")
		return skip("no code changed")
	}
	p, err := s.pipeline()
	if err != nil {
		return err
	}

	res, err := p.Test(ctx, s.cfg.Tests, filepath.Join(s.opts.ReportDir, "tests.xml"))
	if res == nil {
		return err
	}
	s.tests = res
	if res.Failed > 0 {
		s.halt = fmt.Sprintf("%d pipeline test(s) failed", res.Failed)
		s.failures = append(s.failures, s.halt)
	}
	return nil
}

type runStages struct{}

func (runStages) name() string { return "stages" }

func (runStages) run(ctx context.Context, s *state) error {
	if s.halt != "" {
		return skip("%s", s.halt)
	}
	if len(s.changes.Stages) == 0 {
		s.opts.Printer.Skipped("stages", "no stage is affected")
		return skip("no stage is affected")
	}
	p, err := s.pipeline()
	if err != nil {
		return err
	}

	var res *pipeline.RunResult
	if s.opts.Collect {
		res, err = plan.Collect(ctx, p, s.changes.Stages, s.opts.Printer)
	} else {
		res, err = p.Run(ctx, pipeline.RunOptions{
			Stages:  s.changes.Stages,
			Force:   s.force,
			Jobs:    s.opts.Jobs,
			Printer: s.opts.Printer,
			Output:  s.opts.StageOutput,
		})
	}
	if res == nil {
		return err
	}
	s.run = res
	for _, st := range res.Stages {
		if st.Result == "failed" {
			s.halt = fmt.Sprintf("stage %s failed", st.Name)
			s.failures = append(s.failures, s.halt)
			break
		}
	}
	if err != nil && s.halt == "" {
		return err
	}
	return nil
}

type checkData struct{}

func (checkData) name() string { return "data" }

func (checkData) run(ctx context.Context, s *state) error {
	if len(s.cfg.Data) == 0 {
		return skip("no data sets are configured")
	}
	g := s.opts.Printer.Start("data", "Data checks")

	base, err := s.baseProfiles(ctx)
	if err != nil {
		g.End("failed")
		return err
	}
	res, err := datacheck.Check(ctx, s.cfg, base, s.opts.Root)
	if err != nil {
		g.End("failed")
		return err
	}
	s.data = res
	for _, set := range res.Sets {
		g.Linef("%s: %d rows, %s", set.Name, set.Rows, dataSummary(set))
	}
	if !res.Passed {
		s.failures = append(s.failures, "a data check failed")
		g.End("failed")
		return nil
	}
	g.End("passed")
	return nil
}

func dataSummary(set datacheck.SetResult) string {
	var parts []string
	if len(set.Schema) > 0 {
		parts = append(parts, fmt.Sprintf("%d schema issue(s)", len(set.Schema)))
	}
	if d := set.Drift; d != nil {
		n := 0
		for _, c := range d.Columns {
			if c.Drifted {
				n++
			}
		}
		parts = append(parts, fmt.Sprintf("%d of %d columns drifted", n, len(d.Columns)))
	}
	if set.Error != "" {
		parts = append(parts, set.Error)
	}
	if len(parts) == 0 {
		return "no baseline to compare with"
	}
	return strings.Join(parts, ", ")
}

// baseProfiles profiles each data set as the baseline holds it.
func (s *state) baseProfiles(ctx context.Context) (map[string]*datacheck.Profile, error) {
	b, err := s.baseline(ctx)
	if err != nil || !b.Exists() {
		return nil, err
	}
	out := map[string]*datacheck.Profile{}
	for _, ds := range s.cfg.Data {
		data, err := b.ReadFile(ctx, ds.Path)
		if err != nil {
			s.opts.Log.Info("no baseline data to compare with", "data", ds.Name, "err", err)
			continue
		}
		p, err := datacheck.ProfileBytes(data, datacheck.OptionsFor(ds))
		if err != nil {
			return nil, fmt.Errorf("profiling the baseline's %s: %w", ds.Path, err)
		}
		out[ds.Name] = p
	}
	return out, nil
}

type checkModels struct{}

func (checkModels) name() string { return "gates" }

func (checkModels) run(ctx context.Context, s *state) error {
	if s.halt != "" {
		return skip("%s", s.halt)
	}
	if len(s.cfg.Models) == 0 {
		return skip("no models are configured")
	}
	g := s.opts.Printer.Start("gates", "Model gates")

	v, err := gate.Validate(ctx, s.cfg, gate.Options{Baseline: s.baselineOptions()})
	if err != nil {
		g.End("failed")
		return err
	}
	s.verdict = v
	s.modelGates = len(v.Gates)
	_ = v.WriteText(g)
	if err := v.Write(filepath.Join(s.opts.ReportDir, "verdict.json"),
		filepath.Join(s.opts.ReportDir, "gates.xml")); err != nil {
		g.End("failed")
		return err
	}
	if !v.Passed {
		s.failures = append(s.failures, "a model gate failed")
		g.End("failed")
		return nil
	}
	g.End("passed")
	return nil
}

// pipeline returns the repository's pipeline with the flow's options and
// the remote cache, when one is configured.
func (s *state) pipeline() (*pipeline.Pipeline, error) {
	opts := pipeline.Options{
		CacheDir: s.opts.CacheDir,
		Printer:  s.opts.Printer,
		Log:      s.opts.Log,
	}
	if s.cfg.Remote.URL != "" {
		r, err := s.remote()
		if err != nil {
			return nil, err
		}
		opts.Remote = r
	}
	return pipeline.New(s.cfg, opts)
}

// remote returns the remote cache mlci.yaml configures, opened on the first
// call and shared by the pipeline and the baseline.
func (s *state) remote() (*remote.Remote, error) {
	s.remoteOnce.Do(func() {
		s.remoteCache, s.remoteErr = remote.Open(s.cfg.Remote,
			remote.Options{Getenv: s.opts.Getenv, Log: s.opts.Log})
	})
	return s.remoteCache, s.remoteErr
}

// baselineOptions say where the baseline is: the commit the changes were
// compared with.
func (s *state) baselineOptions() metrics.Options {
	o := metrics.Options{Ref: s.changes.Base, LockFile: s.cfg.LockFile}
	if s.opts.CacheDir != "" {
		o.CacheDirs = []string{s.opts.CacheDir}
	}
	if s.cfg.Remote.URL != "" {
		o.Fetch = remote.Fetcher(s.remote)
	}
	return o
}

// baseline looks the baseline up.
func (s *state) baseline(ctx context.Context) (*metrics.Baseline, error) {
	if s.changes.Base == "" {
		return &metrics.Baseline{Kind: metrics.KindNone}, nil
	}
	b, err := metrics.Lookup(ctx, s.opts.Root, s.baselineOptions())
	if err != nil {
		return nil, fmt.Errorf("finding the baseline: %w", err)
	}
	return b, nil
}

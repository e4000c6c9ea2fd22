package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/record"
	"github.com/mlci-dev/mlci/internal/registry"
	"github.com/mlci-dev/mlci/internal/report"
)

// Remote is the git remote records and registry tags are pushed to.
const Remote = "origin"

type saveRecord struct{}

func (saveRecord) name() string { return "record" }

// run writes the run's record beside the report and into git notes, and on
// a push shares the notes with the remote when the checkout may push.
func (saveRecord) run(ctx context.Context, s *state) error {
	if s.halt != "" || s.changes.Head == "" {
		return skip("no complete run to record")
	}
	r, err := s.record(ctx)
	if err != nil {
		return err
	}
	if _, err := record.Write(s.opts.ReportDir, r); err != nil {
		return err
	}
	if err := record.Save(ctx, s.repo, r); err != nil {
		return err
	}
	if s.event.Kind != platform.Push {
		return nil
	}
	repo, remote := s.pushTarget(ctx)
	if remote == "" {
		s.opts.Log.Info("the run record stays in this job: the checkout has no remote")
		return nil
	}
	if err := record.Push(ctx, repo, remote); err != nil {
		s.opts.Log.Warn("the run record stays in this job: pushing git notes failed",
			"remote", git.Redact(remote), "err", err)
	}
	return nil
}

// record gathers what the run evaluated.
func (s *state) record(ctx context.Context) (*record.Record, error) {
	files := metrics.FilesOf(s.cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(s.cfg.Root), files)
	if err != nil {
		return nil, fmt.Errorf("reading the metrics to record: %w", err)
	}
	params, err := s.cfg.ParamValues()
	if err != nil {
		s.opts.Log.Warn("the run record leaves out params it cannot read", "err", err)
	}

	r := &record.Record{
		Commit: s.changes.Head,
		Ref:    s.event.HeadRef,
		Time:   time.Now().UTC(),
		RunURL: s.event.RunURL,
		Models: map[string]record.ModelRecord{},
		Params: params,
		Data:   map[string]string{},
	}
	if s.verdict != nil {
		r.Verdict = record.VerdictOf(s.verdict)
	}
	for _, m := range s.cfg.Models {
		art, err := record.ArtifactOf(s.cfg.Root, m.Path)
		if err != nil {
			return nil, fmt.Errorf("recording model %s: %w", m.Name, err)
		}
		r.Models[m.Name] = record.ModelRecord{Metrics: head.ModelMetrics(m, files), Artifact: art}
	}
	for _, ds := range s.cfg.Data {
		if sum, _, err := pipeline.HashFile(filepath.Join(s.cfg.Root, ds.Path)); err == nil {
			r.Data[ds.Path] = sum
		}
	}
	if s.run != nil {
		for _, st := range s.run.Stages {
			r.Stages = append(r.Stages, record.StageTiming{
				Name: st.Name, Result: st.Result, Seconds: st.Seconds,
			})
		}
	}
	r.DataProfiles = s.profiles()
	return r, nil
}

// profiles are the data sets' profiles, kept so a later run can compare
// with them without the data.
func (s *state) profiles() map[string]json.RawMessage {
	if s.data == nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, set := range s.data.Sets {
		if set.Profile == nil {
			continue
		}
		var buf bytes.Buffer
		if err := set.Profile.WriteJSON(&buf); err == nil {
			out[set.Name] = buf.Bytes()
		}
	}
	return out
}

type promoteOnMerge struct{}

func (promoteOnMerge) name() string { return "promotion" }

// run registers each model's new version after a merge to the default
// branch, and moves it into the first stage when the policy says so.
func (promoteOnMerge) run(ctx context.Context, s *state) error {
	switch {
	case s.event.Kind != platform.Push || s.event.HeadRef != s.event.DefaultBranch:
		return skip("not a push to the default branch")
	case len(s.failures) > 0:
		return skip("the run failed: nothing is promoted")
	case !s.promotes():
		return skip("promotion is turned off")
	}
	repo, remote := s.pushTarget(ctx)
	for _, m := range s.cfg.Models {
		p, err := registry.OnMerge(ctx, registry.PromoteOptions{
			Repo: repo, Config: s.cfg, Model: m.Name, Commit: s.changes.Head,
			Remote: remote, RunURL: s.event.RunURL,
		})
		var refused *registry.RefusedError
		switch {
		case errors.As(err, &refused):
			s.opts.Printer.Infof("%s: not promoted: %v", m.Name, err)
			continue
		case err != nil:
			return fmt.Errorf("promoting %s after the merge: %w", m.Name, err)
		}
		if err := s.delivered(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// promoter is a platform whose user may turn promotion off (the GitHub
// Action's promote input).
type promoter interface {
	Promotes() bool
}

func (s *state) promotes() bool {
	p, ok := s.opts.Platform.(promoter)
	return !ok || p.Promotes()
}

// pushTarget returns the repository to run git in and the remote to push
// tags and records to: the one the platform gives (on GitLab, the project
// with the API token, as the job token may not push), else origin; ""
// when the checkout has no origin.
func (s *state) pushTarget(ctx context.Context) (git.Repo, string) {
	if _, err := s.repo.Run(ctx, "remote", "get-url", Remote); err != nil {
		return s.repo, ""
	}
	return platform.PushTarget(s.opts.Platform, s.repo, Remote)
}

// delivered reports a promotion: in the report, as outputs, and as a
// deployment where the platform records them.
func (s *state) delivered(ctx context.Context, p *registry.Promotion) error {
	s.promotion = &report.Promotion{
		Model: p.Model, Version: p.Version, Stage: p.Stage, Done: p.Outcome == registry.Promoted,
	}
	if !s.promotion.Done {
		s.promotion.Message = promotionMessage(p)
	}
	for k, v := range p.Outputs() {
		s.outputs[k] = v
	}
	s.opts.Printer.Infof("%s", promotionMessage(p))
	s.notifyPromotion(ctx, p)

	d, ok := s.opts.Platform.(platform.Deployer)
	if !ok || p.Outcome != registry.Promoted {
		return nil
	}
	dep := p.Deployment()
	dep.URL = s.event.RunURL
	if err := d.Deploy(ctx, dep); err != nil {
		return fmt.Errorf("recording the deployment of %s %s: %w", p.Model, p.Version, err)
	}
	return nil
}

func promotionMessage(p *registry.Promotion) string {
	switch p.Outcome {
	case registry.Promoted:
		return fmt.Sprintf("%s %s was promoted to %s", p.Model, p.Version, p.Stage)
	case registry.Registered:
		return fmt.Sprintf("%s %s was registered", p.Model, p.Version)
	default:
		return fmt.Sprintf("%s: %s", p.Model, p.Outcome)
	}
}

package retrain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/record"
	"github.com/mlci-dev/mlci/internal/report"
)

// bodyLimits are the most characters a pull or merge request's description
// takes, by platform.
var bodyLimits = map[string]int{
	"github": report.GitHubLimit,
	"gitlab": report.GitLabLimit,
}

// buildReport renders the report files and writes the run record beside them.
func (s *state) buildReport(ctx context.Context) error {
	d, err := s.view(ctx)
	if err != nil {
		return err
	}
	s.out.Report = d
	s.out.Passed = len(s.run.failures) == 0
	files, err := report.WriteFiles(s.opts.ReportDir, d, s.renderOptions(0))
	if err != nil {
		return err
	}
	s.out.Files = files
	if s.out.Commit == "" {
		return nil
	}
	rec, err := s.record()
	if err != nil {
		return err
	}
	path, err := record.Write(s.opts.ReportDir, rec)
	if err != nil {
		return err
	}
	s.out.Files[record.FileName] = path
	return nil
}

func (s *state) renderOptions(limit int) report.Options {
	o := report.Options{Precision: s.cfg.Report.Precision, Limit: limit}
	if s.cfg.Report.Template != "" {
		o.TemplateDir = filepath.Join(s.cfg.Root, s.cfg.Report.Template)
	}
	return o
}

// record is the retrained commit's run record.
//
// TODO: it is written beside the report only, not to git notes: the commit
// it describes is replaced when the pull request is squashed or rebased, and
// the default branch's CI records the merged commit.
func (s *state) record() (*record.Record, error) {
	r := &record.Record{
		Commit: s.out.Commit, Ref: s.out.Branch, Time: s.opts.Now().UTC(),
		RunURL: s.event.RunURL, Models: map[string]record.ModelRecord{},
		Verdict: record.VerdictOf(s.run.verdict),
	}
	for _, m := range s.out.Report.Models {
		mr := record.ModelRecord{Metrics: map[string]float64{}}
		for _, x := range m.Metrics {
			if x.Head != nil {
				mr.Metrics[x.Key] = *x.Head
			}
		}
		r.Models[m.Name] = mr
	}
	for _, m := range s.cfg.Models {
		if a, err := record.ArtifactOf(s.opts.Root, m.Path); err == nil {
			mr := r.Models[m.Name]
			mr.Artifact = a
			r.Models[m.Name] = mr
		}
	}
	deps, err := dataDeps(s.cfg)
	if err != nil {
		return nil, err
	}
	if r.Data, err = hashWorkTree(s.opts.Root, deps); err != nil {
		return nil, err
	}
	r.Params, err = s.cfg.ParamValues()
	if err != nil {
		return nil, err
	}
	if st := s.run.stages; st != nil {
		for _, x := range st.Stages {
			r.Stages = append(r.Stages, record.StageTiming{Name: x.Name, Result: x.Result,
				Seconds: x.Seconds})
		}
	}
	r.DataProfiles = s.profiles()
	return r, nil
}

// profiles are the checked data sets' profiles as JSON, for the next
// drift check to compare with.
func (s *state) profiles() map[string]json.RawMessage {
	if s.run.data == nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, set := range s.run.data.Sets {
		var b bytes.Buffer
		if set.Profile != nil && set.Profile.WriteJSON(&b) == nil {
			out[set.Name] = b.Bytes()
		}
	}
	return out
}

// deliver proposes a passed model, and publishes the report and outputs.
func (s *state) deliver(ctx context.Context) error {
	ev := *s.event
	ev.Number, ev.Head = 0, ""
	proposer, canPropose := s.opts.Platform.(platform.Proposer)
	if s.out.Passed && s.out.Commit != "" {
		if canPropose {
			if err := s.propose(ctx, proposer); err != nil {
				return err
			}
			ev.Head = s.out.Commit // the check goes on the proposal's head
		} else {
			s.opts.Printer.Infof("the branch %s holds the retrained model; in CI mlci would push "+
				"it and open a pull request with the report below", s.out.Branch)
		}
	}
	s.out.Summary = Summary(s.out, false)
	if err := s.publish(ctx, &ev); err != nil {
		return err
	}
	s.setOutputs()
	s.opts.Printer.Infof("%s", s.out.Summary)
	return s.sendOutputs()
}

// propose pushes the branch and opens or updates its pull request.
func (s *state) propose(ctx context.Context, p platform.Proposer) error {
	if err := s.push(ctx, s.out.Branch); err != nil {
		return err
	}
	s.out.Pushed = true
	body, err := s.proposalBody()
	if err != nil {
		return err
	}
	url, err := p.Propose(ctx, platform.Proposal{
		Branch: s.out.Branch,
		Base:   s.defaultBranch,
		Title:  s.proposalTitle(),
		Body:   body,
		Labels: Labels,
	})
	if err != nil {
		return err
	}
	s.out.ProposalURL = url
	s.opts.Printer.Infof("proposed %s: %s", s.out.Branch, url)
	return nil
}

func (s *state) proposalTitle() string {
	return fmt.Sprintf("Retrain %s: %s", s.model, strings.Join(s.firedNames(), ", "))
}

// proposalBody is the report as the platform's description takes it.
func (s *state) proposalBody() (string, error) {
	md, err := report.Render(report.MD, s.out.Report,
		s.renderOptions(bodyLimits[s.opts.Platform.Name()]))
	if err != nil {
		return "", fmt.Errorf("rendering the proposal: %w", err)
	}
	return string(md), nil
}

// publish posts the report: the job summary, and the check or status.
func (s *state) publish(ctx context.Context, ev *platform.Event) error {
	p := s.opts.Platform
	md, err := report.Render(report.MD, s.out.Report, s.renderOptions(bodyLimits[p.Name()]))
	if err != nil {
		return fmt.Errorf("rendering the report: %w", err)
	}
	summary, err := report.Render(report.Summary, s.out.Report, s.renderOptions(1<<20-1024))
	if err != nil {
		return fmt.Errorf("rendering the job summary: %w", err)
	}
	return p.Publish(ctx, ev, &platform.Report{
		Key:      s.out.Report.Key,
		Title:    report.Title(s.out.Report),
		Markdown: string(md),
		Summary:  string(summary),
		State:    report.PlatformState(s.out.Report.Verdict.State),
		Files:    s.out.Files,
	})
}

// setOutputs fills the outputs for later CI steps.
func (s *state) setOutputs() {
	o := s.out.Outputs
	o["triggered"] = fmt.Sprint(s.out.Fired)
	o["model"] = s.model
	if s.out.Report != nil {
		o["passed"] = fmt.Sprint(s.out.Passed)
		o["report_path"] = s.out.Files["report.md"]
	}
	if s.out.Branch != "" {
		o["retrain_branch"] = s.out.Branch
	}
	if s.out.ProposalURL != "" {
		o["proposal_url"] = s.out.ProposalURL
	}
}

func (s *state) sendOutputs() error {
	out, ok := s.opts.Platform.(platform.Outputs)
	if !ok {
		return nil
	}
	if err := out.SetOutputs(s.out.Outputs); err != nil {
		return fmt.Errorf("setting the outputs: %w", err)
	}
	return nil
}

// finishEarly ends a run that retrains nothing: a check, or no trigger fired.
func (s *state) finishEarly(check bool) error {
	s.out.Summary = Summary(s.out, check)
	s.out.Passed = true
	s.setOutputs()
	s.opts.Printer.Infof("%s", s.out.Summary)
	return s.sendOutputs()
}

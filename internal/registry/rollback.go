package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/record"
)

// Rollback moves a stage back to the version it held before its current
// one, with a new assignment of that version: history is kept, as in GTO,
// and the rolled-back version stays in the stage behind it. Of o, Repo,
// Config (to check the stage, when set), Model, Stage, DryRun, Remote and
// RunURL count. A stage without an earlier version is refused (exit 1).
func Rollback(ctx context.Context, o PromoteOptions) (*Promotion, error) {
	if o.Config != nil {
		if _, err := policyOf(o.Config, o.Model, o.Stage); err != nil {
			return nil, err
		}
	}
	if err := o.sync(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, o.Repo, o.pushRemote(), func(reg *Registry) (*decision, error) {
		return o.decideRollback(ctx, reg)
	})
}

func (o PromoteOptions) decideRollback(ctx context.Context, reg *Registry) (*decision, error) {
	if err := checkWritable(reg, o.Model); err != nil {
		return nil, err
	}
	m := reg.Model(o.Model)
	if m == nil {
		return nil, exit.With(exit.Usage, fmt.Errorf("%w %q in the registry", ErrUnknownModel,
			o.Model))
	}
	p := &Promotion{Model: o.Model, Stage: o.Stage, DryRun: o.DryRun, Reasons: []string{}}
	h := m.Holder(o.Stage)
	if h == nil {
		p.refuse("%s holds no version of %s", o.Stage, o.Model)
		return refusal(p), nil
	}
	p.Previous = h.Version
	prev := m.Previous(o.Stage)
	if prev == nil {
		p.refuse("%s held no other active version of %s before %s", o.Stage, o.Model, h.Version)
		return refusal(p), nil
	}

	p.Version, p.Commit = prev.Version, prev.Commit
	rec, err := record.Load(ctx, o.Repo, prev.Commit)
	if err != nil && !errors.Is(err, record.ErrNoRecord) {
		return nil, err
	}
	if rec != nil {
		p.Artifact = rec.Models[o.Model].Artifact
	}
	p.reason("%s held %s before %s", o.Stage, prev.Version, h.Version)

	subject := fmt.Sprintf("Assigning stage %s to artifact %s version %s", o.Stage, o.Model,
		prev.Version)
	t, err := assignTag(reg, ActionAssign, o.Model, o.Stage, prev.Commit, message(subject, rec,
		o.Model, field{"rollback-from", h.Version}, field{"promoted-by-run", o.RunURL}))
	if err != nil {
		return nil, err
	}
	p.Tag, p.Outcome = t.name, RolledBack
	if o.DryRun {
		return &decision{p: p}, nil
	}
	return &decision{p: p, model: o.Model, tags: []newTag{t}}, nil
}

// OnMerge is what a merge to the default branch does for one model: the
// merged commit (o.Commit, HEAD by default) gets the next version when its
// run record passed the model's gates and the model changed since the
// latest version (by the artefact's md5), and the version enters the first
// stage when its rule is "on: merge". o.Stage is ignored.
func OnMerge(ctx context.Context, o PromoteOptions) (*Promotion, error) {
	cfgModel, err := policyOf(o.Config, o.Model, firstStage(o))
	if err != nil {
		return nil, err
	}
	o.Stage = cfgModel.stages[0]
	if err := o.sync(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, o.Repo, o.pushRemote(), func(reg *Registry) (*decision, error) {
		return o.decideMerge(ctx, reg, cfgModel)
	})
}

// firstStage returns the first stage of o's model, "" when it is unknown
// (policyOf then says so).
func firstStage(o PromoteOptions) string {
	if o.Config == nil {
		return ""
	}
	for _, m := range o.Config.Models {
		if m.Name == o.Model && len(m.Promote.Stages) > 0 {
			return m.Promote.Stages[0]
		}
	}
	return "staging"
}

func (o PromoteOptions) decideMerge(ctx context.Context, reg *Registry, pol *policy) (
	*decision, error) {
	if err := checkWritable(reg, o.Model); err != nil {
		return nil, err
	}
	commit, err := o.Repo.RevParse(ctx, or(o.Commit, "HEAD"))
	if err != nil {
		return nil, err
	}
	o.Commit = commit
	m := modelOrEmpty(reg, o.Model)

	if m.VersionAt(commit) == nil {
		if p, err := o.unchanged(ctx, m, commit); p != nil || err != nil {
			return &decision{p: p}, err
		}
	}
	if pol.rule.On == RuleMerge {
		return o.decide(ctx, reg, pol)
	}

	p := &Promotion{Model: o.Model, Commit: commit, DryRun: o.DryRun, Reasons: []string{}}
	if v := m.VersionAt(commit); v != nil {
		p.Version, p.Outcome = v.Version, Unchanged
		p.reason("%s is registered already as %s", short(commit), v.Version)
		return &decision{p: p}, nil
	}
	rec, err := o.checkRecord(ctx, commit, p)
	if err != nil {
		return nil, err
	}
	if len(p.Refusals) > 0 {
		return refusal(p), nil
	}
	t, err := o.registration(reg, rec, p)
	if err != nil {
		return nil, err
	}
	p.Outcome = Registered
	p.reason("%s enters %s %s, not on merge", o.Model, o.Stage, ruleWord(pol.rule.On))
	if o.DryRun {
		return &decision{p: p}, nil
	}
	return &decision{p: p, model: o.Model, tags: []newTag{t}}, nil
}

func ruleWord(on string) string {
	if on == RuleApproval {
		return "on approval"
	}
	return "by hand"
}

// unchanged returns an Unchanged promotion when the commit's model
// artefact equals the latest version's, else nil.
func (o PromoteOptions) unchanged(ctx context.Context, m *Model, commit string) (
	*Promotion, error) {
	latest := m.Version(m.Latest)
	if latest == nil {
		return nil, nil
	}
	head, err := record.Load(ctx, o.Repo, commit)
	if errors.Is(err, record.ErrNoRecord) {
		return nil, nil // the policy check says so
	}
	if err != nil {
		return nil, err
	}
	base, err := record.Load(ctx, o.Repo, latest.Commit)
	if errors.Is(err, record.ErrNoRecord) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	md5 := head.Models[o.Model].Artifact.MD5
	if md5 == "" || base.Models[o.Model].Artifact.MD5 != md5 {
		return nil, nil
	}
	p := &Promotion{Model: o.Model, Version: latest.Version, Commit: commit, Outcome: Unchanged,
		DryRun: o.DryRun, Artifact: head.Models[o.Model].Artifact, Reasons: []string{}}
	p.reason("the model is the same as %s's (md5 %s): no new version", latest.Version, md5)
	return p, nil
}

// Deployment returns the promotion as a platform deployment of the
// version's commit to the stage's environment.
func (p *Promotion) Deployment() platform.Deployment {
	desc := fmt.Sprintf("%s %s %s to %s", p.Model, p.Version, p.Outcome, p.Stage)
	if p.Previous != "" {
		desc += " (was " + p.Previous + ")"
	}
	return platform.Deployment{Model: p.Model, Version: p.Version, Environment: p.Stage,
		Ref: p.Commit, Description: desc}
}

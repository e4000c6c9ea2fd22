package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/record"
)

// The outcomes of a promotion.
const (
	// Promoted: the version entered the stage (or would, in a dry run).
	Promoted = "promoted"
	// RolledBack: the stage went back to the version it held before.
	RolledBack = "rolled back"
	// Registered: a new version was registered and no stage assigned.
	Registered = "registered"
	// Unchanged: nothing to do; the stage holds the version already, or the
	// model did not change since the latest version.
	Unchanged = "unchanged"
	// Refused: the policy does not allow it; nothing was written.
	Refused = "refused"
)

// The rules of entering a stage (config.PromoteRule.On).
const (
	RuleMerge    = "merge"
	RuleApproval = "approval"
	RuleManual   = "manual"
)

// PromoteOptions say what to promote where, and how.
type PromoteOptions struct {
	Repo   git.Repo
	Config *config.Config
	Model  string
	Stage  string
	// Version is the registered version to promote. Without it, Commit's
	// version is promoted (registered first if it has none); without
	// either, HEAD's version for the first stage, and for a later stage the
	// version the stage before holds.
	Version string
	Commit  string
	// Bump chooses a new version's number: major, minor (the default) or patch.
	Bump   string
	DryRun bool
	// Approver is who approved the promotion, after the caller checked the
	// permission; "" when nobody did.
	Approver string
	// Remote, when set, is fetched from first and the tags are pushed to it.
	Remote string
	// RunURL links the CI run that promotes, for the tag message.
	RunURL string
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Promotion is what a promotion did, or would do, and why.
type Promotion struct {
	Model   string `json:"model"`
	Version string `json:"version,omitempty"`
	Stage   string `json:"stage,omitempty"`
	Commit  string `json:"commit,omitempty"`
	// Tag is the assignment tag; Registered the registration tag of a new version.
	Tag        string `json:"tag,omitempty"`
	Registered string `json:"registered,omitempty"`
	// Previous is the version the stage held before, "" when none.
	Previous string `json:"previous,omitempty"`
	// Outcome is Promoted, RolledBack, Registered, Unchanged or Refused.
	Outcome string `json:"outcome"`
	DryRun  bool   `json:"dry_run,omitempty"`
	Pushed  bool   `json:"pushed,omitempty"`
	// Reasons are the checks that passed and what was decided, in words;
	// Refusals the checks that failed.
	Reasons  []string `json:"reasons"`
	Refusals []string `json:"refusals,omitempty"`
	// Artifact is the model file of the version's run record.
	Artifact record.Artifact `json:"artifact"`
}

func (p *Promotion) reason(format string, args ...any) {
	p.Reasons = append(p.Reasons, fmt.Sprintf(format, args...))
}

func (p *Promotion) refuse(format string, args ...any) {
	p.Refusals = append(p.Refusals, fmt.Sprintf(format, args...))
}

// Outputs returns the values the CI platform passes to later steps: model,
// version, commit, outcome, tag, previous, artifact_path, artifact_md5,
// and promoted_to, the stage when a version entered it ("" otherwise).
func (p *Promotion) Outputs() map[string]string {
	out := map[string]string{
		"model": p.Model, "version": p.Version, "commit": p.Commit, "outcome": p.Outcome,
		"tag": p.Tag, "previous": p.Previous, "promoted_to": "",
		"artifact_path": p.Artifact.Path, "artifact_md5": p.Artifact.MD5,
	}
	if !p.DryRun && (p.Outcome == Promoted || p.Outcome == RolledBack) {
		out["promoted_to"] = p.Stage
	}
	return out
}

// RefusedError is a promotion the policy does not allow.
type RefusedError struct {
	Model, Version, Stage string
	Reasons               []string
}

// Error lists the reasons.
func (e *RefusedError) Error() string {
	what := e.Model
	if e.Version != "" {
		what += " " + e.Version
	}
	return fmt.Sprintf("%s may not enter %s: %s", what, e.Stage, strings.Join(e.Reasons, "; "))
}

// refusal ends p as refused, with exit code 1.
func refusal(p *Promotion) *decision {
	p.Outcome = Refused
	return &decision{p: p, refusal: exit.With(exit.Failed, &RefusedError{Model: p.Model,
		Version: p.Version, Stage: p.Stage, Reasons: p.Refusals})}
}

// policy is a model's promotion policy for one stage.
type policy struct {
	stages []string
	index  int
	rule   config.PromoteRule
}

// policyOf finds the policy of model's stage in the configuration.
func policyOf(cfg *config.Config, model, stage string) (*policy, error) {
	if cfg == nil {
		return nil, exit.Usagef("promoting %s: no configuration", model)
	}
	i := slices.IndexFunc(cfg.Models, func(m *config.Model) bool { return m.Name == model })
	if i < 0 {
		var names []string
		for _, m := range cfg.Models {
			names = append(names, m.Name)
		}
		return nil, exit.With(exit.Usage, fmt.Errorf("%w %q: the configuration declares %s",
			ErrUnknownModel, model, orNone(names)))
	}
	if err := CheckModelName(model); err != nil {
		return nil, exit.With(exit.Usage, err)
	}
	m := cfg.Models[i]
	p := &policy{stages: m.Promote.Stages}
	if len(p.stages) == 0 {
		p.stages = config.DefaultPromoteStages
	}
	p.index = slices.Index(p.stages, stage)
	if p.index < 0 {
		return nil, exit.Usagef("unknown stage %q of %s: its stages are %s (promote.stages "+
			"in %s)", stage, model, strings.Join(p.stages, ", "), configFile(cfg))
	}
	if err := CheckStageName(stage); err != nil {
		return nil, exit.With(exit.Usage, err)
	}
	p.rule = m.Promote.Rules[stage]
	if p.rule.On == "" {
		p.rule.On = pick2(p.index == 0, RuleMerge, RuleApproval)
	}
	return p, nil
}

func pick2(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

func configFile(cfg *config.Config) string {
	if cfg.File != "" {
		return cfg.File
	}
	return "mlci.yaml"
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no models"
	}
	return strings.Join(names, ", ")
}

// Promote puts a version of a model in a stage under the model's policy:
// the version's run record must show its gates passed; a stage after the
// first takes only the version the stage before holds, after the runs and
// time the rule asks for there; a rule "on: approval" needs an Approver.
// When the version is new, it is registered in the same push, with the
// next number Bump chooses. A refusal is a *RefusedError with exit code 1
// and writes nothing; a dry run decides and writes nothing.
func Promote(ctx context.Context, o PromoteOptions) (*Promotion, error) {
	pol, err := policyOf(o.Config, o.Model, o.Stage)
	if err != nil {
		return nil, err
	}
	if err := o.sync(ctx); err != nil {
		return nil, err
	}
	return transact(ctx, o.Repo, o.pushRemote(), func(reg *Registry) (*decision, error) {
		return o.decide(ctx, reg, pol)
	})
}

// sync fetches the remote's tags and run records before a decision.
func (o PromoteOptions) sync(ctx context.Context) error {
	if o.Remote == "" {
		return nil
	}
	if err := o.Repo.FetchTags(ctx, o.Remote); err != nil {
		return err
	}
	return record.Fetch(ctx, o.Repo, o.Remote)
}

func (o PromoteOptions) pushRemote() string {
	if o.DryRun {
		return ""
	}
	return o.Remote
}

func (o PromoteOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// decide checks the policy on the registry at hand and chooses the tags.
func (o PromoteOptions) decide(ctx context.Context, reg *Registry, pol *policy) (*decision, error) {
	if err := checkWritable(reg, o.Model); err != nil {
		return nil, err
	}
	m := modelOrEmpty(reg, o.Model)
	v, commit, err := o.candidate(ctx, m, pol)
	if err != nil {
		return nil, err
	}

	p := &Promotion{Model: o.Model, Stage: o.Stage, Commit: commit, DryRun: o.DryRun,
		Reasons: []string{}}
	if v != nil {
		p.Version = v.Version
	}
	if h := m.Holder(o.Stage); h != nil {
		p.Previous = h.Version
		if v == h {
			p.Outcome = Unchanged
			p.reason("%s holds %s already", v.Version, o.Stage)
			return &decision{p: p}, nil
		}
	}

	rec, err := o.check(ctx, m, commit, pol, p)
	if err != nil {
		return nil, err
	}
	if len(p.Refusals) > 0 {
		return refusal(p), nil
	}
	return o.tags(reg, rec, v, p)
}

// tags chooses the registration (for a new version) and assignment tags.
func (o PromoteOptions) tags(reg *Registry, rec *record.Record, v *Version, p *Promotion) (
	*decision, error) {
	var tags []newTag
	if v == nil {
		t, err := o.registration(reg, rec, p)
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}

	subject := fmt.Sprintf("Assigning stage %s to artifact %s version %s", o.Stage, o.Model,
		p.Version)
	t, err := assignTag(
		reg,
		ActionAssign,
		o.Model,
		o.Stage,
		p.Commit,
		message(subject, rec, o.Model,
			field{"approved-by", o.Approver}, field{"previous", p.Previous},
			field{"promoted-by-run", o.RunURL}),
	)
	if err != nil {
		return nil, err
	}
	tags, p.Tag, p.Outcome = append(tags, t), t.name, Promoted
	if o.DryRun {
		tags = nil
	}
	return &decision{p: p, model: o.Model, tags: tags}, nil
}

// registration chooses the next version's number and its tag at p.Commit.
func (o PromoteOptions) registration(reg *Registry, rec *record.Record, p *Promotion) (
	newTag, error) {
	version, err := reg.NextVersion(o.Model, o.Bump)
	if err != nil {
		return newTag{}, err
	}
	subject := fmt.Sprintf("Registering artifact %s version %s", o.Model, version)
	t, err := registerTag(reg, o.Model, version, p.Commit, message(subject, rec, o.Model))
	if err != nil {
		return newTag{}, err
	}
	p.Version, p.Registered = version, t.name
	p.reason("registers %s at %s (%s bump)", version, short(p.Commit), or(o.Bump, BumpMinor))
	return t, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// candidate finds the version to promote and its commit; a nil version
// means the commit has no registered version yet.
func (o PromoteOptions) candidate(ctx context.Context, m *Model, pol *policy) (
	*Version, string, error) {
	switch {
	case o.Version != "":
		return o.named(ctx, m)
	case o.Commit != "" || pol.index == 0:
		commit, err := o.Repo.RevParse(ctx, or(o.Commit, "HEAD"))
		if err != nil {
			return nil, "", err
		}
		return m.VersionAt(commit), commit, nil
	}
	prev := pol.stages[pol.index-1]
	v := m.Holder(prev)
	if v == nil {
		return nil, "", exit.With(exit.Usage, fmt.Errorf("%w: %s holds no version of %s, so "+
			"there is nothing to promote to %s; promote to %s first, or give a version",
			ErrEmptyStage, prev, o.Model, o.Stage, prev))
	}
	if !v.Registered {
		return nil, v.Commit, nil
	}
	return v, v.Commit, nil
}

// named returns the version o.Version, which must exist and be active.
func (o PromoteOptions) named(ctx context.Context, m *Model) (*Version, string, error) {
	if err := CheckVersion(o.Version); err != nil {
		return nil, "", exit.With(exit.Usage, err)
	}
	v := m.Version(o.Version)
	if v == nil || !v.Registered {
		return nil, "", exit.With(exit.Usage, fmt.Errorf("%w: %s has no version %s "+
			"(its versions: %s)", ErrUnknownVersion, o.Model, o.Version, versionNames(m)))
	}
	if !v.Active {
		return nil, "", exit.Usagef("%s %s was deregistered", o.Model, o.Version)
	}
	if o.Commit != "" {
		commit, err := o.Repo.RevParse(ctx, o.Commit)
		if err != nil {
			return nil, "", err
		}
		if commit != v.Commit {
			return nil, "", exit.Usagef("%s %s is commit %s, not %s", o.Model, o.Version,
				short(v.Commit), o.Commit)
		}
	}
	return v, v.Commit, nil
}

// check applies the policy to the version at commit, filling p's reasons
// and refusals, and returns the version's latest run record.
func (o PromoteOptions) check(ctx context.Context, m *Model, commit string, pol *policy,
	p *Promotion) (*record.Record, error) {
	rec, err := o.checkRecord(ctx, commit, p)
	if err != nil {
		return nil, err
	}
	if pol.index > 0 {
		if err := o.checkPrevious(ctx, m, commit, rec, pol, p); err != nil {
			return nil, err
		}
	}
	o.checkApproval(pol, p)
	return rec, nil
}

// checkRecord asks the commit's latest run record to show the model passed.
func (o PromoteOptions) checkRecord(ctx context.Context, commit string, p *Promotion) (
	*record.Record, error) {
	rec, err := record.Load(ctx, o.Repo, commit)
	if errors.Is(err, record.ErrNoRecord) {
		p.refuse("commit %s has no run record, so nothing shows %s passed its gates: run "+
			"mlci on it in CI, or fetch the records (git fetch origin %s:%s)",
			short(commit), o.Model, git.NotesRef, git.NotesRef)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.Artifact = rec.Models[o.Model].Artifact
	if !rec.PassedFor(o.Model) {
		p.refuse(
			"the run of %s failed %s's gates%s",
			short(commit),
			o.Model,
			failedGates(rec, o.Model),
		)
		return rec, nil
	}
	p.reason("the run of %s passed %s's gates%s", short(commit), o.Model, at(rec.RunURL))
	return rec, nil
}

func at(url string) string {
	if url == "" {
		return ""
	}
	return " (" + url + ")"
}

// failedGates lists the model's failed error gates: ": accuracy ≥ 0.8".
func failedGates(rec *record.Record, model string) string {
	var failed []string
	for _, g := range rec.Verdict.Gates {
		if g.Model == model && !g.Passed && g.Severity != "warning" {
			failed = append(failed, strings.TrimSpace(g.Metric+" "+g.Rule))
		}
	}
	if len(failed) == 0 {
		return ""
	}
	return ": " + strings.Join(failed, ", ")
}

// checkPrevious asks the version to hold the stage before, for the runs and
// time the rule asks.
func (o PromoteOptions) checkPrevious(ctx context.Context, m *Model, commit string,
	rec *record.Record, pol *policy, p *Promotion) error {
	prev := pol.stages[pol.index-1]
	h := m.Holder(prev)
	if h == nil || h.Commit != commit {
		p.refuse("%s takes only the version %s holds, which is %s", o.Stage, prev,
			holderName(h))
		return nil
	}
	since, _ := m.Since(h, prev)
	p.reason("%s holds %s since %s", h.Version, prev, since.UTC().Format(time.RFC3339))

	if n := pol.rule.AfterRuns; n > 0 {
		runs, err := countRuns(ctx, o.Repo, o.Model, commit, rec, since)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("%d successful %s in %s since it entered (%s needs %d)", runs,
			plural(runs, "run"), prev, o.Stage, n)
		if runs < n {
			p.refuse("%s", msg)
		} else {
			p.reason("%s", msg)
		}
	}
	if d := pol.rule.After; d > 0 {
		held := o.now().Sub(since)
		msg := fmt.Sprintf("in %s for %s (%s needs %s)", prev, held.Truncate(time.Second),
			o.Stage, d)
		if held < d {
			p.refuse("%s; it may enter from %s", msg, since.Add(d).UTC().Format(time.RFC3339))
		} else {
			p.reason("%s", msg)
		}
	}
	return nil
}

func holderName(v *Version) string {
	if v == nil {
		return "none"
	}
	return v.Version
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// countRuns counts the run records after since that passed model's gates
// and evaluated this version: runs of its commit, or runs whose model
// artefact has the version's md5.
//
// TODO: every promotion reads all the notes; a repository with many
// thousand runs would want them indexed by model.
func countRuns(ctx context.Context, repo git.Repo, model, commit string, rec *record.Record,
	since time.Time) (int, error) {
	all, err := record.All(ctx, repo)
	if err != nil {
		return 0, err
	}
	md5 := ""
	if rec != nil {
		md5 = rec.Models[model].Artifact.MD5
	}
	n := 0
	for _, r := range all {
		same := r.Commit == commit || md5 != "" && r.Models[model].Artifact.MD5 == md5
		if same && r.Time.After(since) && r.PassedFor(model) {
			n++
		}
	}
	return n, nil
}

// checkApproval asks a rule "on: approval" for an approver.
func (o PromoteOptions) checkApproval(pol *policy, p *Promotion) {
	if pol.rule.On != RuleApproval {
		return
	}
	if o.Approver != "" {
		p.reason("approved by %s", o.Approver)
		return
	}
	perms := "write, maintain or admin"
	if len(pol.rule.Approvers) > 0 {
		perms = strings.Join(pol.rule.Approvers, ", ")
	}
	p.refuse("%s needs an approval: a user with %s permission comments `/mlci promote %s %s` "+
		"on the pull request, or runs the manual job of a protected environment (it sets "+
		"MLCI_APPROVED_BY), or the command is given --approved-by USER", o.Stage, perms,
		o.Model, o.Stage)
}

func modelOrEmpty(reg *Registry, name string) *Model {
	if m := reg.Model(name); m != nil {
		return m
	}
	return &Model{Name: name, Stages: map[string]string{}, holder: map[string]*Version{}}
}

package registry

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/record"
)

var defaultRules = map[string]config.PromoteRule{
	"staging":    {On: RuleMerge},
	"production": {On: RuleApproval, AfterRuns: 2},
}

func TestPromoteRegistersAssignsAndPushes(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c2, "https://ci/run/1", time.Now(), true, "md5-2")
	o := PromoteOptions{Repo: s.repo, Config: policyConfig(defaultRules), Model: "churn",
		Stage: "staging", Remote: "origin"}

	dry := o
	dry.DryRun = true
	p, err := Promote(ctx, dry)
	require.NoError(t, err)
	assert.Equal(t, Promoted, p.Outcome)
	assert.Equal(t, "churn#staging#1", p.Tag)
	assert.Empty(t, s.remoteTags(t), "a dry run writes nothing")
	assert.Empty(t, s.work.Git("tag", "--list"))

	p, err = Promote(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, &Promotion{Model: "churn", Version: "v0.1.0", Stage: "staging",
		Commit: s.c2, Tag: "churn#staging#1", Registered: "churn@v0.1.0", Outcome: Promoted,
		Pushed: true, Artifact: record.Artifact{Path: "model.bin", MD5: "md5-2", Size: 1},
		Reasons: p.Reasons}, p)
	assert.Contains(t, p.Reasons[0], "passed churn's gates (https://ci/run/1)")
	assert.ElementsMatch(t, []string{"churn@v0.1.0", "churn#staging#1"}, s.remoteTags(t))
	assert.Equal(t, map[string]string{"model": "churn", "version": "v0.1.0", "commit": s.c2,
		"outcome": Promoted, "tag": "churn#staging#1", "previous": "", "promoted_to": "staging",
		"artifact_path": "model.bin", "artifact_md5": "md5-2"}, p.Outputs())
	assert.Equal(t, s.c2, p.Deployment().Ref)

	msg := s.bare.Git("tag", "--list", "--format=%(contents)", "churn@v0.1.0")
	assert.Contains(t, msg, "Registering artifact churn version v0.1.0\n\nverdict: passed "+
		"(1 of 1 gates)\nmetrics: accuracy=0.87")
	reg, err := Read(ctx, git.Repo{Dir: s.bare.Dir})
	require.NoError(t, err)
	assert.Equal(t, "passed", reg.Model("churn").Version("v0.1.0").Verdict)

	p, err = Promote(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, Unchanged, p.Outcome, "promoting again changes nothing")
}

func TestPromoteRefusals(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c1, "run/1", time.Now(), false, "md5-1")
	cfg := policyConfig(defaultRules)

	tests := []struct {
		name string
		o    PromoteOptions
		code int
		msg  string
	}{
		{"failed verdict", PromoteOptions{Stage: "staging", Commit: s.c1}, exit.Failed,
			"failed churn's gates: accuracy ≥ 0.8"},
		{"no record", PromoteOptions{Stage: "staging"}, exit.Failed, "has no run record"},
		{"unknown stage", PromoteOptions{Stage: "prod"}, exit.Usage,
			`unknown stage "prod" of churn: its stages are staging, production`},
		{"unknown model", PromoteOptions{Model: "nope", Stage: "staging"}, exit.Usage,
			`unknown model "nope": the configuration declares churn`},
		{"unknown version", PromoteOptions{Stage: "staging", Version: "v9.0.0"}, exit.Usage,
			"churn has no version v9.0.0 (its versions: none)"},
		{"bad version", PromoteOptions{Stage: "staging", Version: "9.0"}, exit.Usage,
			"not a semantic version"},
		{"empty previous stage", PromoteOptions{Stage: "production"}, exit.Usage,
			"staging holds no version of churn"},
		{"bad bump", PromoteOptions{Stage: "staging", Bump: "huge"}, exit.Failed,
			"has no run record"},
	}
	for _, tt := range tests {
		tt.o.Repo, tt.o.Config, tt.o.Remote = s.repo, cfg, "origin"
		if tt.o.Model == "" {
			tt.o.Model = "churn"
		}
		_, err := Promote(ctx, tt.o)
		require.Error(t, err, tt.name)
		assert.Equal(t, tt.code, exit.Code(err), tt.name)
		assert.Contains(t, err.Error(), tt.msg, tt.name)
	}
	assert.Empty(t, s.remoteTags(t), "nothing was written")
	assert.Empty(t, s.work.Git("tag", "--list"))
}

func TestPromotePolicyRunsTimeApproval(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	rules := map[string]config.PromoteRule{
		"staging":    {On: RuleMerge},
		"production": {On: RuleApproval, AfterRuns: 2, After: 24 * time.Hour},
	}
	o := PromoteOptions{Repo: s.repo, Config: policyConfig(rules), Model: "churn",
		Remote: "origin"}
	saveRun(t, s.repo, s.c1, "run/1", time.Now().Add(-time.Minute), true, "md5-1")
	o.Stage, o.Commit = "staging", s.c1
	_, err := Promote(ctx, o)
	require.NoError(t, err)
	o.Commit = ""

	o.Stage = "production"
	p, err := Promote(ctx, o)
	require.Error(t, err)
	assert.Equal(t, exit.Failed, exit.Code(err))
	assert.Equal(t, Refused, p.Outcome)
	require.Len(t, p.Refusals, 3)
	assert.Contains(t, p.Refusals[0], "0 successful runs in staging since it entered "+
		"(production needs 2)")
	assert.Contains(t, p.Refusals[1], "(production needs 24h0m0s); it may enter from")
	assert.Contains(t, p.Refusals[2], "--approved-by USER")
	var refused *RefusedError
	require.ErrorAs(t, err, &refused)

	later := time.Now().Add(2 * time.Second)
	saveRun(t, s.repo, s.c1, "run/2", later, true, "md5-1")
	saveRun(t, s.repo, s.c2, "run/3", later, true, "md5-1") // same model bits, later commit
	saveRun(t, s.repo, s.c2, "run/4", later, false, "md5-1")
	saveRun(t, s.repo, s.c2, "run/5", later, true, "other")
	o.Approver = "alice"
	o.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	p, err = Promote(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, Promoted, p.Outcome)
	assert.Equal(t, "v0.1.0", p.Version)
	assert.Equal(t, "churn#production#2", p.Tag)
	assert.Contains(t, p.Reasons, "2 successful runs in staging since it entered "+
		"(production needs 2)")
	assert.Contains(t, p.Reasons, "approved by alice")
	msg := s.bare.Git("tag", "--list", "--format=%(contents)", "churn#production#2")
	assert.Contains(t, msg, "approved-by: alice")
}

func TestPromoteLaterStageTakesOnlyThePreviousStagesVersion(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c1, "run/1", time.Now(), true, "md5-1")
	saveRun(t, s.repo, s.c2, "run/2", time.Now(), true, "md5-2")
	cfg := policyConfig(map[string]config.PromoteRule{"staging": {On: RuleMerge},
		"production": {On: RuleManual}})
	o := PromoteOptions{Repo: s.repo, Config: cfg, Model: "churn", Stage: "staging",
		Commit: s.c1}
	_, err := Promote(ctx, o)
	require.NoError(t, err)
	_, err = Register(ctx, s.repo, "churn", "v1.0.0", s.c2, "")
	require.NoError(t, err)

	o.Stage, o.Commit, o.Version = "production", "", "v1.0.0"
	p, err := Promote(ctx, o)
	require.Error(t, err)
	assert.Equal(t, []string{"production takes only the version staging holds, which is v0.1.0"},
		p.Refusals)

	o.Version = ""
	p, err = Promote(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", p.Version)
	assert.Empty(t, p.Previous)
}

func TestRollbackAndLowLevelWrites(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c1, "run/1", time.Now(), true, "md5-1")
	saveRun(t, s.repo, s.c2, "run/2", time.Now(), true, "md5-2")
	o := PromoteOptions{Repo: s.repo, Config: policyConfig(defaultRules), Model: "churn",
		Stage: "staging", Remote: "origin"}

	_, err := Rollback(ctx, o)
	require.ErrorIs(t, err, ErrUnknownModel)
	assert.Equal(t, exit.Usage, exit.Code(err))

	o.Commit = s.c1
	_, err = Promote(ctx, o)
	require.NoError(t, err)
	_, err = Rollback(ctx, o)
	require.ErrorContains(t, err, "staging held no other active version of churn before v0.1.0")
	o.Commit = s.c2
	p, err := Promote(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", p.Previous)

	p, err = Rollback(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, RolledBack, p.Outcome)
	assert.Equal(t, "v0.1.0", p.Version)
	assert.Equal(t, "v0.2.0", p.Previous)
	assert.Equal(t, "churn#staging#3", p.Tag)
	assert.Equal(t, "staging", p.Outputs()["promoted_to"])
	reg, err := Read(ctx, git.Repo{Dir: s.bare.Dir})
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", reg.Model("churn").Stages["staging"])

	p, err = Rollback(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, "v0.2.0", p.Version, "a second rollback undoes the first")

	tag, err := Unassign(ctx, s.repo, "churn", "staging", "v0.2.0", "")
	require.NoError(t, err)
	assert.Equal(t, "churn#staging!#5", tag)
	tag, err = Deregister(ctx, s.repo, "churn", "v0.1.0", "")
	require.NoError(t, err)
	assert.Equal(t, "churn@v0.1.0!", tag)
	reg, err = Read(ctx, s.repo)
	require.NoError(t, err)
	assert.Empty(t, reg.Model("churn").Stages, "v0.2.0 left, and v0.1.0 is deregistered")
	_, err = Assign(ctx, s.repo, "churn", "staging", "v0.1.0", "")
	require.ErrorContains(t, err, "churn v0.1.0 was deregistered")

	tag, err = Deprecate(ctx, s.repo, "churn", "")
	require.NoError(t, err)
	assert.Equal(t, "churn@deprecated", tag)
	_, err = Deprecate(ctx, s.repo, "churn", "")
	require.ErrorContains(t, err, "deprecated already")
	reg, err = Read(ctx, s.repo)
	require.NoError(t, err)
	assert.True(t, reg.Model("churn").Deprecated)
	require.NoError(t, Push(ctx, s.repo, "origin", "churn@deprecated"))
}

func TestOnMerge(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c1, "run/1", time.Now(), true, "md5-1")
	saveRun(t, s.repo, s.c2, "run/2", time.Now(), true, "md5-1")
	o := PromoteOptions{Repo: s.repo, Config: policyConfig(defaultRules), Model: "churn",
		Remote: "origin", Commit: s.c1}

	p, err := OnMerge(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, Promoted, p.Outcome)
	assert.Equal(t, "staging", p.Stage)
	assert.Equal(t, "v0.1.0", p.Version)

	p, err = OnMerge(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, Unchanged, p.Outcome, "a rerun of the merge's job")

	o.Commit = s.c2
	p, err = OnMerge(ctx, o)
	require.NoError(t, err)
	assert.Equal(t, Unchanged, p.Outcome)
	assert.Contains(t, p.Reasons[0], "the model is the same as v0.1.0's (md5 md5-1)")

	manual := policyConfig(map[string]config.PromoteRule{"staging": {On: RuleManual}})
	s2 := newRemoteSetup(t)
	saveRun(t, s2.repo, s2.c1, "run/1", time.Now(), true, "md5-1")
	p, err = OnMerge(ctx, PromoteOptions{Repo: s2.repo, Config: manual, Model: "churn",
		Remote: "origin", Bump: BumpMajor})
	require.ErrorContains(t, err, "has no run record", "HEAD is c2, which has none")
	assert.Equal(t, Refused, p.Outcome)
	p, err = OnMerge(ctx, PromoteOptions{Repo: s2.repo, Config: manual, Model: "churn",
		Remote: "origin", Bump: BumpMajor, Commit: s2.c1})
	require.NoError(t, err)
	assert.Equal(t, Registered, p.Outcome)
	assert.Equal(t, "v1.0.0", p.Version)
	assert.Equal(t, []string{"churn@v1.0.0"}, s2.remoteTags(t))
}

// TestConcurrentPromotionRetriesWithNextCounter lets clone A promote
// between clone B's decision and B's push: B's push is rejected, B reads
// the registry again and takes the next number and counter.
func TestConcurrentPromotionRetriesWithNextCounter(t *testing.T) {
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c1, "run/1", time.Now(), true, "md5-1")
	saveRun(t, s.repo, s.c2, "run/2", time.Now(), true, "md5-2")
	require.NoError(t, record.Push(ctx, s.repo, "origin"))
	a, b := s.clone(), s.clone()
	cfg := policyConfig(defaultRules)

	var attempts []int
	testHookBeforeWrite = func(attempt int) {
		attempts = append(attempts, attempt)
		if attempt > 1 {
			return
		}
		testHookBeforeWrite = nil
		p, err := Promote(ctx, PromoteOptions{Repo: a, Config: cfg, Model: "churn",
			Stage: "staging", Commit: s.c1, Remote: "origin"})
		require.NoError(t, err)
		require.Equal(t, "churn#staging#1", p.Tag)
		testHookBeforeWrite = func(attempt int) { attempts = append(attempts, attempt) }
	}
	defer func() { testHookBeforeWrite = nil }()

	p, err := Promote(ctx, PromoteOptions{Repo: b, Config: cfg, Model: "churn",
		Stage: "staging", Commit: s.c2, Remote: "origin"})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, attempts, "B's first push was rejected")
	assert.Equal(t, "v0.2.0", p.Version)
	assert.Equal(t, "churn#staging#2", p.Tag)
	assert.Equal(t, "v0.1.0", p.Previous)
	assert.ElementsMatch(t, []string{"churn@v0.1.0", "churn@v0.2.0", "churn#staging#1",
		"churn#staging#2"}, s.remoteTags(t))
}

// TestConcurrentPromotionsOfOneCommit runs two clones' promotions of the
// same commit at once: one registers and assigns; the other finds the stage
// holds the version already, or, when both wrote the very same tag objects
// in the same second, its push finds them up to date. Either way the remote
// holds one registration and one assignment.
func TestConcurrentPromotionsOfOneCommit(t *testing.T) {
	t.Parallel()
	s := newRemoteSetup(t)
	ctx := t.Context()
	saveRun(t, s.repo, s.c2, "run/1", time.Now(), true, "md5-2")
	require.NoError(t, record.Push(ctx, s.repo, "origin"))
	cfg := policyConfig(defaultRules)

	var wg sync.WaitGroup
	results := make([]*Promotion, 2)
	errs := make([]error, 2)
	for i, repo := range []git.Repo{s.clone(), s.clone()} {
		wg.Go(func() {
			results[i], errs[i] = Promote(ctx, PromoteOptions{Repo: repo, Config: cfg,
				Model: "churn", Stage: "staging", Remote: "origin"})
		})
	}
	wg.Wait()

	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Contains(t, []string{Promoted, Unchanged}, results[0].Outcome)
	assert.Contains(t, []string{Promoted, Unchanged}, results[1].Outcome)
	assert.Equal(t, "v0.1.0", results[0].Version)
	assert.Equal(t, "v0.1.0", results[1].Version)
	assert.ElementsMatch(t, []string{"churn@v0.1.0", "churn#staging#1"}, s.remoteTags(t))
}

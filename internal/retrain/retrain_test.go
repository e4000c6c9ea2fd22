package retrain

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

func TestNoTriggerDoesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := newTestPlatform("github")

	out, root := w.retrain(t, p, nil)

	assert.False(t, out.Fired)
	assert.Equal(t, "data unchanged since v1.0.0, drift 0.00 below 0.10, "+
		"model v1.0.0 0 hours old, within 30 days: no retraining", out.Summary)
	assert.Empty(t, out.Branch)
	assert.Empty(t, p.proposals)
	assert.Empty(t, p.published)
	assert.Empty(t, w.remoteBranch(t))
	assert.Equal(t, "main", w.git(t, root, "rev-parse", "--abbrev-ref", "HEAD"))
	assert.Equal(t, "false", p.outputs["triggered"])
}

// TestNewDataProposesOnceUpdatesThenRestsOnceMerged follows new data from
// the first scheduled run (a pull request) through a second (the same pull
// request, updated) to the merge (no retraining until it is promoted).
func TestNewDataProposesOnceUpdatesThenRestsOnceMerged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setFeed(t, nil)
	p := newTestPlatform("github")
	main := w.git(t, w.origin, "rev-parse", "main")

	first, _ := w.retrain(t, p, nil)

	require.True(t, first.Fired)
	require.True(t, first.Passed, first.Summary)
	assert.True(t, first.Pushed)
	assert.Equal(t, "mlci/retrain/churn", first.Branch)
	assert.Equal(t, "https://ci.example/pull/1", first.ProposalURL)
	assert.Equal(t, first.Commit, w.remoteBranch(t))
	assert.Equal(t, main, w.git(t, w.origin, "rev-parse", first.Commit+"^"))
	assert.Equal(t, "Retrain churn: new data, data drift",
		w.git(t, w.origin, "log", "-1", "--format=%s", first.Commit))
	files := w.git(t, w.origin, "diff", "--name-only", main, first.Commit)
	assert.Contains(t, files, "data/raw/customers.csv")
	assert.Contains(t, files, "dvc.lock")
	assert.Contains(t, files, "eval/metrics.json")
	assert.NotContains(t, files, ".mlci")

	require.Len(t, p.proposals, 1)
	pr := p.proposals[0]
	assert.Equal(t, platform.Proposal{Branch: "mlci/retrain/churn", Base: "main",
		Title: "Retrain churn: new data, data drift", Body: pr.Body,
		Labels: []string{"mlci", "retrain"}}, pr)
	assert.Contains(t, pr.Body, "retrained churn may be promoted")
	assert.Contains(t, pr.Body, "data/raw/customers.csv changed since v1.0.0")
	assert.Contains(t, pr.Body, "<!-- mlci:report")
	require.Len(t, p.events, 1)
	assert.Equal(t, first.Commit, p.events[0].Head, "the check goes on the proposal's head")
	assert.Equal(t, platform.Success, p.published[0].State)
	assert.Equal(t, "true", p.outputs["passed"])
	assert.FileExists(t, first.Files["record.json"])

	second, _ := w.retrain(t, p, nil)

	require.True(t, second.Passed, second.Summary)
	assert.Equal(t, first.ProposalURL, second.ProposalURL, "the open pull request is updated")
	assert.Len(t, p.open, 1)
	assert.Len(t, p.proposals, 2)
	assert.NotEqual(t, first.Commit, second.Commit)
	assert.Equal(t, second.Commit, w.remoteBranch(t), "the branch was force-pushed")
	assert.Equal(t, main, w.git(t, w.origin, "rev-parse", second.Commit+"^"))

	w.git(t, w.origin, "update-ref", "refs/heads/main", second.Commit, main)
	merged, _ := w.retrain(t, p, nil)

	assert.False(t, merged.Fired)
	assert.Equal(t, "data/raw/customers.csv changed since v1.0.0, but main was trained on "+
		"this data already (promote it)", merged.Triggers[0].Summary)
	assert.Contains(t, merged.Triggers[1].Summary, "but main was trained on this data already")
	assert.Len(t, p.proposals, 2)
}

func TestStaleModelIsRetrainedOnTheSameData(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := newTestPlatform("github")

	out, _ := w.retrain(t, p, func(o *Options) {
		o.Now = func() time.Time { return time.Now().Add(31 * day) }
	})

	require.True(t, out.Fired)
	assert.Equal(t, []bool{false, false, true},
		[]bool{out.Triggers[0].Fired, out.Triggers[1].Fired, out.Triggers[2].Fired})
	for _, st := range out.Report.Stages {
		assert.Equal(t, report.Ran, st.Result, "a stale model's stages run again: %s", st.Name)
	}
	assert.Empty(t, out.Commit, "the same data trains the same model")
	assert.Equal(t, report.Nothing, out.Report.Verdict.State)
	assert.Contains(t, out.Summary, "nothing changed against the default branch; no pull request")
	assert.Empty(t, p.proposals)
}

func TestFailingModelOpensNoPullRequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Labels that have nothing to do with the features: the model learns noise.
	w.setFeed(t, func(lines []string) []string {
		for i := 1; i < len(lines); i++ {
			cut := strings.LastIndexByte(lines[i], ',')
			lines[i] = lines[i][:cut+1] + fmt.Sprint((i*7)%3%2)
		}
		return lines
	})
	p := newTestPlatform("github")

	out, root := w.retrain(t, p, nil)

	require.True(t, out.Fired)
	assert.False(t, out.Passed)
	assert.False(t, out.Pushed)
	assert.Empty(t, out.ProposalURL)
	assert.Empty(t, p.proposals)
	assert.Empty(t, w.remoteBranch(t), "nothing is pushed")
	assert.Equal(t, report.Failed, out.Report.Verdict.State)
	assert.Contains(t, out.Summary, "failed, a model gate failed; no pull request")
	require.Len(t, p.published, 1)
	assert.Equal(t, platform.Failure, p.published[0].State)
	assert.Empty(t, p.events[0].Head, "no check on a commit that was not pushed")
	assert.Equal(t, "false", p.outputs["passed"])
	for _, name := range []string{"report.md", "report.html", "report.json", "summary.md"} {
		assert.FileExists(t, out.Files[name])
	}
	assert.Equal(t, "mlci/retrain/churn", w.git(t, root, "rev-parse", "--abbrev-ref", "HEAD"))
}

func TestCheckOnlyChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setFeed(t, nil)
	p := newTestPlatform("github")

	out, root := w.retrain(t, p, func(o *Options) {
		o.Check = true
		o.Now = func() time.Time { return time.Now().Add(45 * day) }
	})

	assert.True(t, out.Fired)
	require.Len(t, out.Triggers, 3)
	for _, tr := range out.Triggers {
		assert.True(t, tr.Fired, tr.Name)
	}
	assert.Equal(t, "data/raw/customers.csv changed since v1.0.0", out.Triggers[0].Summary)
	assert.Regexp(t,
		`^drift 0\.\d\d at or above 0\.10 \(customers: 1 of 7 columns drifted: monthly_charges`,
		out.Triggers[1].Summary)
	assert.Equal(t, "model v1.0.0 45 days old, over 30 days", out.Triggers[2].Summary)
	assert.Equal(t, 45.0, out.Triggers[2].Figures["days"])
	assert.True(t, strings.HasSuffix(out.Summary, ": retraining is due"), out.Summary)
	assert.Empty(t, p.published)
	assert.Equal(t, "main", w.git(t, root, "rev-parse", "--abbrev-ref", "HEAD"))
	assert.Empty(t, w.remoteBranch(t))
}

func TestGitLabPushAsksForNoPipeline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setFeed(t, nil)
	log := filepath.Join(w.dir, "push-options")
	hook := filepath.Join(w.origin, "hooks", "pre-receive")
	require.NoError(t, os.WriteFile(hook, []byte("#!/bin/sh\n"+
		`env | grep '^GIT_PUSH_OPTION_[0-9]' >>"`+log+`"`+"\ncat >/dev/null\n"), 0o755))
	p := newTestPlatform("gitlab")

	out, _ := w.retrain(t, p, nil)

	require.True(t, out.Pushed, out.Summary)
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "GIT_PUSH_OPTION_0=ci.skip\n", string(data))
}

func TestRefusesToStartAnywhereButTheDefaultBranch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)

	tests := []struct {
		name  string
		setup func(root string)
		want  string
	}{
		{"uncommitted change", func(root string) {
			require.NoError(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("x"), 0o644))
		}, "the work tree has changes (notes.txt)"},
		{"another commit", func(root string) {
			w.git(t, root, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q",
				"--allow-empty", "-m", "local")
		}, "retraining starts from the default branch main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := w.clone(t)
			tt.setup(root)
			cfg := loadConfig(t, root)

			_, err := Run(t.Context(), Options{Root: root, Config: cfg,
				Platform: newTestPlatform("github"), CacheDir: w.cache,
				Event: &platform.Event{Kind: platform.Manual, DefaultBranch: "main"}})

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, exit.Usage, exit.Code(err))
		})
	}
}

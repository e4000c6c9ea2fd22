package registry

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/record"
)

// t0 is the time the GTO-written histories start at.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// gitAt runs git in dir with the committer date set to at, so that tags
// get that tagger date, and returns its trimmed output.
func gitAt(t testing.TB, dir string, at time.Time, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	date := fmt.Sprintf("@%d +0000", at.Unix())
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_COMMITTER_DATE="+date, "GIT_AUTHOR_DATE="+date)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// gtoTag creates a tag as GTO creates one — `git tag -a NAME -m MESSAGE
// REV` — dated at.
func gtoTag(t testing.TB, dir, name, rev, msg string, at time.Time) {
	t.Helper()
	gitAt(t, dir, at, "tag", "-a", name, "-m", msg, rev)
}

// lightTag creates a lightweight tag, which GTO ignores.
func lightTag(t testing.TB, dir, name, rev string) {
	t.Helper()
	gitAt(t, dir, t0, "tag", name, rev)
}

// remoteSetup is a bare remote with one work clone, whose history holds
// commits c1 and c2.
type remoteSetup struct {
	bare   *gittest.Repo
	work   *gittest.Repo
	repo   git.Repo
	c1, c2 string
}

func newRemoteSetup(t *testing.T) *remoteSetup {
	t.Helper()
	seed := gittest.New(t)
	seed.CommitFiles("one", map[string]string{"model.bin": "1"})
	seed.CommitFiles("two", map[string]string{"model.bin": "2"})
	s := &remoteSetup{bare: seed.Clone("--bare")}
	s.work = s.bare.Clone()
	s.repo = git.Repo{Dir: s.work.Dir}
	s.c1 = s.work.Git("rev-parse", "HEAD~1")
	s.c2 = s.work.Git("rev-parse", "HEAD")
	return s
}

// clone makes another work clone of the remote.
func (s *remoteSetup) clone() git.Repo {
	return git.Repo{Dir: s.bare.Clone().Dir}
}

// remoteTags lists the remote's tags.
func (s *remoteSetup) remoteTags(t *testing.T) []string {
	t.Helper()
	out := s.bare.Git("tag", "--list")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// policyConfig is a configuration with the model churn and the given rules.
func policyConfig(rules map[string]config.PromoteRule) *config.Config {
	return &config.Config{File: "mlci.yaml", Models: []*config.Model{{Name: "churn",
		Path: "model.bin", Promote: config.Promote{Stages: []string{"staging", "production"},
			Rules: rules}}}}
}

// saveRun saves a run record of churn on commit.
func saveRun(t *testing.T, repo git.Repo, commit, run string, at time.Time, passed bool,
	md5 string) {
	t.Helper()
	gates := []record.GateResult{{Model: "churn", Metric: "accuracy", Rule: "≥ 0.8",
		Passed: passed, Severity: "error"}}
	require.NoError(t, record.Save(t.Context(), repo, &record.Record{
		Commit: commit, Time: at, RunURL: run,
		Models: map[string]record.ModelRecord{"churn": {
			Metrics:  map[string]float64{"accuracy": 0.87},
			Artifact: record.Artifact{Path: "model.bin", MD5: md5, Size: 1},
		}},
		Verdict: record.Verdict{Passed: passed, Gates: gates},
	}))
}

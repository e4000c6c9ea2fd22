package registry

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/golden"
)

// gtoShow is what `gto show` prints for a model, in its JSON form: the
// latest version and the version each stage holds.
type gtoShow struct {
	latest string
	stages map[string]string
}

func showOf(reg *Registry) map[string]gtoShow {
	out := map[string]gtoShow{}
	for _, m := range reg.Models {
		if !m.Deprecated {
			out[m.Name] = gtoShow{latest: m.Latest, stages: m.Stages}
		}
	}
	return out
}

// TestReadGTOShowcase replays the history of GTO's own showcase fixture
// (tests/conftest.py), each tag written as GTO writes it, and expects what
// GTO's tests expect of it: `gto show rf#production` is v1.2.3 (its last
// assignment came last), rf#staging is v1.2.4, nn#staging is v0.0.1.
func TestReadGTOShowcase(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.CommitFiles("Add artifacts", map[string]string{"models/rf.pkl": "1st version"})
	gtoTag(t, r.Dir, "rf@v1.2.3", first, "Registering artifact rf version v1.2.3", t0)
	gtoTag(t, r.Dir, "nn@v0.0.1", first, "Registering artifact nn version v0.0.1", t0)
	second := r.CommitFiles("Update model", map[string]string{"models/rf.pkl": "2nd version"})
	t1 := t0.Add(time.Second)
	gtoTag(t, r.Dir, "rf@v1.2.4", second, "Registering artifact rf version v1.2.4", t1)
	gtoTag(t, r.Dir, "nn#staging#1", first,
		"Assigning stage staging to artifact nn version v0.0.1", t1)
	gtoTag(t, r.Dir, "rf#production#1", first,
		"Assigning stage production to artifact rf version v1.2.3", t1)
	gtoTag(t, r.Dir, "rf#staging#2", second,
		"Assigning stage staging to artifact rf version v1.2.4", t1.Add(time.Second))
	gtoTag(t, r.Dir, "rf#production#3", second,
		"Assigning stage production to artifact rf version v1.2.4", t1.Add(2*time.Second))
	gtoTag(t, r.Dir, "rf#production#4", first,
		"Assigning stage production to artifact rf version v1.2.3", t1.Add(3*time.Second))

	reg, err := Read(t.Context(), git.Repo{Dir: r.Dir})
	require.NoError(t, err)
	assert.Empty(t, reg.Warnings)
	assert.Equal(t, map[string]gtoShow{
		"nn": {latest: "v0.0.1", stages: map[string]string{"staging": "v0.0.1"}},
		"rf": {latest: "v1.2.4", stages: map[string]string{"production": "v1.2.3",
			"staging": "v1.2.4"}},
	}, showOf(reg))

	rf := reg.Model("rf")
	assert.Equal(t, []string{"v1.2.4", "v1.2.3"}, names(rf.Versions))
	assert.Equal(t, first, rf.Version("v1.2.3").Commit)
	assert.Equal(t, 5, reg.NextCounter("rf"))
	assert.Equal(t, 2, reg.NextCounter("nn"))
	assert.Equal(t, "v1.2.4", rf.Previous("production").Version,
		"before #4, production held v1.2.4 (#3)")
	for _, e := range rf.History() {
		assert.NotEmpty(t, e.Version, e.Tag)
	}
}

// TestReadGTOSemantics covers what else GTO does with its tags: an
// unassignment lets the stage fall back to the version assigned before, a
// deregistered version holds no stage, a deprecated model is hidden, a
// model in a folder is written dir=name, and a commit assigned without a
// registration is a version named by its commit.
func TestReadGTOSemantics(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c1 := r.CommitFiles("one", map[string]string{"m": "1"})
	c2 := r.CommitFiles("two", map[string]string{"m": "2"})
	c3 := r.CommitFiles("three", map[string]string{"m": "3"})
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	gtoTag(t, r.Dir, "churn@v0.1.0", c1, "Registering artifact churn version v0.1.0", at(0))
	gtoTag(t, r.Dir, "churn@v0.2.0", c2, "Registering artifact churn version v0.2.0", at(1))
	gtoTag(t, r.Dir, "churn#prod#1", c1, "Assigning stage prod", at(2))
	gtoTag(t, r.Dir, "churn#prod#2", c2, "Assigning stage prod", at(3))
	gtoTag(t, r.Dir, "churn#prod!#3", c2, "Unassigning stage 'prod'", at(4))
	gtoTag(t, r.Dir, "churn#staging#4", c2, "Assigning stage staging", at(5))
	gtoTag(t, r.Dir, "churn@v0.3.0", c3, "Registering artifact churn version v0.3.0", at(6))
	gtoTag(t, r.Dir, "churn#dev#5", c3, "Assigning stage dev", at(7))
	gtoTag(t, r.Dir, "churn@v0.3.0!", c3, "Deregistering artifact churn version v0.3.0", at(8))
	gtoTag(t, r.Dir, "old@v1.0.0", c1, "Registering artifact old version v1.0.0", at(0))
	gtoTag(t, r.Dir, "old#prod#1", c1, "Assigning stage prod", at(1))
	gtoTag(t, r.Dir, "old@deprecated", c1, "Deprecating artifact 'old'", at(2))
	gtoTag(t, r.Dir, "models=nn#dev#1", c3, "Assigning stage dev to artifact models:nn", at(3))
	gtoTag(t, r.Dir, "models=nn@v1.0.0", c1, "Registering", at(4))
	gtoTag(t, r.Dir, "models=nn#prod#2", c1, "Assigning stage prod", at(5))

	reg, err := Read(t.Context(), git.Repo{Dir: r.Dir})
	require.NoError(t, err)
	assert.Equal(t, map[string]gtoShow{
		"churn": {latest: "v0.2.0", stages: map[string]string{"prod": "v0.1.0",
			"staging": "v0.2.0"}},
		"models:nn": {latest: "v1.0.0", stages: map[string]string{"dev": c3, "prod": "v1.0.0"}},
	}, showOf(reg))

	churn := reg.Model("churn")
	assert.False(t, churn.Version("v0.3.0").Active)
	assert.Equal(t, "v0.4.0", must(reg.NextVersion("churn", "")),
		"a deregistered number is not reused")
	assert.Nil(t, churn.Previous("prod"), "no other version entered prod before v0.1.0")
	old := reg.Model("old")
	require.NotNil(t, old)
	assert.True(t, old.Deprecated)
	nn := reg.Model("models:nn")
	assert.False(t, nn.Version(c3).Registered)
	assert.Equal(t, 3, reg.NextCounter("models:nn"))
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func names(vs []*Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Version
	}
	return out
}

func TestReadReportsTagsGTOWouldIgnore(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c := r.CommitFiles("one", map[string]string{"m": "1"})
	gtoTag(t, r.Dir, "churn@v1.0.0", c, "Registering artifact churn version v1.0.0", t0)
	lightTag(t, r.Dir, "churn#staging#9", c)
	for _, tag := range []string{"churn#Prod#5", "Churn@v1.0.0", "churn@1.0.0", "release-1.0",
		"@scope/pkg@1.2.3", "churn#prod#x"} {
		gtoTag(t, r.Dir, tag, c, "by hand", t0)
	}

	reg, err := Read(t.Context(), git.Repo{Dir: r.Dir})
	require.NoError(t, err)
	var tags []string
	for _, w := range reg.Warnings {
		tags = append(tags, w.Tag)
		assert.NotEmpty(t, w.Message)
	}
	assert.ElementsMatch(t, []string{"churn#staging#9", "churn#Prod#5", "Churn@v1.0.0",
		"churn@1.0.0", "churn#prod#x"}, tags)
	assert.Len(t, reg.Model("churn").Problems, 4, "Churn@v1.0.0 is another name")
	assert.Empty(t, reg.Model("churn").Stages, "the lightweight assignment is ignored")
	assert.Equal(t, 10, reg.NextCounter("churn"), "lightweight tags count, as in GTO")

	err = checkWritable(reg, "churn")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "churn#staging#9: a lightweight tag")
}

func TestWriteTextGolden(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	gitAt(t, r.Dir, t0, "commit", "--allow-empty", "--quiet", "-m", "one")
	c1 := r.Git("rev-parse", "HEAD")
	gitAt(t, r.Dir, t0, "commit", "--allow-empty", "--quiet", "-m", "two")
	c2 := r.Git("rev-parse", "HEAD")
	gtoTag(t, r.Dir, "churn@v0.1.0", c1, "Registering artifact churn version v0.1.0\n\n"+
		"verdict: passed (2 of 2 gates)", t0)
	gtoTag(t, r.Dir, "churn@v0.2.0", c2, "Registering artifact churn version v0.2.0\n\n"+
		"verdict: failed (1 of 2 gates)", t0.Add(time.Hour))
	gtoTag(t, r.Dir, "churn#production#1", c1, "Assigning", t0.Add(2*time.Hour))
	gtoTag(t, r.Dir, "churn#canary#2", c2, "Assigning", t0.Add(3*time.Hour))

	reg, err := Read(t.Context(), git.Repo{Dir: r.Dir})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, WriteText(&out, reg.Models, map[string][]string{
		"churn": {"staging", "production"}}))
	golden.Assert(t, "text.golden", out.Bytes())
}

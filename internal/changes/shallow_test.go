package changes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/platform"
)

// forked is an upstream repository where feature forked from main at fork,
// made featureCommits commits, and main made mainCommits more.
type forked struct {
	up                  *gittest.Repo
	fork, main, feature string
}

func newForked(t *testing.T, mainCommits, featureCommits int) forked {
	t.Helper()
	up := gittest.New(t)
	f := forked{up: up}
	f.fork = up.CommitFiles("fork", map[string]string{
		"params.yaml": "train:\n  lr: 0.1\n", "src/train.py": "v1\n", "README.md": "v1\n",
	})
	f.fork = up.EmptyCommits(100)
	up.Git("checkout", "--quiet", "-b", "feature")
	for i := range featureCommits {
		f.feature = up.CommitFiles("feature", map[string]string{
			"src/train.py": fmt.Sprintf("v%d\n", i+2), "params.yaml": "train:\n  lr: 0.05\n",
		})
	}
	up.Git("checkout", "--quiet", "main")
	for i := range mainCommits {
		f.main = up.CommitFiles("main", map[string]string{"README.md": fmt.Sprintf("v%d\n", i+2)})
	}
	return f
}

// lister is a platform API that lists fixed files and remembers the call.
type lister struct {
	files []platform.ChangedFile
	calls int
}

func (l *lister) ChangedFiles(context.Context, *platform.Event) ([]platform.ChangedFile, error) {
	l.calls++
	return l.files, nil
}

func TestDetectShallowDeepens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   func(f forked) changes.Options
		source string
	}{
		{"branch name from the command line", func(forked) changes.Options {
			return changes.Options{Base: "main"}
		}, "git after deepening 2x"},
		{"pull request event", func(f forked) changes.Options {
			return changes.Options{Event: &platform.Event{Kind: platform.PullRequest,
				Base: f.main, Head: f.feature, BaseRef: "main"}}
		}, "git after deepening 2x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newForked(t, 20, 5)
			clone := f.up.Clone("--depth", "1", "--branch", "feature")

			opts := tt.opts(f)
			opts.Repo, opts.Config = git.Repo{Dir: clone.Dir}, pipelineConfig()
			res, err := changes.Detect(t.Context(), opts)

			require.NoError(t, err)
			assert.Equal(t, tt.source, res.Source)
			assert.Equal(t, f.fork, res.Base)
			assert.Equal(t, f.feature, res.Head)
			assert.Equal(t, []string{"params.yaml", "src/train.py"}, paths(res.Files),
				"README.md changed on main only")
			require.Len(t, res.Params, 1)
			assert.Equal(t, "train.lr", res.Params[0].Key)
			commits := strings.Count(clone.Git("log", "--oneline", "--all"), "\n") + 1
			assert.Less(t, commits, 100, "history was fetched in full")
		})
	}
}

func TestDetectShallowFallsBackToAPI(t *testing.T) {
	t.Parallel()
	f := newForked(t, 40, 3)
	clone := f.up.Clone("--depth", "1", "--branch", "feature")
	ev := &platform.Event{Kind: platform.PullRequest, Base: f.main, Head: f.feature}
	api := &lister{files: []platform.ChangedFile{
		{Path: "src/train.py", Status: "modified"},
		{Path: "params.yaml", Status: "modified"},
	}}

	res, err := changes.Detect(t.Context(), changes.Options{Repo: git.Repo{Dir: clone.Dir},
		Config: pipelineConfig(), Event: ev, Lister: api, MaxDeepen: 1})

	require.NoError(t, err)
	assert.Equal(t, 1, api.calls)
	assert.Equal(t, "api", res.Source)
	assert.Equal(t, []string{"params.yaml", "src/train.py"}, paths(res.Files))
	assert.Equal(t, []string{"code", "params"}, res.Changed)
	assert.Equal(t, []string{"train", "evaluate"}, res.Stages)

	_, err = changes.Detect(t.Context(), changes.Options{Repo: git.Repo{Dir: clone.Dir},
		Config: pipelineConfig(), Event: ev, MaxDeepen: 1})
	require.ErrorIs(t, err, changes.ErrUnreachable)
	assert.Equal(t, exit.External, exit.Code(err))
	assert.Contains(t, err.Error(), "fetch-depth: 0")
}

func TestDetectBaseCannotBeFetched(t *testing.T) {
	t.Parallel()
	f := newForked(t, 1, 1)
	clone := f.up.Clone("--depth", "1", "--branch", "feature")
	gone := strings.Repeat("ab", 20)
	ev := &platform.Event{Kind: platform.PullRequest, Base: gone, Head: f.feature}

	opts := changes.Options{Repo: git.Repo{Dir: clone.Dir}, Event: ev}
	_, err := changes.Detect(t.Context(), opts)

	require.Error(t, err)
	assert.Equal(t, exit.External, exit.Code(err))
	assert.Contains(t, err.Error(), "base "+gone+" is not in the clone and cannot be fetched")
}

func TestDetectPushEvents(t *testing.T) {
	t.Parallel()
	f := newForked(t, 2, 2)
	up := f.up
	clone := up.Clone("--depth", "1", "--branch", "feature")
	before := up.Git("rev-parse", "feature~1")

	tests := []struct {
		name   string
		repo   *gittest.Repo
		ev     *platform.Event
		base   string
		files  []string
		source string
	}{
		{"before..after", up,
			&platform.Event{Kind: platform.Push, Base: before, Head: f.feature},
			before, []string{"src/train.py"}, "git"},
		{"before..after in a shallow clone", clone,
			&platform.Event{Kind: platform.Push, Base: before, Head: f.feature},
			before, []string{"src/train.py"}, "git"},
		{"new branch against the default branch", up,
			&platform.Event{Kind: platform.Push, Base: git.ZeroSHA, Head: f.feature,
				HeadRef: "feature", DefaultBranch: "main"},
			f.fork, []string{"params.yaml", "src/train.py"}, "git"},
		{"new default branch lists every file", up,
			&platform.Event{Kind: platform.Push, Base: git.ZeroSHA, Head: f.main,
				HeadRef: "main", DefaultBranch: "main"},
			"", []string{"README.md", "params.yaml", "src/train.py"}, "none (new branch)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := detect(t, tt.repo, changes.Options{Event: tt.ev})
			assert.Equal(t, tt.base, res.Base)
			assert.Equal(t, tt.files, paths(res.Files))
			assert.Equal(t, tt.source, res.Source)
			if tt.base == "" {
				for _, file := range res.Files {
					assert.Equal(t, changes.Added, file.Status)
				}
			}
		})
	}
}

func TestDetectAPIWithoutBase(t *testing.T) {
	t.Parallel()
	f := newForked(t, 1, 1)
	clone := f.up.Clone("--depth", "1", "--branch", "feature")
	ev := &platform.Event{Kind: platform.PullRequest, Base: strings.Repeat("cd", 20),
		Head: f.feature}
	api := &lister{files: []platform.ChangedFile{
		{Path: "params.yaml", Status: "modified"},
		{Path: "src/new.py", OldPath: "src/old.py", Status: "renamed"},
	}}

	res, err := changes.Detect(t.Context(), changes.Options{Repo: git.Repo{Dir: clone.Dir},
		Config: pipelineConfig(), Event: ev, Lister: api})

	require.NoError(t, err)
	assert.Equal(t, "api", res.Source)
	assert.Empty(t, res.Base)
	assert.Empty(t, res.Params, "no base side to compare keys with")
	assert.Equal(t, []string{"prepare", "featurize", "train", "evaluate"}, res.Stages,
		"every stage that reads params.yaml")
	assert.Equal(t, []string{"params file params.yaml changed"}, res.Reasons["prepare"])
	assert.Equal(t, "src/old.py", res.Files[1].OldPath)
}

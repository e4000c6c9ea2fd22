package git_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

// TestPushAtomicNeverReplacesATag checks what the registry's concurrency
// rests on: a tag that exists on the remote with another object is
// rejected without --force, and an atomic push then updates nothing.
func TestPushAtomicNeverReplacesATag(t *testing.T) {
	t.Parallel()
	seed := gittest.New(t)
	sha := seed.CommitFiles("one", map[string]string{"a": "1"})
	bare := seed.Clone("--bare")
	a, b := git.Repo{Dir: bare.Clone().Dir}, git.Repo{Dir: bare.Clone().Dir}
	ctx := t.Context()
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

	require.NoError(t, a.CreateTagAt(ctx, "m#prod#1", sha, "from a", at))
	require.NoError(t, a.PushAtomic(ctx, "origin", "refs/tags/m#prod#1"))
	require.NoError(t, a.PushAtomic(ctx, "origin", "refs/tags/m#prod#1"), "up to date")

	require.NoError(t, b.CreateTagAt(ctx, "m@v1.0.0", sha, "from b", at))
	require.NoError(t, b.CreateTagAt(ctx, "m#prod#1", sha, "from b", at))
	err := b.PushAtomic(ctx, "origin", "refs/tags/m@v1.0.0", "refs/tags/m#prod#1")
	require.ErrorIs(t, err, git.ErrRejected)
	assert.Contains(t, err.Error(), "refs/tags/m#prod#1 [rejected] (already exists)")
	assert.Equal(t, "m#prod#1", bare.Git("tag", "--list"), "the atomic push wrote nothing")

	require.NoError(t, b.DeleteTag(ctx, "m#prod#1"))
	require.NoError(t, b.FetchTags(ctx, "origin"))
	tags, err := b.Tags(ctx, "m#*")
	require.NoError(t, err)
	require.Len(t, tags, 1)
	assert.Equal(t, "from a\n", tags[0].Message)
	assert.Equal(t, at, tags[0].Date)

	err = b.PushAtomic(ctx, "/nonexistent/remote", "refs/tags/m@v1.0.0")
	require.Error(t, err)
	assert.NotErrorIs(t, err, git.ErrRejected)
}

func TestNotesListFetchAndMerge(t *testing.T) {
	t.Parallel()
	seed := gittest.New(t)
	c1 := seed.CommitFiles("one", map[string]string{"a": "1"})
	c2 := seed.CommitFiles("two", map[string]string{"a": "2"})
	bare := seed.Clone("--bare")
	a, b := git.Repo{Dir: bare.Clone().Dir}, git.Repo{Dir: bare.Clone().Dir}
	ctx := t.Context()

	notes, err := a.Notes(ctx)
	require.NoError(t, err)
	assert.Empty(t, notes)
	found, err := b.FetchRef(ctx, "origin", git.NotesRef, "refs/notes/mlci-remote")
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, a.WriteNote(ctx, c1, []byte("a1\n")))
	require.NoError(t, a.PushAtomic(ctx, "origin", git.NotesRef))
	require.NoError(t, b.WriteNote(ctx, c1, []byte("b1\n")))
	require.NoError(t, b.WriteNote(ctx, c2, []byte("b2\n")))
	require.ErrorIs(t, b.PushAtomic(ctx, "origin", git.NotesRef), git.ErrRejected)

	found, err = b.FetchRef(ctx, "origin", git.NotesRef, "refs/notes/mlci-remote")
	require.NoError(t, err)
	assert.True(t, found)
	require.NoError(t, b.MergeNotes(ctx, "refs/notes/mlci-remote"))
	note, err := b.ReadNote(ctx, c1)
	require.NoError(t, err)
	assert.Equal(t, "a1\nb1\n", string(note))
	notes, err = b.Notes(ctx)
	require.NoError(t, err)
	assert.Len(t, notes, 2)
	require.NoError(t, b.PushAtomic(ctx, "origin", git.NotesRef))
}

package digest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// TestDirLeavesOutWhatDvcignoreNames hashes a data folder of a repository
// whose .dvcignore files (one at the root, one in the folder) leave some of
// it out: the hash is the one of the folder without those files.
func TestDirLeavesOutWhatDvcignoreNames(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	kept := map[string]string{
		"data/raw/a.csv":           "a\n1\n",
		"data/raw/keep.tmp":        "kept by the folder's own !keep.tmp",
		"data/raw/sub/b.csv":       "b\n2\n",
		"data/raw/.dvcignore":      "!keep.tmp\n/scratch/\n",
		"data/raw/notes/readme.md": "not ignored: the pattern is anchored elsewhere",
	}
	dropped := map[string]string{
		"data/raw/x.tmp":                      "*.tmp at the root",
		"data/raw/sub/y.tmp":                  "*.tmp at any depth",
		"data/raw/.ipynb_checkpoints/a.ipynb": "a folder the root names",
		"data/raw/scratch/big.bin":            "/scratch/ of the folder's own file",
	}
	write(t, filepath.Join(repo, digest.IgnoreFile),
		"# editors and notebooks\n*.tmp\n.ipynb_checkpoints/\n/notes/\n")
	for name, content := range kept {
		write(t, filepath.Join(repo, filepath.FromSlash(name)), content)
	}
	for name, content := range dropped {
		write(t, filepath.Join(repo, filepath.FromSlash(name)), content)
	}

	h := &digest.Hasher{Ignore: digest.NewIgnore(repo)}
	got, entries, err := h.Dir(filepath.Join(repo, "data", "raw"), digest.MD5)
	require.NoError(t, err)
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.RelPath)
	}
	assert.Equal(t, []string{".dvcignore", "a.csv", "keep.tmp", "notes/readme.md", "sub/b.csv"},
		paths)

	for name := range dropped {
		require.NoError(t, os.Remove(filepath.Join(repo, filepath.FromSlash(name))))
	}
	want, err := digest.Dir(filepath.Join(repo, "data", "raw"))
	require.NoError(t, err)
	assert.Equal(t, want, got, "the hash of the folder without the ignored files")

	assert.True(t, h.Ignore.Ignored(filepath.Join(repo, "data", "raw", "x.tmp"), false))
	assert.False(t, h.Ignore.Ignored(filepath.Join(repo, "data", "raw", "a.csv"), false))
	assert.False(t, h.Ignore.Ignored(filepath.Join(t.TempDir(), "x.tmp"), false),
		"outside the repository nothing is ignored")
	var none *digest.Ignore
	assert.False(t, none.Ignored(filepath.Join(repo, "x.tmp"), false))
}

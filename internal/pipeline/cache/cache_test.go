package cache_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// savedModel returns a folder with a cache in which the file model.pkl,
// holding "weights", was saved, and that file's hash.
func savedModel(t *testing.T) (string, *cache.Cache, digest.Info) {
	t.Helper()
	dir := t.TempDir()
	c := cache.Open(filepath.Join(dir, "cache"))
	src := filepath.Join(dir, "model.pkl")
	write(t, src, "weights")
	info, err := digest.File(src)
	require.NoError(t, err)
	require.NoError(t, c.Save(src, info, nil))
	return dir, c, info
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir, c, info := savedModel(t)
	obj := c.ObjectPath(info.MD5)
	assert.Equal(t, filepath.Join(dir, "cache", "files", "md5", info.MD5[:2], info.MD5[2:]), obj)
	fi, err := os.Stat(obj)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o444), fi.Mode().Perm(), "objects are read-only")

	dst := filepath.Join(dir, "restored", "model.pkl")
	require.NoError(t, c.Restore(dst, info))
	assert.Equal(t, "weights", read(t, dst))

	// Editing the restored file leaves the cache as it was.
	require.NoError(t, os.WriteFile(dst, []byte("edited"), 0o644))
	assert.Equal(t, "weights", read(t, obj))
}

func TestDirRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := cache.Open(filepath.Join(dir, "cache"))
	src := filepath.Join(dir, "features")
	write(t, filepath.Join(src, "train.csv"), "a\n1\n")
	write(t, filepath.Join(src, "sub", "test.csv"), "a\n2\n")
	require.NoError(t, os.Chmod(filepath.Join(src, "train.csv"), 0o755))
	info, entries, err := (&digest.Hasher{}).Dir(src, digest.MD5)
	require.NoError(t, err)

	require.NoError(t, c.Save(src, info, entries))
	assert.True(t, c.Has(info.MD5))
	assert.Equal(t, string(digest.Manifest(entries)), read(t, c.ObjectPath(info.MD5)))

	require.NoError(t, os.RemoveAll(src))
	write(t, filepath.Join(src, "stale.csv"), "old")
	require.NoError(t, c.Restore(src, info))
	got, _, err := (&digest.Hasher{}).Dir(src, digest.MD5)
	require.NoError(t, err)
	assert.Equal(t, info, got)
	assert.NoFileExists(t, filepath.Join(src, "stale.csv"))
}

func TestCorruptObjectIsNeverRestored(t *testing.T) {
	t.Parallel()
	dir, c, info := savedModel(t)

	obj := c.ObjectPath(info.MD5)
	require.NoError(t, os.Chmod(obj, 0o644))
	require.NoError(t, os.WriteFile(obj, []byte("bit rot"), 0o644))

	dst := filepath.Join(dir, "out", "model.pkl")
	err := c.Restore(dst, info)
	require.ErrorIs(t, err, cache.ErrCorrupt)
	assert.NoFileExists(t, dst)
	assert.NoFileExists(t, obj, "the corrupt object is removed")
	assert.False(t, c.Has(info.MD5))

	err = c.Restore(dst, info)
	assert.ErrorIs(t, err, cache.ErrMissing)
}

func TestVerifiedObjectIsCheckedAgainOnceChanged(t *testing.T) {
	t.Parallel()
	dir, c, info := savedModel(t)
	c.Verified(info.MD5)

	dst := filepath.Join(dir, "out", "model.pkl")
	require.NoError(t, c.Restore(dst, info))
	assert.Equal(t, "weights", read(t, dst))

	// Replaced after it was verified: another file, so hashed again.
	obj := c.ObjectPath(info.MD5)
	require.NoError(t, os.Remove(obj))
	write(t, obj, "rotten weights")
	require.NoError(t, os.RemoveAll(filepath.Dir(dst)))
	require.ErrorIs(t, c.Restore(dst, info), cache.ErrCorrupt)
	assert.NoFileExists(t, dst)
	assert.NoFileExists(t, obj)
}

func TestSaveRejectsChangedContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := cache.Open(filepath.Join(dir, "cache"))
	src := filepath.Join(dir, "f")
	write(t, src, "one")
	info, err := digest.File(src)
	require.NoError(t, err)
	write(t, src, "two")

	require.ErrorIs(t, c.Save(src, info, nil), cache.ErrCorrupt)
	assert.False(t, c.Has(info.MD5))
}

func TestRunCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := cache.Open(filepath.Join(dir, "cache"))
	key := "ab" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"

	got, err := c.LookupRun(key)
	require.NoError(t, err)
	assert.Nil(t, got)

	src := filepath.Join(dir, "m")
	write(t, src, "m")
	info, err := digest.File(src)
	require.NoError(t, err)
	run := &cache.Run{Stage: "train", Seconds: 12.5, Created: time.Unix(1700000000, 0).UTC(),
		Outs: []cache.RunOut{{Path: "m", Info: info}}}
	require.NoError(t, c.SaveRun(key, run))

	got, err = c.LookupRun(key)
	require.NoError(t, err)
	assert.Nil(t, got, "an entry whose outputs are not cached is no use")

	require.NoError(t, c.Save(src, info, nil))
	got, err = c.LookupRun(key)
	require.NoError(t, err)
	assert.Equal(t, run, got)
}

package statcache_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/pipeline/statcache"
)

func TestGetPut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "data.csv")
	require.NoError(t, os.WriteFile(file, []byte("a,b\n"), 0o644))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(file, old, old))
	fi, err := os.Stat(file)
	require.NoError(t, err)

	db := filepath.Join(dir, "tmp", "stat.db")
	s, err := statcache.Open(db)
	require.NoError(t, err)
	// Hashed well after its last change (Chtimes set ctime to now).
	later := time.Now().Add(statcache.RacyWindow + time.Second)
	s.Put(file, fi, "md5", "abc", later)
	got, ok := s.Get(file, fi, "md5")
	assert.True(t, ok)
	assert.Equal(t, "abc", got)
	_, ok = s.Get(file, fi, "md5-dos2unix")
	assert.False(t, ok, "each algorithm has its own entries")
	require.NoError(t, s.Close())

	s, err = statcache.Open(db)
	require.NoError(t, err)
	defer s.Close()
	got, ok = s.Get(file, fi, "md5")
	assert.True(t, ok, "entries survive a reopen")
	assert.Equal(t, "abc", got)

	require.NoError(t, os.WriteFile(file, []byte("a,c\n"), 0o644))
	require.NoError(t, os.Chtimes(file, old, old))
	fi2, err := os.Stat(file)
	require.NoError(t, err)
	_, ok = s.Get(file, fi2, "md5")
	assert.False(t, ok, "a rewrite changes ctime even when size and mtime are kept")
}

func TestRacyEntriesAreNotTrusted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	fi, err := os.Stat(file)
	require.NoError(t, err)

	s, err := statcache.Open(filepath.Join(dir, "stat.db"))
	require.NoError(t, err)
	defer s.Close()
	// Hashed right after it was written: a second write in the same clock
	// tick could leave stat unchanged.
	s.Put(file, fi, "md5", "abc", time.Now())
	_, ok := s.Get(file, fi, "md5")
	assert.False(t, ok)
}

func TestOpenWhileHeldGivesUp(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stat.db")
	s, err := statcache.Open(db)
	require.NoError(t, err)
	defer s.Close()

	_, err = statcache.Open(db)
	assert.Error(t, err)
}

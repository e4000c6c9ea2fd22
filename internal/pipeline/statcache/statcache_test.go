package statcache_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/statcache"
)

func rec(name, sum string, ino uint64) digest.Record {
	return digest.Record{Name: name, MD5: sum, HashedAt: 5e18,
		Stat: digest.Stat{Ino: ino, Size: 10, ModTime: 1e18, ChangeTime: 2e18}}
}

func TestLookupSave(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "tmp", "stat.db")
	s, err := statcache.Open(db)
	require.NoError(t, err)

	a, c := rec("a", "sum-a", 1), rec("c", "sum-c", 3)
	s.Save("/d", "md5", []digest.Record{a, c})
	assert.Equal(t, []digest.Record{a, {}, c}, s.Lookup("/d", "md5", []string{"a", "b", "c"}),
		"before saving")
	require.NoError(t, s.Close())

	s, err = statcache.Open(db)
	require.NoError(t, err)
	defer s.Close()
	tests := []struct {
		name      string
		dir, algo string
		names     []string
		want      []digest.Record
	}{
		{"after a reopen", "/d", "md5", []string{"a", "b", "c"}, []digest.Record{a, {}, c}},
		{"among new files", "/d", "md5", []string{"0", "a", "ab", "b", "c", "z"},
			[]digest.Record{{}, a, {}, {}, c, {}}},
		{"one of them", "/d", "md5", []string{"c"}, []digest.Record{c}},
		{"none", "/d", "md5", nil, []digest.Record{}},
		{"each algorithm apart", "/d", "md5-dos2unix", []string{"a"}, []digest.Record{{}}},
		{"a directory is not its sibling", "/d-x", "md5", []string{"a"}, []digest.Record{{}}},
		{"nor its parent", "/", "md5", []string{"a"}, []digest.Record{{}}},
		{"nor its child", "/d/a", "md5", []string{"a"}, []digest.Record{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Lookup(tt.dir, tt.algo, tt.names))
		})
	}

	newer := rec("a", "sum-a2", 7)
	s.Save("/d", "md5", []digest.Record{newer})
	assert.Equal(t, []digest.Record{newer, c}, s.Lookup("/d", "md5", []string{"a", "c"}),
		"a record saved in this session wins")
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

func TestUnreadableStoreIsReplaced(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stat.db")
	require.NoError(t, os.WriteFile(db, []byte("not a bbolt file"), 0o644))

	s, err := statcache.Open(db)
	require.NoError(t, err)
	assert.Equal(t, []digest.Record{{}}, s.Lookup("/d", "md5", []string{"f"}))
	require.NoError(t, s.Close())
}

func TestEarlierLayoutIsDropped(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stat.db")
	old, err := bolt.Open(db, 0o644, nil)
	require.NoError(t, err)
	require.NoError(t, old.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("md5"))
		if err != nil {
			return err
		}
		return b.Put([]byte("/d/f"), []byte("a record of the earlier layout"))
	}))
	require.NoError(t, old.Close())

	s, err := statcache.Open(db)
	require.NoError(t, err)
	s.Save("/d", "md5", []digest.Record{rec("f", "sum", 1)})
	require.NoError(t, s.Close())

	old, err = bolt.Open(db, 0o644, nil)
	require.NoError(t, err)
	defer old.Close()
	require.NoError(t, old.View(func(tx *bolt.Tx) error {
		assert.Nil(t, tx.Bucket([]byte("md5")))
		return nil
	}))
}

package statcache_test

import (
	"bytes"
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
		{"not a sibling directory", "/d-x", "md5", []string{"a"}, []digest.Record{{}}},
		{"not the parent", "/", "md5", []string{"a"}, []digest.Record{{}}},
		{"not a child", "/d/a", "md5", []string{"a"}, []digest.Record{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Lookup(tt.dir, tt.algo, tt.names))
		})
	}

}

func TestSaveMerges(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stat.db")
	s, err := statcache.Open(db)
	require.NoError(t, err)
	b, d := rec("b", "sum-b", 2), rec("d", "sum-d", 4)
	s.Save("/d", "md5", []digest.Record{b, d})
	require.NoError(t, s.Close())

	s, err = statcache.Open(db)
	require.NoError(t, err)
	a, newerB, e := rec("a", "sum-a", 1), rec("b", "sum-b2", 7), rec("e", "sum-e", 5)
	s.Save("/d", "md5", []digest.Record{a, newerB})
	s.Save("/d", "md5", []digest.Record{e})
	want := []digest.Record{a, newerB, {}, d, e}
	names := []string{"a", "b", "c", "d", "e"}
	assert.Equal(t, want, s.Lookup("/d", "md5", names), "a record saved in this session wins")
	require.NoError(t, s.Close())

	s, err = statcache.Open(db)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, want, s.Lookup("/d", "md5", names), "after a reopen")
}

func TestMalformedValueIsIgnored(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stat.db")
	s, err := statcache.Open(db)
	require.NoError(t, err)
	s.Save("/d", "md5", []digest.Record{rec("a", "sum-a", 1), rec("b", "sum-b", 2)})
	require.NoError(t, s.Close())

	tests := []struct {
		name string
		cut  func([]byte) []byte
		want []digest.Record
	}{
		{"cut in the second record", func(v []byte) []byte { return v[:len(v)-3] },
			[]digest.Record{rec("a", "sum-a", 1), {}}},
		{"huge name length", func([]byte) []byte {
			return []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
		}, []digest.Record{{}, {}}},
		{"empty", func([]byte) []byte { return []byte{} }, []digest.Record{{}, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "stat.db")
			data, err := os.ReadFile(db)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, data, 0o644))
			setValue(t, path, tt.cut)

			s, err := statcache.Open(path)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tt.want, s.Lookup("/d", "md5", []string{"a", "b"}))
		})
	}
}

// setValue rewrites the value of the directory /d in the store at path.
func setValue(t *testing.T, path string, change func([]byte) []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("dirs/md5"))
		require.NotNil(t, b)
		return b.Put([]byte("/d"), change(bytes.Clone(b.Get([]byte("/d")))))
	}))
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

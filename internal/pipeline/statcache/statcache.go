// Package statcache remembers file hashes by what stat says about a file
// (inode, size, modification and change times) in an embedded bbolt store, so
// that a file that has not changed is not read again.
//
// It is only ever an optimisation: an entry is trusted only when every field
// matches and the file's times lie clearly before the moment it was hashed, so
// a write within the file system's timestamp granularity cannot hide behind an
// equal mtime. It does not hash files; package digest does.
package statcache

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RacyWindow is how long after a file's last change its hash is not trusted:
// a write within the timestamp granularity of the file system (2 s on FAT,
// a clock tick elsewhere) could leave stat unchanged.
const RacyWindow = 2 * time.Second

// Store is an open stat cache. It is safe for use by several goroutines.
type Store struct {
	db *bolt.DB

	mu      sync.Mutex
	pending map[string]map[string][]byte // algo → path → record
	loaded  map[string]map[string][]byte // algo → path → record, by Preload
	// whole are the directories (with a trailing separator) whose records
	// are all in loaded, by algo.
	whole map[string][]string
}

// Open opens (creating) the store at path. It waits at most a second for
// another process that holds it, then gives up with an error; callers go on
// without a stat cache.
// TODO: a run holds the store for its whole length, so a status beside it
// waits that second and then reads every file.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("opening stat cache: %w", err)
	}
	// Without fsync a crash can lose recent records, never make one wrong:
	// a record is only used when stat still matches every field it holds.
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second, NoSync: true,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("opening stat cache %s: %w", path, err)
	}
	return &Store{db: db, pending: map[string]map[string][]byte{},
		loaded: map[string]map[string][]byte{}, whole: map[string][]string{}}, nil
}

// Preload reads every record under the directory dir in one scan, so that
// looking up its files one by one costs no transaction each.
func (s *Store) Preload(dir, algo string) {
	prefix := []byte(filepath.Clean(dir) + string(filepath.Separator))
	recs := map[string][]byte{}
	_ = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(algo))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			recs[string(k)] = bytes.Clone(v)
		}
		return nil
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded[algo] == nil {
		s.loaded[algo] = map[string][]byte{}
	}
	maps.Copy(s.loaded[algo], recs)
	s.whole[algo] = append(s.whole[algo], string(prefix))
}

// preloaded reports whether every record of path is in s.loaded.
func (s *Store) preloaded(path, algo string) bool {
	for _, prefix := range s.whole[algo] {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// record is the stored form: inode, size, mtime, ctime, hashed-at (each 8
// bytes), then the hex hash.
type record struct {
	ino, size, mtime, ctime, hashedAt int64
	sum                               string
}

func (r record) bytes() []byte {
	b := make([]byte, 40, 40+len(r.sum))
	for i, v := range []int64{r.ino, r.size, r.mtime, r.ctime, r.hashedAt} {
		binary.LittleEndian.PutUint64(b[i*8:], uint64(v))
	}
	return append(b, r.sum...)
}

func parse(b []byte) (record, bool) {
	if len(b) <= 40 {
		return record{}, false
	}
	var v [5]int64
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(b[i*8:]))
	}
	return record{v[0], v[1], v[2], v[3], v[4], string(b[40:])}, true
}

func fromStat(fi fs.FileInfo) record {
	ino, ctime := inodeCtime(fi)
	return record{ino: ino, size: fi.Size(), mtime: fi.ModTime().UnixNano(), ctime: ctime}
}

// Get returns the recorded hash of path when fi shows it unchanged.
func (s *Store) Get(path string, fi fs.FileInfo, algo string) (string, bool) {
	s.mu.Lock()
	raw, ok := s.pending[algo][path]
	if !ok {
		raw, ok = s.loaded[algo][path]
		ok = ok || s.preloaded(path, algo)
	}
	s.mu.Unlock()
	if !ok {
		_ = s.db.View(func(tx *bolt.Tx) error {
			if b := tx.Bucket([]byte(algo)); b != nil {
				raw = append(raw, b.Get([]byte(path))...)
			}
			return nil
		})
	}

	got, ok := parse(raw)
	now := fromStat(fi)
	if !ok || got.ino != now.ino || got.size != now.size || got.mtime != now.mtime ||
		got.ctime != now.ctime || racy(got) {
		return "", false
	}
	return got.sum, true
}

// racy reports whether the file changed too shortly before it was hashed for
// its stat to prove it unchanged since.
func racy(r record) bool {
	changed := max(r.mtime, r.ctime)
	return r.hashedAt-changed < int64(RacyWindow)
}

// Put records the hash of path, read after fi was taken at hashedAt. Racy
// entries are not kept. Records are written when the store is closed.
func (s *Store) Put(path string, fi fs.FileInfo, algo, sum string, hashedAt time.Time) {
	r := fromStat(fi)
	r.hashedAt, r.sum = hashedAt.UnixNano(), sum
	if racy(r) {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[algo] == nil {
		s.pending[algo] = map[string][]byte{}
	}
	s.pending[algo][path] = r.bytes()
}

// Close writes the pending records in one transaction and closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()

	err := s.db.Update(func(tx *bolt.Tx) error {
		for algo, recs := range pending {
			b, err := tx.CreateBucketIfNotExists([]byte(algo))
			if err != nil {
				return err
			}
			// Sorted keys fill bbolt's pages in order, much faster than random.
			b.FillPercent = 0.9
			for _, path := range slices.Sorted(maps.Keys(recs)) {
				if err := b.Put([]byte(path), recs[path]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("saving stat cache: %w", err)
	}
	return nil
}

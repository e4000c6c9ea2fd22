// Package statcache stores what digest.StatCache holds: for each file hashed,
// its hash and what stat said of it (inode, size, modification and change
// times) when it was read, in an embedded bbolt store, so that a file that
// has not changed is not read again.
//
// It decides nothing: digest.Record.Proves says when a record stands for a
// file. It is only ever an optimisation, so it trades durability for speed:
// a lost or unreadable store costs a rehash, never a wrong hash.
package statcache

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// Records live in one bucket per algorithm, one key per directory, whose
// value holds its files' records (see value.go): a directory is read with one
// lookup and written with one put. Buckets of other names (earlier layouts)
// are dropped on the next write.
const bucketPrefix = "dirs/"

func bucket(algo string) []byte { return []byte(bucketPrefix + algo) }

// Store is an open stat cache. It is safe for use by several goroutines.
type Store struct {
	db *bolt.DB

	mu sync.Mutex
	// pending are the records not yet written, by algorithm and directory,
	// then by name.
	pending map[dirKey]map[string]digest.Record
}

type dirKey struct{ algo, dir string }

var _ digest.StatCache = (*Store)(nil)

// Open opens (creating) the store at path. It waits at most a second for
// another process that holds it, then gives up with an error; callers go on
// without a stat cache. A store that cannot be read is replaced by an empty
// one.
// TODO: a run holds the store for its whole length, so a status beside it
// waits that second and then reads every file.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("opening stat cache: %w", err)
	}
	db, err := open(path)
	if err != nil && !errors.Is(err, bolterrors.ErrTimeout) {
		if rmErr := os.Remove(path); rmErr == nil {
			db, err = open(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening stat cache %s: %w", path, err)
	}
	return &Store{db: db, pending: map[dirKey]map[string]digest.Record{}}, nil
}

// mmapSize is the address space the store maps from the start, so that a
// first pass over a large tree does not remap it (and copy everything
// written so far) each time it doubles; it is not memory used.
const mmapSize = 1 << 30

func open(path string) (*bolt.DB, error) {
	opts := &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType,
		// Nothing is ever synced to disk: a crash can lose recent records
		// or the whole store, never make a record wrong, since a record is
		// only used when stat still matches every field it holds.
		NoSync: true, NoGrowSync: true, NoFreelistSync: true}
	if runtime.GOOS != "windows" && strconv.IntSize == 64 {
		// On Windows the file would grow to the mapped size.
		opts.InitialMmapSize = mmapSize
	}
	return bolt.Open(path, 0o644, opts)
}

// Lookup returns the records with algo of the named files of dir (sorted),
// those saved in this session first.
func (s *Store) Lookup(dir, algo string, names []string) []digest.Record {
	recs := make([]digest.Record, len(names))
	_ = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket(algo)); b != nil && len(names) > 0 {
			lookup(b.Get([]byte(dir)), names, recs)
		}
		return nil
	})

	s.mu.Lock()
	defer s.mu.Unlock()
	if pending := s.pending[dirKey{algo, dir}]; pending != nil {
		for i, name := range names {
			if r, ok := pending[name]; ok {
				recs[i] = r
			}
		}
	}
	return recs
}

// Save remembers records of files of dir. They are written when the store
// is closed.
// TODO: records are never removed: those of deleted files stay, and each
// costs its directory's lookup a few bytes to skip.
func (s *Store) Save(dir, algo string, recs []digest.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := dirKey{algo, dir}
	pending := s.pending[key]
	if pending == nil {
		pending = make(map[string]digest.Record, len(recs))
		s.pending[key] = pending
	}
	for _, r := range recs {
		// A hash's length is stored in a byte.
		if r.MD5 != "" && len(r.MD5) <= 255 {
			pending[r.Name] = r
		}
	}
}

// Close writes the pending records in one transaction and closes the store.
func (s *Store) Close() error {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()

	var err error
	if len(pending) > 0 {
		err = s.db.Update(func(tx *bolt.Tx) error { return write(tx, pending) })
	}
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("saving stat cache: %w", err)
	}
	return nil
}

func write(tx *bolt.Tx, pending map[dirKey]map[string]digest.Record) error {
	if err := dropOldBuckets(tx); err != nil {
		return err
	}

	// In the order of the keys, bbolt fills its pages in order, much
	// faster than at random.
	keys := slices.SortedFunc(maps.Keys(pending), func(a, b dirKey) int {
		return cmp.Or(cmp.Compare(a.algo, b.algo), cmp.Compare(a.dir, b.dir))
	})
	for _, dk := range keys {
		b, err := tx.CreateBucketIfNotExists(bucket(dk.algo))
		if err != nil {
			return err
		}
		b.FillPercent = 0.9
		key := []byte(dk.dir)
		value := merge(b.Get(key), pending[dk])
		if err := b.Put(key, value); err != nil {
			return err
		}
	}
	return nil
}

func dropOldBuckets(tx *bolt.Tx) error {
	var old [][]byte
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if !bytes.HasPrefix(name, []byte(bucketPrefix)) {
			old = append(old, bytes.Clone(name))
		}
		return nil
	})
	for _, name := range old {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	return nil
}

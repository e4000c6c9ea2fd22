// Package digest computes content hashes exactly as DVC does, so that mlci and
// DVC agree on what changed: the md5 of a file's bytes, the legacy md5 DVC 2
// wrote for text files (CRLF read as LF), and a directory's ".dir" md5 over its
// manifest, the sorted JSON list of its files.
//
// Files are read in a streaming way (memory stays flat in file size) and a
// directory is walked and hashed by a pool of workers. A StatCache, when
// given, answers for files that have not changed since they were last hashed.
//
// It stores nothing itself: the content-addressed cache is package cache, and
// the stat cache is package statcache.
package digest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// The hash algorithms of DVC's lock file.
const (
	// MD5 is the md5 of the file's bytes (DVC 3, `hash: md5`).
	MD5 = "md5"
	// LegacyMD5 is DVC 2's md5, with CRLF read as LF in text files
	// (lock entries without a `hash:` line).
	LegacyMD5 = "md5-dos2unix"
)

// DirSuffix ends the hash of a directory.
const DirSuffix = ".dir"

// Info describes the hashed content of a file or a directory.
type Info struct {
	// MD5 is the hex md5; a directory's ends in ".dir".
	MD5 string `json:"md5"`
	// Size is the size in bytes; a directory's is the sum of its files'.
	Size int64 `json:"size"`
	// NFiles is the number of files of a directory, 0 for a file.
	NFiles int `json:"nfiles,omitempty"`
	// IsExec is true for a file with an execute bit set.
	IsExec bool `json:"isexec,omitempty"`
}

// IsDir reports whether i describes a directory.
func (i Info) IsDir() bool { return strings.HasSuffix(i.MD5, DirSuffix) }

// Entry is one file of a directory's manifest.
type Entry struct {
	// RelPath is the file's path inside the directory, slash-separated.
	RelPath string
	MD5     string
	Size    int64
	IsExec  bool
}

// Stat is what stat says about a file that a stat cache compares: a file
// whose Stat is unchanged is taken to have unchanged content.
type Stat struct {
	Ino  uint64
	Size int64
	// ModTime and ChangeTime are in nanoseconds since the Unix epoch;
	// ChangeTime (and Ino) are 0 where the system does not give them.
	ModTime, ChangeTime int64
}

// RacyWindow is how long after a file's last change its hash is not trusted:
// a write within the timestamp granularity of the file system (2 s on FAT,
// a clock tick elsewhere) could leave stat unchanged.
const RacyWindow = 2 * time.Second

// Record is what a stat cache holds about one file of a directory.
type Record struct {
	// Name is the file's name in its directory.
	Name string
	// Stat is the file's, taken before it was read.
	Stat Stat
	// HashedAt is a time before the file was read, in nanoseconds since the
	// Unix epoch.
	HashedAt int64
	// MD5 is the hex hash; "" in a record of a file that is not known.
	MD5 string
}

// Proves reports whether r gives the hash of a file whose stat is now st:
// nothing changed, and the file's last change lies clearly before its
// reading began, so that a write within the timestamp granularity cannot
// hide behind an equal mtime.
func (r Record) Proves(st Stat) bool {
	return r.MD5 != "" && r.Stat == st && !r.racy()
}

func (r Record) racy() bool {
	return r.HashedAt-max(r.Stat.ModTime, r.Stat.ChangeTime) < int64(RacyWindow)
}

// StatCache remembers the hashes of files, each with the Stat it had when it
// was read. Directories are absolute paths; names are sorted. It only
// stores: Record.Proves decides whether a record stands for a file.
type StatCache interface {
	// Lookup returns the records with algo of the named files of dir, in
	// the order of names, a zero Record where it knows none.
	Lookup(dir, algo string, names []string) []Record
	// Save remembers records of files of dir, sorted by name. It keeps no
	// reference to recs.
	Save(dir, algo string, recs []Record)
}

// Hasher hashes files and directories. Its zero value works: no stat cache,
// two workers per CPU.
type Hasher struct {
	// Cache is consulted before reading a file; nil reads every file.
	Cache StatCache
	// Workers is the number of goroutines hashing a directory's files;
	// 0 means two per CPU, so that one can wait on the disk while the
	// other computes.
	Workers int
	// Ignore leaves out of a directory what the repository's .dvcignore
	// files name, as DVC does; nil leaves out nothing.
	Ignore *Ignore
}

// File returns the Info of the regular file at path (symbolic links followed).
func File(path string) (Info, error) { return (&Hasher{}).File(path, MD5) }

// Dir returns the Info of the directory at path.
func Dir(path string) (Info, error) {
	info, _, err := (&Hasher{}).Dir(path, MD5)
	return info, err
}

// Path hashes the file or directory at path. Entries are nil for a file.
func (h *Hasher) Path(path, algo string) (Info, []Entry, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Info{}, nil, err
	}
	if fi.IsDir() {
		return h.Dir(path, algo)
	}
	info, err := h.file(path, fi, algo)
	return info, nil, err
}

// File hashes the file at path with algo (MD5 or LegacyMD5).
func (h *Hasher) File(path, algo string) (Info, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Info{}, err
	}
	if fi.IsDir() {
		return Info{}, fmt.Errorf("hashing %s: is a directory", path)
	}
	return h.file(path, fi, algo)
}

func (h *Hasher) file(path string, fi fs.FileInfo, algo string) (Info, error) {
	info := Info{Size: fi.Size(), IsExec: fi.Mode().Perm()&0o111 != 0}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Info{}, err
	}
	dir, name, st := filepath.Dir(abs), filepath.Base(abs), statOf(fi)
	if h.Cache != nil {
		if rec := h.Cache.Lookup(dir, algo, []string{name})[0]; rec.Proves(st) {
			info.MD5 = rec.MD5
			return info, nil
		}
	}

	start := time.Now()
	f, err := os.Open(abs)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	wk := workers.Get().(*worker)
	defer workers.Put(wk)
	if info.MD5, err = wk.sum(f, fi.Size(), algo); err != nil {
		return Info{}, fmt.Errorf("hashing %s: %w", path, err)
	}

	rec := Record{Name: name, Stat: st, HashedAt: start.UnixNano(), MD5: info.MD5}
	if h.Cache != nil && !rec.racy() {
		h.Cache.Save(dir, algo, []Record{rec})
	}
	return info, nil
}

func (h *Hasher) workers() int {
	if h.Workers > 0 {
		return h.Workers
	}
	return 2 * runtime.GOMAXPROCS(0)
}

// chunkSize is the size DVC reads files in; the legacy hash depends on it.
const chunkSize = 1 << 20

// worker holds what one goroutine reuses from file to file.
type worker struct {
	buf []byte
	md5 hash.Hash
}

// sum returns the hex hash with algo of everything r yields; size is what
// stat said of r's length.
func (w *worker) sum(r io.Reader, size int64, algo string) (string, error) {
	if w.buf == nil {
		w.buf, w.md5 = make([]byte, chunkSize), md5.New()
	}
	w.md5.Reset()

	var err error
	switch algo {
	case MD5:
		err = w.copy(r, size)
	case LegacyMD5:
		err = copyDos2Unix(w.md5, r, w.buf)
	default:
		err = fmt.Errorf("unknown hash algorithm %q", algo)
	}
	if err != nil {
		return "", err
	}

	var raw [md5.Size]byte
	var hexSum [2 * md5.Size]byte
	hex.Encode(hexSum[:], w.md5.Sum(raw[:0]))
	return string(hexSum[:]), nil
}

// copy feeds r to the md5 until the end of r. A read that returns a whole
// file shorter than the buffer ends it too: a regular file gives fewer
// bytes than asked only at its end, and this saves a read per small file.
func (w *worker) copy(r io.Reader, size int64) error {
	for first := true; ; first = false {
		n, err := r.Read(w.buf)
		w.md5.Write(w.buf[:n])
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		case first && n > 0 && int64(n) == size && n < len(w.buf):
			return nil
		}
	}
}

// workers are reused from file to file and from directory to directory, so
// that hashing many of them allocates little.
var workers = sync.Pool{New: func() any { return new(worker) }}

// Reader returns the hex hash of everything r yields, with algo.
func Reader(r io.Reader, algo string) (string, error) {
	w := workers.Get().(*worker)
	defer workers.Put(w)
	return w.sum(r, -1, algo)
}

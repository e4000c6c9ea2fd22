// Package cache is mlci's content-addressed store of stage outputs, laid out
// as DVC 3 lays out its cache (files/md5/ab/cdef…, directories as ".dir"
// manifests), and its run cache, which maps a stage's inputs to the outputs a
// previous run produced from them.
//
// Objects are written atomically and read-only, and verified against their
// name whenever they are restored (a corrupt object is deleted, never
// restored), except a file this process verified as it wrote it (Verified).
// They are restored by reflink where the file system can, else by copy;
// never by hard link, so that editing a restored file cannot change the
// cache.
//
// It does not decide when to save or restore; package pipeline does.
package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// ErrCorrupt is returned when a cached object does not match its hash. The
// object has been removed.
var ErrCorrupt = errors.New("cached object is corrupt")

// ErrMissing is returned when an object is not in the cache.
var ErrMissing = errors.New("not in the cache")

// Cache is a cache directory.
type Cache struct {
	dir string
	// Workers is the number of files saved or restored at once; 0 means 4.
	Workers int

	// verified maps the hash of each object Verified recorded to what stat
	// said of its file then (an os.FileInfo).
	verified sync.Map
}

// Open returns the cache in dir; it is created when first written.
//
// TODO: DVC's own cache (.dvc/cache) is read for baselines but not written,
// so a project run by both tools keeps two copies of each output.
func Open(dir string) *Cache { return &Cache{dir: dir} }

// Dir returns the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// ObjectPath returns where the object with hash md5 lives.
func (c *Cache) ObjectPath(md5 string) string {
	if len(md5) < 3 {
		return filepath.Join(c.dir, "files", "md5", "invalid", md5)
	}
	return filepath.Join(c.dir, "files", "md5", md5[:2], md5[2:])
}

// Verified records that the object with hash md5 was checked against its
// hash as this process wrote it into the cache, as package remote does
// while downloading it. Restoring that very file later in this process
// copies it without reading it a second time; a file replaced or changed
// since (another inode, size or modification time) is hashed as usual.
func (c *Cache) Verified(md5 string) {
	if fi, err := os.Stat(c.ObjectPath(md5)); err == nil {
		c.verified.Store(md5, fi)
	}
}

// known reports whether f is the object with hash md5 as Verified found it.
func (c *Cache) known(md5 string, f *os.File) bool {
	v, ok := c.verified.Load(md5)
	if !ok {
		return false
	}
	then := v.(os.FileInfo)
	now, err := f.Stat()
	return err == nil && os.SameFile(then, now) && now.Size() == then.Size() &&
		now.ModTime().Equal(then.ModTime())
}

// Has reports whether the object with hash md5 is in the cache (a
// directory's manifest and all its files, for a ".dir" hash).
func (c *Cache) Has(md5 string) bool {
	if !strings.HasSuffix(md5, digest.DirSuffix) {
		return exists(c.ObjectPath(md5))
	}
	entries, err := c.manifest(md5)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !exists(c.ObjectPath(e.MD5)) {
			return false
		}
	}
	return true
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Save stores the file or directory at path, whose hash is info (and whose
// files are entries, for a directory). It fails when the content no longer
// matches info.
func (c *Cache) Save(path string, info digest.Info, entries []digest.Entry) error {
	if !info.IsDir() {
		return c.saveFile(path, info.MD5)
	}

	err := c.each(entries, func(e digest.Entry) error {
		return c.saveFile(filepath.Join(path, filepath.FromSlash(e.RelPath)), e.MD5)
	})
	if err != nil {
		return err
	}
	return c.saveBytes(digest.Manifest(entries), info.MD5)
}

// Restore writes the object info names to dst, replacing what is there. The
// object is checked against its hash as it is written.
func (c *Cache) Restore(dst string, info digest.Info) error {
	if !info.IsDir() {
		return c.restoreFile(c.ObjectPath(info.MD5), dst, info.MD5, info.IsExec)
	}

	entries, err := c.manifest(info.MD5)
	if err != nil {
		return err
	}
	return c.restoreDir(dst, entries)
}

// restoreDir builds the directory beside dst, then swaps it in.
func (c *Cache) restoreDir(dst string, entries []digest.Entry) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	defer os.RemoveAll(tmp)

	err = c.each(entries, func(e digest.Entry) error {
		return c.restoreFile(c.ObjectPath(e.MD5),
			filepath.Join(tmp, filepath.FromSlash(e.RelPath)), e.MD5, e.IsExec)
	})
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	return nil
}

// manifest reads and checks the manifest of a directory object.
func (c *Cache) manifest(md5 string) ([]digest.Entry, error) {
	path := c.ObjectPath(md5)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("directory %s: %w", md5, ErrMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}

	sum, _ := digest.Reader(strings.NewReader(string(data)), digest.MD5)
	if sum+digest.DirSuffix != md5 {
		os.Remove(path)
		return nil, fmt.Errorf("directory %s: %w", md5, ErrCorrupt)
	}
	return digest.ParseManifest(data)
}

// each calls fn for every entry with c.Workers goroutines.
func (c *Cache) each(entries []digest.Entry, fn func(digest.Entry) error) error {
	workers := c.Workers
	if workers <= 0 {
		workers = 4
	}
	next := make(chan digest.Entry)
	errs := make(chan error, len(entries))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for e := range next {
				errs <- fn(e)
			}
		})
	}
	for _, e := range entries {
		next <- e
	}
	close(next)
	wg.Wait()
	close(errs)

	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

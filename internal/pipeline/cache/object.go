package cache

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
)

// saveFile copies the file at src into the cache as sum, unless it is there.
func (c *Cache) saveFile(src, sum string) error {
	obj := c.ObjectPath(sum)
	if exists(obj) {
		return nil
	}

	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("caching %s: %w", src, err)
	}
	defer in.Close()

	if err := writeVerified(obj, in, sum, 0o444, false); err != nil {
		return fmt.Errorf("caching %s: %w", src, err)
	}
	return nil
}

// saveBytes stores data (a directory manifest, whose hash is sum).
func (c *Cache) saveBytes(data []byte, sum string) error {
	obj := c.ObjectPath(sum)
	if exists(obj) {
		return nil
	}
	if err := atomicfile.Write(obj, data, 0o444); err != nil {
		return fmt.Errorf("caching manifest: %w", err)
	}
	return nil
}

// restoreFile writes the object at obj to dst, checking it is sum. A corrupt
// object is removed.
func (c *Cache) restoreFile(obj, dst, sum string, exec bool) error {
	in, err := os.Open(obj)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restoring %s: object %s: %w", dst, sum, ErrMissing)
	}
	if err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	defer in.Close()

	perm := os.FileMode(0o644)
	if exec {
		perm = 0o755
	}
	err = writeVerified(dst, in, sum, perm, c.known(sum, in))
	if errors.Is(err, ErrCorrupt) {
		os.Remove(obj)
	}
	if err != nil {
		return fmt.Errorf("restoring %s: %w", dst, err)
	}
	return nil
}

// writeVerified writes in to dst through a temporary file, by reflink where
// possible, and renames it into place only when its md5 is sum; known says
// that in was verified already, so it is copied without being hashed.
func writeVerified(dst string, in *os.File, sum string, perm os.FileMode, known bool) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	if known {
		if err := cloneOrCopy(tmp, in, nil); err != nil {
			return err
		}
	} else if err := copyVerified(tmp, in, sum); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// copyVerified fills dst with src's content and fails unless its md5 is sum.
func copyVerified(dst, src *os.File, sum string) error {
	h := md5.New()
	if err := cloneOrCopy(dst, src, h); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("content is %s, not %s: %w", got, sum, ErrCorrupt)
	}
	return nil
}

// cloneOrCopy fills dst with src's content and feeds that content to h
// unless h is nil. A reflink shares the blocks copy-on-write, so a later
// edit of either file leaves the other as it was; the clone is then read
// back to be hashed. Without h, a copy between files stays in the kernel.
func cloneOrCopy(dst, src *os.File, h hash.Hash) error {
	if unix.IoctlFileClone(int(dst.Fd()), int(src.Fd())) == nil {
		if h == nil {
			return nil
		}
		_, err := io.Copy(h, dst)
		return err
	}
	if h == nil {
		_, err := io.Copy(dst, src)
		return err
	}
	_, err := io.Copy(io.MultiWriter(dst, h), src)
	return err
}

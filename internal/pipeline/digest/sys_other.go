//go:build !linux

package digest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// dir is a directory, whose files are reached by their whole paths.
type dir struct{ path string }

// openDir lists the directory at path when list is true.
func openDir(path string, list bool) (dir, []fs.DirEntry, error) {
	if !list {
		return dir{path: path}, nil, nil
	}
	ents, err := os.ReadDir(path)
	return dir{path: path}, ents, err
}

func (dir) close() {}

// fileStat is a file's Stat, with what else the walk needs of it.
type fileStat struct {
	Stat
	regular, exec bool
}

// stat stats the file name of d, following a symbolic link.
func (d dir) stat(name string) (fileStat, error) {
	fi, err := os.Stat(filepath.Join(d.path, name))
	if err != nil {
		return fileStat{}, err
	}
	return fromInfo(fi), nil
}

func fromInfo(fi fs.FileInfo) fileStat {
	return fileStat{Stat: statOf(fi), regular: fi.Mode().IsRegular(),
		exec: fi.Mode().Perm()&0o111 != 0}
}

// file is an open file.
type file struct{ *os.File }

// open opens the file name of d for reading, following a symbolic link.
func (d dir) open(name string) (file, error) {
	f, err := os.Open(filepath.Join(d.path, name))
	return file{f}, err
}

func (f file) close() { f.Close() }

func (f file) stat() (fileStat, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	return fromInfo(fi), nil
}

// hash returns the hash with algo of the file's content; size is what stat
// said of its length.
func (f file) hash(wk *worker, size int64, algo string) (string, error) {
	sum, err := wk.sum(f, size, algo)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", f.Name(), err)
	}
	return sum, nil
}

// statOf returns the Stat of fi, from os.Stat or os.Lstat.
// TODO: inode and change time are only read on Linux; elsewhere size and
// modification time alone guard a stat cache entry, which misses a same-size
// rewrite that restores the modification time.
func statOf(fi fs.FileInfo) Stat {
	return Stat{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
}

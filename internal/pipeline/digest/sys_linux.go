package digest

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// dir is an open directory. Its files are statted and opened relative to it,
// which spares the kernel walking the directory's whole path for each one.
type dir struct {
	path string
	f    *os.File
	fd   int
}

// openDir opens the directory at path, and lists it when list is true.
func openDir(path string, list bool) (dir, []fs.DirEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return dir{}, nil, err
	}
	var ents []fs.DirEntry
	if list {
		if ents, err = f.ReadDir(-1); err != nil {
			f.Close()
			return dir{}, nil, err
		}
	}
	return dir{path: path, f: f, fd: int(f.Fd())}, ents, nil
}

func (d dir) close() { d.f.Close() }

// fileStat is a file's Stat, with what else the walk needs of it.
type fileStat struct {
	Stat
	regular, exec bool
}

// stat stats the file name of d, following a symbolic link.
func (d dir) stat(name string) (fileStat, error) {
	var st unix.Stat_t
	err := retry(func() error { return unix.Fstatat(d.fd, name, &st, 0) })
	if err != nil {
		path := filepath.Join(d.path, name)
		return fileStat{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return fromSys(&st), nil
}

func fromSys(st *unix.Stat_t) fileStat {
	return fileStat{
		Stat: Stat{Ino: st.Ino, Size: st.Size, ModTime: st.Mtim.Nano(),
			ChangeTime: st.Ctim.Nano()},
		regular: st.Mode&unix.S_IFMT == unix.S_IFREG,
		exec:    st.Mode&0o111 != 0,
	}
}

// file is an open file.
type file struct {
	path string
	fd   int
}

// open opens the file name of d for reading, following a symbolic link. It
// does without the bookkeeping of an os.File, a few system calls per file.
func (d dir) open(name string) (file, error) {
	f := file{path: filepath.Join(d.path, name)}
	err := retry(func() error {
		var err error
		// O_NONBLOCK: a file replaced by a FIFO since it was listed fails
		// to read instead of waiting for a writer.
		f.fd, err = unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|
			unix.O_NONBLOCK, 0)
		return err
	})
	if err != nil {
		return file{}, &fs.PathError{Op: "open", Path: f.path, Err: err}
	}
	return f, nil
}

func (f file) close() { unix.Close(f.fd) }

func (f file) stat() (fileStat, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Fstat(f.fd, &st) }); err != nil {
		return fileStat{}, &fs.PathError{Op: "stat", Path: f.path, Err: err}
	}
	return fromSys(&st), nil
}

// hash returns the hash with algo of the file's content; size is what stat
// said of its length.
func (f file) hash(wk *worker, size int64, algo string) (string, error) {
	sum, err := wk.sum(fdReader(f.fd), size, algo)
	if err != nil {
		return "", &fs.PathError{Op: "read", Path: f.path, Err: err}
	}
	return sum, nil
}

// fdReader reads a file descriptor.
type fdReader int

func (r fdReader) Read(p []byte) (int, error) {
	var n int
	err := retry(func() error {
		var err error
		n, err = unix.Read(int(r), p)
		return err
	})
	switch {
	case err != nil:
		return 0, err
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// retry calls f again while a signal interrupts it.
func retry(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// statOf returns the Stat of fi, from os.Stat or os.Lstat.
func statOf(fi fs.FileInfo) Stat {
	st := Stat{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Ino, st.ChangeTime = sys.Ino, sys.Ctim.Nano()
	}
	return st
}

package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Statuses of a changed path, as `git diff --raw` letters them.
const (
	Added       = 'A'
	Modified    = 'M'
	Deleted     = 'D'
	Renamed     = 'R'
	TypeChanged = 'T'
)

// Modes of tree entries that matter to callers.
const (
	ModeSubmodule = "160000"
	ModeSymlink   = "120000"
)

// Change is one path that differs between two trees.
type Change struct {
	// Status is Added, Modified, Deleted, Renamed or TypeChanged.
	Status byte
	// Path is the path on the head side (the old path for a deletion).
	Path string
	// OldPath is the path on the base side of a rename, else "".
	OldPath string
	// OldMode and NewMode are the octal modes; "000000" for a missing side.
	OldMode, NewMode string
	// OldBlob and NewBlob are the object ids; zeros for a missing side.
	OldBlob, NewBlob string
	// Score is the similarity of a rename in percent.
	Score int
}

// ModeChanged reports whether only the mode differs (the executable bit, a
// file becoming a symlink).
func (c Change) ModeChanged() bool {
	return c.Status != Added && c.Status != Deleted && c.OldMode != c.NewMode
}

// Submodule reports whether either side is a submodule (a gitlink).
func (c Change) Submodule() bool {
	return c.OldMode == ModeSubmodule || c.NewMode == ModeSubmodule
}

// Diff returns the paths that differ between the trees of base and head,
// with renames detected. See DiffFunc.
func (r Repo) Diff(ctx context.Context, base, head string) ([]Change, error) {
	var changes []Change
	err := r.DiffFunc(ctx, base, head, func(c Change) error {
		changes = append(changes, c)
		return nil
	})
	return changes, err
}

// DiffFunc calls fn for every path that differs between the trees of base
// and head (`git diff --raw -z -M`), as git produces them, without holding
// git's output in memory. base and head name commits or trees; paths are
// relative to the top of the work tree whatever Dir is. Diffing compares
// two trees only, so it costs the size of the change, not of the history.
func (r Repo) DiffFunc(ctx context.Context, base, head string, fn func(Change) error) error {
	err := r.Stream(ctx, func(out io.Reader) error {
		return parseRaw(bufio.NewReaderSize(out, 64<<10), fn)
	}, "diff", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", "--no-textconv",
		"--no-color", "--no-relative", "--ignore-submodules=none", "--end-of-options", base, head)
	if err != nil {
		return fmt.Errorf("diffing %s..%s: %w", base, head, err)
	}
	return nil
}

// parseRaw reads `--raw -z` records:
// ":OLDMODE NEWMODE OLDSHA NEWSHA STATUS\0PATH\0" with a second path for
// renames and copies.
func parseRaw(rd *bufio.Reader, fn func(Change) error) error {
	for {
		head, err := readField(rd)
		if errors.Is(err, io.EOF) && len(head) == 0 {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git diff output: %w", err)
		}
		c, err := parseHeader(head)
		if err != nil {
			return err
		}
		if err := readPaths(rd, &c); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}

func parseHeader(head []byte) (Change, error) {
	// One string for the record; the fields are substrings of it.
	rest := string(bytes.TrimPrefix(head, []byte(":")))
	var f [5]string
	for i := range 4 {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, " "); !ok {
			return Change{}, fmt.Errorf("unexpected git diff record %q", head)
		}
	}
	if f[4] = rest; f[4] == "" {
		return Change{}, fmt.Errorf("unexpected git diff record %q", head)
	}
	c := Change{OldMode: f[0], NewMode: f[1], OldBlob: f[2], NewBlob: f[3], Status: f[4][0]}
	if len(f[4]) > 1 {
		c.Score, _ = strconv.Atoi(f[4][1:])
	}
	return c, nil
}

func readPaths(rd *bufio.Reader, c *Change) error {
	p, err := readField(rd)
	if err != nil {
		return fmt.Errorf("reading git diff output: %w", err)
	}
	c.Path = string(p)
	if c.Status != 'R' && c.Status != 'C' {
		return nil
	}
	p, err = readField(rd)
	if err != nil {
		return fmt.Errorf("reading git diff output: %w", err)
	}
	c.OldPath, c.Path = c.Path, string(p)
	if c.Status == 'C' {
		// A copy leaves its source in place; to callers it is an addition.
		c.Status, c.OldPath = Added, ""
	}
	return nil
}

// readField returns the bytes up to the next NUL, without it. The slice is
// only valid until the next read.
func readField(rd *bufio.Reader) ([]byte, error) {
	b, err := rd.ReadSlice(0)
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), b...)
		rest, err := rd.ReadBytes(0)
		long = append(long, rest...)
		if err != nil {
			return long, err
		}
		return long[:len(long)-1], nil
	}
	if err != nil {
		if errors.Is(err, io.EOF) && len(b) > 0 {
			return b, io.ErrUnexpectedEOF
		}
		return b, err
	}
	return b[:len(b)-1], nil
}

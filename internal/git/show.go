package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/mlci-dev/mlci/internal/exit"
)

// Show returns the contents of path at commit rev (`git cat-file blob
// rev:path`), without text conversion. A path that rev does not hold is an
// error that matches fs.ErrNotExist.
func (r Repo) Show(ctx context.Context, rev, path string) ([]byte, error) {
	out, err := r.Run(ctx, "cat-file", "blob", rev+":"+path)
	if err == nil {
		return out, nil
	}
	if exitCode(err) == 128 {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(rev), fs.ErrNotExist)
	}
	return nil, fmt.Errorf("reading %s at %s: %w", path, short(rev), err)
}

// Batch reads many objects through one `git cat-file --batch` process,
// which costs far less than a process per file. It is safe for use by
// several goroutines; reads are served one at a time. Close it when done.
type Batch struct {
	ctx  context.Context
	repo Repo
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	errs *bytes.Buffer
}

// NewBatch starts a `git cat-file --batch` process for r.
func (r Repo) NewBatch(ctx context.Context) (*Batch, error) {
	cmd, stderr := r.command(ctx, runOptions{}, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting git cat-file: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting git cat-file: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, exit.With(exit.External, newError([]string{"cat-file", "--batch"}, "", err))
	}
	return &Batch{
		ctx:  ctx,
		repo: r,
		cmd:  cmd,
		in:   in,
		out:  bufio.NewReaderSize(out, 64<<10),
		errs: stderr,
	}, nil
}

// Show returns the contents of path at commit rev, like Repo.Show.
func (b *Batch) Show(rev, path string) ([]byte, error) {
	if strings.ContainsAny(path, "\n\r") {
		// The batch protocol is line based; such a name needs a process of its own.
		return b.repo.Show(b.ctx, rev, path)
	}
	typ, data, err := b.read(rev + ":" + path)
	if err == nil && typ != "blob" {
		err = fmt.Errorf("a %s, not a file: %w", typ, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, short(rev), err)
	}
	return data, nil
}

// Object returns the contents of the object name (an id, or REV:PATH). An
// object that does not exist is an error that matches fs.ErrNotExist.
func (b *Batch) Object(name string) ([]byte, error) {
	_, data, err := b.read(name)
	return data, err
}

func (b *Batch) read(name string) (string, []byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	if _, err := io.WriteString(b.in, name+"\n"); err != nil {
		return "", nil, b.failed(err)
	}
	header, err := b.out.ReadString('\n')
	if err != nil {
		return "", nil, b.failed(err)
	}
	f := strings.Fields(header)
	if len(f) == 2 && (f[1] == "missing" || f[1] == "ambiguous") {
		return "", nil, fs.ErrNotExist
	}
	if len(f) != 3 {
		return "", nil, fmt.Errorf("unexpected git cat-file answer %q", strings.TrimSpace(header))
	}
	data, err := b.body(f[2])
	return f[1], data, err
}

func (b *Batch) body(sizeField string) ([]byte, error) {
	size, err := strconv.Atoi(sizeField)
	if err != nil {
		return nil, fmt.Errorf("unexpected git cat-file size %q", sizeField)
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(b.out, data); err != nil {
		return nil, b.failed(err)
	}
	return data[:size], nil
}

func (b *Batch) failed(err error) error {
	return exit.With(exit.External, newError([]string{"cat-file", "--batch"}, b.errs.String(), err))
}

// Close ends the process.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()

	_ = b.in.Close()
	err := b.cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fmt.Errorf("stopping git cat-file: %w", err)
	}
	return nil
}

// short abbreviates a commit id for messages.
func short(rev string) string {
	if IsSHA(rev) {
		return rev[:7]
	}
	return rev
}

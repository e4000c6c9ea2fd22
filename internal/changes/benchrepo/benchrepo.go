// Package benchrepo generates large git repositories for measuring change
// detection: a base commit with many files of every class, an optional run
// of unchanged history before it, and a head commit that changes a share of
// the files (modified, added, deleted, renamed) and one params key. It
// writes them through one `git fast-import`, which takes seconds where
// committing the files one by one would take minutes. It is for benchmarks
// only and holds no measuring code itself.
package benchrepo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Spec sizes a generated repository.
type Spec struct {
	// Files is the number of files in the base commit, besides the pipeline.
	Files int
	// Changed is the number of files the head commit touches.
	Changed int
	// History is the number of commits before the base that touch only
	// history.txt, to show that cost does not grow with history.
	History int
}

// Repo is a generated repository.
type Repo struct {
	Dir  string
	Base string
	Head string
}

// DVCYAML is the pipeline of every generated repository.
const DVCYAML = `stages:
  prepare:
    cmd: python3 prepare.py
    deps: [data/raw, src/pkg00]
    outs: [data/prepared]
  featurize:
    cmd: python3 featurize.py
    deps: [data/prepared, src/pkg01]
    params: [featurize.n]
    outs: [data/features]
  train:
    cmd: python3 train.py
    deps: [data/features, src/pkg02]
    params: [train.lr, train.epochs]
    outs: [models/model.pkl]
  evaluate:
    cmd: python3 evaluate.py
    deps: [models/model.pkl, src/pkg03]
    metrics: [eval/metrics.json]
`

// Make creates the repository in dir (which must not hold one) and
// returns its base and head commits: main and feature.
func Make(ctx context.Context, dir string, s Spec) (Repo, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Repo{}, fmt.Errorf("making %s: %w", dir, err)
	}
	if err := git(ctx, dir, nil, "init", "--quiet", "--initial-branch=main"); err != nil {
		return Repo{}, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(Write(pw, s)) }()
	if err := git(ctx, dir, pr, "fast-import", "--quiet"); err != nil {
		return Repo{}, err
	}
	if err := git(ctx, dir, nil, "checkout", "--quiet", "--force", "feature"); err != nil {
		return Repo{}, err
	}

	r := Repo{Dir: dir}
	var err error
	if r.Base, err = revParse(ctx, dir, "main"); err != nil {
		return Repo{}, err
	}
	r.Head, err = revParse(ctx, dir, "feature")
	return r, err
}

// Write writes the fast-import stream of the repository s describes.
func Write(w io.Writer, s Spec) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	st := &stream{w: bw}

	st.commit("refs/heads/main", "", "base")
	st.file("dvc.yaml", DVCYAML)
	st.file("params.yaml", params("0.1"))
	for i := range s.Files {
		st.file(Path(i), content(i))
	}
	for h := range s.History {
		st.commit("refs/heads/main", "", "history")
		st.file("history.txt", fmt.Sprintf("%d\n", h))
	}

	st.commit("refs/heads/feature", "refs/heads/main", "change")
	st.file("params.yaml", params("0.05"))
	changeFiles(st, s)
	if st.err != nil {
		return st.err
	}
	return bw.Flush()
}

// changeFiles spreads s.Changed changes evenly over the files: 80%
// modified, 8% deleted, 6% renamed (same content), 6% added beside one.
func changeFiles(st *stream, s Spec) {
	if s.Changed == 0 {
		return
	}
	step := max(s.Files/s.Changed, 1)
	for k := range min(s.Changed, s.Files) {
		i := k * step
		p := Path(i)
		switch k % 100 {
		case 80, 81, 82, 83, 84, 85, 86, 87:
			st.printf("D %s\n", p)
		case 88, 89, 90, 91, 92, 93:
			st.printf("R %s %s\n", p, strings.Replace(p, "/f", "/moved-f", 1))
		case 94, 95, 96, 97, 98, 99:
			st.file(strings.Replace(p, "/f", "/new-f", 1), content(i+s.Files))
		default:
			st.file(p, content(i)+"changed\n")
		}
	}
}

// Path is the path of generated file i: 40% data, 20% source, 10% tests,
// 10% docs, 20% other files, a thousand files to a directory.
func Path(i int) string {
	dir := i / 1000
	switch i % 20 {
	case 0, 1, 2, 3, 4, 5, 6, 7:
		return fmt.Sprintf("data/raw/part%03d/f%07d.csv", dir, i)
	case 8, 9, 10, 11:
		return fmt.Sprintf("src/pkg%02d/f%07d.py", dir%100, i)
	case 12, 13:
		return fmt.Sprintf("tests/t%03d/f%07d.py", dir, i)
	case 14, 15:
		return fmt.Sprintf("docs/s%03d/f%07d.md", dir, i)
	default:
		return fmt.Sprintf("assets/g%03d/f%07d.json", dir, i)
	}
}

func content(i int) string { return fmt.Sprintf("row %d\n", i) }

func params(lr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "featurize:\n  n: 3\ntrain:\n  lr: %s\n  epochs: 10\nextra:\n", lr)
	for i := range 100 {
		fmt.Fprintf(&b, "  k%03d: %d\n", i, i)
	}
	return b.String()
}

// stream writes fast-import commands, keeping the first error.
type stream struct {
	w    io.Writer
	err  error
	time int
}

func (s *stream) printf(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}

func (s *stream) commit(ref, from, msg string) {
	s.time++
	s.printf("commit %s\ncommitter Bench <bench@example.com> %d +0000\n", ref, 1700000000+s.time)
	s.printf("data %d\n%s\n", len(msg), msg)
	if from != "" {
		s.printf("from %s\n", from)
	}
}

func (s *stream) file(path, data string) {
	s.printf("M 100644 inline %s\ndata %d\n%s\n", path, len(data), data)
}

func git(ctx context.Context, dir string, stdin io.Reader, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

func revParse(ctx context.Context, dir, rev string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", rev).Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse %s: %w", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

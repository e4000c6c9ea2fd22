// Package pipeline runs a repository's pipeline as DVC would: it builds the
// DAG of stages from their dependencies and outputs, decides which stages are
// up to date from dvc.lock (hashes of dependencies, params values, outputs),
// runs the others with their upstream, parallel where independent, restores
// outputs from the run cache instead of running when the same inputs ran
// before, and writes dvc.lock after each stage. It also runs the pipeline
// tests and keeps their results as JUnit XML.
//
// Hashing, the lock-file format, the cache, the stat cache and running a
// command live in its subpackages. Reading mlci.yaml and dvc.yaml is package
// config's work; deciding which stages a change affects is package changes'.
package pipeline

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/progress"
)

// Options configure a Pipeline. The zero value works.
type Options struct {
	// CacheDir is the cache; default .mlci/cache under the repository.
	CacheDir string
	// StateDir holds the stat cache and the run lock; default .mlci/tmp.
	StateDir string
	// Printer shows progress of Test (and of Run when RunOptions gives none).
	Printer *progress.Printer
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
	// Remote, when set, is a shared cache that runs pull from and push to.
	Remote Remote
}

// Pipeline is a repository's stages as a DAG.
type Pipeline struct {
	cfg    *config.Config
	opts   Options
	root   string
	nodes  []*node // upstream first, else in file order
	byName map[string]*node
	cache  *cache.Cache
	ignore *digest.Ignore // the repository's .dvcignore files
}

// node is a stage with its edges.
type node struct {
	stage *config.Stage
	outs  []out
	up    []*node // stages whose outputs it reads
	down  []*node
}

// out is an output of any kind (outs, metrics, plots).
type out struct {
	path    string // relative to the root, cleaned
	cache   bool
	persist bool
}

// HashFile returns the md5 and size of the file at path, as DVC computes them.
func HashFile(path string) (md5 string, size int64, err error) {
	info, err := digest.File(path)
	return info.MD5, info.Size, err
}

// HashDir returns the ".dir" md5, total size and number of files of the
// directory at path, as DVC computes them.
func HashDir(path string) (md5 string, size int64, nfiles int, err error) {
	info, err := digest.Dir(path)
	return info.MD5, info.Size, info.NFiles, err
}

// New builds the DAG of cfg's stages. A cycle, two stages writing the same
// output, or an output outside the repository is a configuration error.
func New(cfg *config.Config, opts Options) (*Pipeline, error) {
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", cfg.Root, err)
	}
	opts = withDefaults(opts, root)
	p := &Pipeline{cfg: cfg, opts: opts, root: root, byName: map[string]*node{},
		cache: cache.Open(opts.CacheDir), ignore: digest.NewIgnore(root)}

	for _, st := range cfg.Stages {
		n, err := p.newNode(st)
		if err != nil {
			return nil, err
		}
		p.nodes = append(p.nodes, n)
		p.byName[st.Name] = n
	}
	if err := p.checkOverlaps(); err != nil {
		return nil, err
	}
	p.link()
	if err := p.checkCycles(); err != nil {
		return nil, err
	}
	p.nodes = topoSort(p.nodes)
	return p, nil
}

// topoSort orders the nodes upstream first, otherwise as in the file.
func topoSort(nodes []*node) []*node {
	placed := map[*node]bool{}
	var out []*node
	var place func(*node)
	place = func(n *node) {
		if placed[n] {
			return
		}
		placed[n] = true
		for _, u := range n.up {
			place(u)
		}
		out = append(out, n)
	}
	for _, n := range nodes {
		place(n)
	}
	return out
}

func withDefaults(o Options, root string) Options {
	if o.CacheDir == "" {
		o.CacheDir = filepath.Join(root, ".mlci", "cache")
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(root, ".mlci", "tmp")
	}
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o
}

func (p *Pipeline) newNode(st *config.Stage) (*node, error) {
	if _, dup := p.byName[st.Name]; dup {
		return nil, p.configErr(st, "stage %s is defined twice", st.Name)
	}
	if len(st.Cmd) == 0 {
		return nil, p.configErr(st, "stage %s has no cmd", st.Name)
	}
	n := &node{stage: st}
	add := func(path string, cache, persist bool) error {
		clean, err := p.checkOut(path)
		if err != nil {
			return p.configErr(st, "stage %s: %v", st.Name, err)
		}
		n.outs = append(n.outs, out{path: clean, cache: cache, persist: persist})
		return nil
	}
	for _, o := range slices.Concat(st.Outs, st.Metrics) {
		if err := add(o.Path, o.Cache, o.Persist); err != nil {
			return nil, err
		}
	}
	for _, pl := range st.Plots {
		if err := add(pl.Path, pl.Cache, false); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// configErr is a configuration error at the stage's place in its file.
func (p *Pipeline) configErr(st *config.Stage, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if st != nil && st.Pos.File != "" {
		msg = fmt.Sprintf("%s:%d: %s", st.Pos.File, st.Pos.Line, msg)
	}
	return exit.Usagef("%s", msg)
}

// checkOut cleans an output path and checks it stays inside the repository,
// symbolic links included.
func (p *Pipeline) checkOut(path string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(path))
	if !filepath.IsLocal(clean) {
		return "", fmt.Errorf("output %s is outside the repository", path)
	}
	real, err := realPath(filepath.Join(p.root, clean))
	if err != nil {
		return "", fmt.Errorf("output %s: %w", path, err)
	}
	rootReal, err := filepath.EvalSymlinks(p.root)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", p.root, err)
	}
	if !within(rootReal, real) {
		return "", fmt.Errorf("output %s leads outside the repository (to %s) "+
			"through a symbolic link", path, real)
	}
	return clean, nil
}

// realPath resolves the symbolic links of the longest existing prefix of path.
func realPath(path string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(path)
		if parent == path {
			return filepath.Join(path, rest), nil
		}
		rest = filepath.Join(filepath.Base(path), rest)
		path = parent
	}
}

// within reports whether path is dir or inside it.
func within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// checkOverlaps rejects two outputs where one is, or contains, the other.
func (p *Pipeline) checkOverlaps() error {
	type owned struct {
		path  string
		stage *config.Stage
	}
	var all []owned
	for _, n := range p.nodes {
		for _, o := range n.outs {
			all = append(all, owned{o.path, n.stage})
		}
	}
	slices.SortFunc(all, func(a, b owned) int { return strings.Compare(a.path, b.path) })
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if within(a.path, b.path) {
			return p.configErr(b.stage, "outputs overlap: stage %s writes %s and stage %s "+
				"writes %s", a.stage.Name, a.path, b.stage.Name, b.path)
		}
	}
	return nil
}

// link adds an edge from each stage writing an output to each stage whose
// dependency is that output, inside it, or contains it.
func (p *Pipeline) link() {
	for _, n := range p.nodes {
		for _, dep := range n.stage.Deps {
			d := filepath.Clean(filepath.FromSlash(dep))
			for _, m := range p.nodes {
				if m.writes(d) && !slices.Contains(n.up, m) {
					n.up = append(n.up, m)
					m.down = append(m.down, n)
				}
			}
		}
	}
}

func (n *node) writes(path string) bool {
	for _, o := range n.outs {
		if within(o.path, path) || within(path, o.path) {
			return true
		}
	}
	return false
}

// checkCycles finds a cycle and names the stages on it.
func (p *Pipeline) checkCycles() error {
	const (
		unseen = iota
		active
		done
	)
	state := map[*node]int{}
	var stack []*node
	var visit func(*node) []*node
	visit = func(n *node) []*node {
		state[n] = active
		stack = append(stack, n)
		for _, u := range n.up {
			if state[u] == active {
				return append(slices.Clone(stack[slices.Index(stack, u):]), u)
			}
			if state[u] == unseen {
				if c := visit(u); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, n := range p.nodes {
		if state[n] != unseen {
			continue
		}
		if c := visit(n); c != nil {
			names := make([]string, len(c))
			for i, m := range c {
				names[len(c)-1-i] = m.stage.Name
			}
			return p.configErr(c[0].stage, "the pipeline has a cycle: %s",
				strings.Join(names, " → "))
		}
	}
	return nil
}

// selectStages returns the named stages and everything upstream of them, in
// pipeline order; all stages when names is empty.
func (p *Pipeline) selectStages(names []string) ([]*node, error) {
	if len(names) == 0 {
		return p.nodes, nil
	}
	want := map[*node]bool{}
	var mark func(*node)
	mark = func(n *node) {
		if want[n] {
			return
		}
		want[n] = true
		for _, u := range n.up {
			mark(u)
		}
	}
	for _, name := range names {
		n, ok := p.byName[name]
		if !ok {
			return nil, exit.Usagef("no stage %q in the pipeline (stages: %s)", name,
				strings.Join(p.names(), ", "))
		}
		mark(n)
	}
	return slices.DeleteFunc(slices.Clone(p.nodes), func(n *node) bool { return !want[n] }), nil
}

func (p *Pipeline) names() []string {
	names := make([]string, len(p.nodes))
	for i, n := range p.nodes {
		names[i] = n.stage.Name
	}
	return names
}

// abs returns the absolute path of a path relative to the root.
func (p *Pipeline) abs(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(p.root, filepath.FromSlash(path))
}

// lockPath returns path as the lock file writes it: relative to the stage's
// working directory, slash-separated.
func lockPath(st *config.Stage, path string) string {
	if st.Wdir == "" || st.Wdir == "." || filepath.IsAbs(path) {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(filepath.FromSlash(st.Wdir), filepath.FromSlash(path))
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func (p *Pipeline) lockFile() string {
	if p.cfg.LockFile != "" {
		return p.abs(p.cfg.LockFile)
	}
	return filepath.Join(p.root, "dvc.lock")
}

package metrics

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
)

// The kinds of baseline.
const (
	// KindCommit is a commit: the pull request's base or an explicit --base.
	KindCommit = "commit"
	// KindRegistry is the version a registry stage holds (--baseline production).
	KindRegistry = "registry"
	// KindRecord is the run record of the base commit.
	KindRecord = "record"
	// KindNone means there is nothing to compare with (the first model).
	KindNone = "none"
)

// ErrNoBaseline is returned when reading from a baseline of KindNone.
var ErrNoBaseline = errors.New("no baseline")

// Source reads the files of one side of a comparison. A file the side does
// not hold is an error matching fs.ErrNotExist.
type Source interface {
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// WorkTree is the candidate's side: the files in the work tree at this root.
type WorkTree string

// ReadFile reads path relative to the work tree.
func (w WorkTree) ReadFile(_ context.Context, path string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(w), filepath.FromSlash(path)))
}

// Baseline is the side a candidate is compared with, and how it was chosen.
type Baseline struct {
	Kind string `json:"kind"`
	// Ref is what was asked for or found: a branch, a --base value, a stage.
	Ref string `json:"ref,omitempty"`
	// Commit is the full id of the commit the files are read at.
	Commit string `json:"commit,omitempty"`
	// Note says how the baseline was chosen, for people.
	Note string `json:"note,omitempty"`

	repo     git.Repo
	lockFile string
	caches   []string
	fetch    FetchFunc
}

// String returns the baseline as a report names it: "main@9f8e7d6".
func (b *Baseline) String() string {
	switch {
	case b == nil || b.Kind == KindNone:
		return "none"
	case b.Ref == "" || b.Ref == b.Commit:
		return short(b.Commit)
	default:
		return b.Ref + "@" + short(b.Commit)
	}
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// Exists reports whether there is a baseline to compare with.
func (b *Baseline) Exists() bool { return b != nil && b.Kind != KindNone }

// ReadFile returns path as the baseline holds it: committed at its commit,
// or, for an output kept in the cache rather than in git, the cached object
// that the commit's lock file (or .dvc file) names, from a local cache or
// else the remote cache. A remote cache that fails for another reason than
// lacking the object is a *FetchError.
func (b *Baseline) ReadFile(ctx context.Context, path string) ([]byte, error) {
	if !b.Exists() {
		return nil, fmt.Errorf("reading %s: %w: %w", path, ErrNoBaseline, fs.ErrNotExist)
	}
	data, err := b.repo.Show(ctx, b.Commit, inDir(path))
	if !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	var fe *FetchError
	cached, cerr := b.fromCache(ctx, path)
	if cerr == nil || errors.As(cerr, &fe) {
		return cached, cerr
	}
	tracked, terr := b.fromDvcFile(ctx, path)
	if terr == nil || errors.As(terr, &fe) {
		return tracked, terr
	}
	// A file neither committed nor in a cache, local or remote, has no
	// baseline: run records keep hashes, not contents.
	return nil, err
}

// dvcFile is what mlci reads of a .dvc file (dvc add): its outputs.
type dvcFile struct {
	Outs []struct {
		MD5  string `yaml:"md5"`
		Path string `yaml:"path"`
		Hash string `yaml:"hash"`
	} `yaml:"outs"`
}

// fromDvcFile reads path when the commit tracks it with DVC rather than
// git: path.dvc names its md5, or the .dvc file of a folder above it names
// the folder's manifest, which names the file's md5. The object comes from
// the first cache that holds it.
func (b *Baseline) fromDvcFile(ctx context.Context, path string) ([]byte, error) {
	path = filepath.ToSlash(filepath.Clean(path))
	for tracked := path; tracked != "." && tracked != "/"; tracked = filepath.ToSlash(
		filepath.Dir(tracked)) {
		data, err := b.repo.Show(ctx, b.Commit, inDir(tracked+".dvc"))
		if err != nil {
			continue
		}
		var f dvcFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("reading %s.dvc at %s: %w", tracked, short(b.Commit), err)
		}
		for _, o := range f.Outs {
			if o.Path != filepath.Base(tracked) || o.MD5 == "" {
				continue
			}
			entry := lock.Entry{MD5: o.MD5, Legacy: o.Hash != "md5"}
			if tracked == path {
				return b.readObject(ctx, entry)
			}
			return b.fromManifest(ctx, entry, strings.TrimPrefix(path, tracked+"/"))
		}
		return nil, fs.ErrNotExist
	}
	return nil, fs.ErrNotExist
}

// fromManifest reads the file rel of the folder whose manifest entry dir
// names.
func (b *Baseline) fromManifest(ctx context.Context, dir lock.Entry, rel string) ([]byte,
	error) {
	if !strings.HasSuffix(dir.MD5, digest.DirSuffix) {
		return nil, fs.ErrNotExist
	}
	data, err := b.readObject(ctx, lock.Entry{MD5: dir.MD5})
	if err != nil {
		return nil, err
	}
	entries, err := digest.ParseManifest(data)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.RelPath == rel {
			return b.readObject(ctx, lock.Entry{MD5: e.MD5, Legacy: dir.Legacy})
		}
	}
	return nil, fs.ErrNotExist
}

// inDir makes a path relative to the directory git runs in rather than to
// the top of the work tree (git's "rev:./path"), for a project that lives in
// a subdirectory of its repository.
func inDir(path string) string { return "./" + filepath.ToSlash(filepath.Clean(path)) }

// fromCache finds path among the outputs of the commit's lock file and reads
// its object from the first cache that holds it, checking its hash.
func (b *Baseline) fromCache(ctx context.Context, path string) ([]byte, error) {
	data, err := b.repo.Show(ctx, b.Commit, inDir(b.lockFile))
	if err != nil {
		return nil, err
	}
	lf, err := lock.Parse(b.lockFile, data)
	if err != nil {
		return nil, err
	}
	for _, name := range lf.Names() {
		for _, out := range lf.Stage(name).Outs {
			if filepath.ToSlash(filepath.Clean(out.Path)) == path && out.MD5 != "" {
				return b.readObject(ctx, out)
			}
		}
	}
	return nil, fs.ErrNotExist
}

// readObject reads an output's object from the first cache that holds it,
// checking its hash, after fetching it from the remote cache when none does
// and one is configured.
func (b *Baseline) readObject(ctx context.Context, out lock.Entry) ([]byte, error) {
	if data, err := b.localObject(out); err == nil || b.fetch == nil {
		return data, err
	}
	err := b.fetch(ctx, b.caches[0], out.MD5)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, exit.With(exit.External, &FetchError{MD5: out.MD5, Err: err})
	}
	return b.localObject(out)
}

func (b *Baseline) localObject(out lock.Entry) ([]byte, error) {
	for _, dir := range b.caches {
		data, err := os.ReadFile(cache.Open(dir).ObjectPath(out.MD5))
		if err != nil {
			continue
		}
		sum := md5.Sum(data)
		if out.Legacy || hex.EncodeToString(sum[:]) == strings.TrimSuffix(out.MD5,
			digest.DirSuffix) {
			return data, nil
		}
	}
	return nil, fs.ErrNotExist
}

// FetchError is a baseline object the remote cache could not give for a
// reason other than not holding it: credentials, the network.
type FetchError struct {
	MD5 string
	Err error
}

// Error names the object and the cause.
func (e *FetchError) Error() string {
	return fmt.Sprintf("fetching the baseline's object %s from the remote cache: %v", e.MD5,
		e.Err)
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

// FetchFunc brings the object md5 from a remote cache into the local cache
// at dir. It returns an error wrapping fs.ErrNotExist when the remote does
// not hold it.
type FetchFunc func(ctx context.Context, dir, md5 string) error

// RegistryFunc returns the git revision of the version that a model's
// registry stage holds (a tag such as "churn@v1.4.0").
type RegistryFunc func(ctx context.Context, model, stage string) (string, error)

// Options choose the baseline.
type Options struct {
	// Ref is an explicit base revision (--base). Empty means the merge base
	// of HEAD and the default branch.
	Ref string
	// Stage asks for the version a registry stage holds (--baseline
	// production) of Model, resolved by Registry.
	Stage    string
	Model    string
	Registry RegistryFunc
	// LockFile is the lock file, relative to the root; dvc.lock by default.
	LockFile string
	// CacheDirs are the caches cached outputs are read from, relative to the
	// root or absolute; .mlci/cache and .dvc/cache by default.
	CacheDirs []string
	// Fetch brings an output the caches lack from the remote cache into the
	// first of them; nil when there is no remote cache.
	Fetch FetchFunc
}

// Lookup chooses the baseline of the repository at root.
func Lookup(ctx context.Context, root string, o Options) (*Baseline, error) {
	b := &Baseline{repo: git.Repo{Dir: root}, lockFile: o.LockFile}
	if b.lockFile == "" {
		b.lockFile = "dvc.lock"
	}
	b.caches, b.fetch = o.CacheDirs, o.Fetch
	if len(b.caches) == 0 {
		b.caches = []string{filepath.Join(".mlci", "cache"), filepath.Join(".dvc", "cache")}
	}
	for i, dir := range b.caches {
		if !filepath.IsAbs(dir) {
			b.caches[i] = filepath.Join(root, dir)
		}
	}

	switch {
	case o.Stage != "":
		return b.fromRegistry(ctx, o)
	case o.Ref != "":
		return b.at(ctx, KindCommit, o.Ref, "--base "+o.Ref)
	default:
		return b.mergeBase(ctx)
	}
}

func (b *Baseline) at(ctx context.Context, kind, ref, note string) (*Baseline, error) {
	commit, err := b.repo.RevParse(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("finding the baseline: %w", err)
	}
	b.Kind, b.Ref, b.Commit, b.Note = kind, ref, commit, note
	return b, nil
}

// fromRegistry resolves a registry stage to its version's commit with
// o.Registry.
func (b *Baseline) fromRegistry(ctx context.Context, o Options) (*Baseline, error) {
	switch {
	case o.Registry == nil:
		return nil, exit.Usagef("--baseline %s: no model registry to read here; "+
			"use --base REF", o.Stage)
	case o.Model == "":
		return nil, exit.Usagef("--baseline %s needs the model whose version to compare "+
			"with: configure one (models: in mlci.yaml) or, of several, name one "+
			"(mlci validate --model)", o.Stage)
	}
	rev, err := o.Registry(ctx, o.Model, o.Stage)
	if err != nil {
		return nil, fmt.Errorf("finding %s's %s version: %w", o.Model, o.Stage, err)
	}
	if _, err := b.at(ctx, KindRegistry, rev, ""); err != nil {
		return nil, err
	}
	b.Ref = o.Stage + " " + rev
	b.Note = fmt.Sprintf("the version of %s in %s", o.Model, o.Stage)
	return b, nil
}

// mergeBase picks the merge base of HEAD and the default branch; HEAD itself
// when there is no default branch (the work tree against its last commit);
// and no baseline at all in a repository without commits.
func (b *Baseline) mergeBase(ctx context.Context) (*Baseline, error) {
	head, err := b.repo.Head(ctx)
	if errors.Is(err, git.ErrUnknownRev) {
		b.Kind, b.Note = KindNone, "the repository has no commits"
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the baseline: %w", err)
	}

	branch, err := b.repo.DefaultBranch(ctx)
	if errors.Is(err, git.ErrNoDefaultBranch) {
		b.Kind, b.Ref, b.Commit, b.Note = KindCommit, "HEAD", head, "HEAD (no default branch)"
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the baseline: %w", err)
	}
	ref, err := b.repo.BranchRef(ctx, branch)
	if err != nil {
		return nil, fmt.Errorf("finding the baseline: %w", err)
	}
	base, err := b.repo.MergeBase(ctx, head, ref)
	if err != nil {
		return nil, fmt.Errorf("finding the baseline (in a shallow clone, fetch more "+
			"history or pass --base): %w", err)
	}
	b.Kind, b.Ref, b.Commit = KindCommit, branch, base
	b.Note = "merge base of HEAD and " + branch
	return b, nil
}

package retrain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
	"github.com/mlci-dev/mlci/internal/record"
	"github.com/mlci-dev/mlci/internal/registry"
)

// reference is what new data and a new model are compared with: the
// version the production stage holds, else the default branch.
type reference struct {
	// Version and Stage name the registered version; "" when the default
	// branch stands in.
	Version string
	Stage   string
	// Created is when the version was registered.
	Created time.Time
	// Branch is the default branch when it stands in.
	Branch string
	Commit string
	// record is the version's run record, nil when it has none.
	record *record.Record
}

// String names the reference as people read it: "v1.2.0" or "main@1a2b3c4".
func (r *reference) String() string {
	if r.Version != "" {
		return r.Version
	}
	return r.Branch + "@" + short(r.Commit)
}

// findReference looks the production version up in the registry, with its
// run record when the repository (or the remote's notes) has one.
func (s *state) findReference(ctx context.Context) (*reference, error) {
	def := &reference{Branch: s.defaultBranch, Commit: s.defaultCommit}
	if len(s.cfg.Models) == 0 {
		return def, nil
	}
	reg, err := registry.Read(ctx, s.repo)
	if err != nil {
		return nil, err
	}
	m := s.cfg.Models[0]
	stage := productionStage(m)
	rm := reg.Model(m.Name)
	if rm == nil || rm.Holder(stage) == nil {
		s.opts.Log.Info("no version in the registry stage; the default branch stands in",
			"model", m.Name, "stage", stage, "branch", s.defaultBranch)
		return def, nil
	}
	v := rm.Holder(stage)
	ref := &reference{Version: v.Version, Stage: stage, Created: v.Created, Commit: v.Commit}
	ref.record = s.loadRecord(ctx, v.Commit)
	return ref, nil
}

// productionStage is the last stage of the model's promotion policy.
func productionStage(m *config.Model) string {
	if n := len(m.Promote.Stages); n > 0 {
		return m.Promote.Stages[n-1]
	}
	return "production"
}

// loadRecord returns commit's newest run record, fetching the remote's
// records first; nil when there is none or it cannot be read.
func (s *state) loadRecord(ctx context.Context, commit string) *record.Record {
	if s.repo.HasRemote(ctx, s.opts.Remote) {
		if err := record.Fetch(ctx, s.repo, s.opts.Remote); err != nil {
			s.opts.Log.Warn("cannot fetch the run records", "remote", s.opts.Remote, "err", err)
		}
	}
	rec, err := record.Load(ctx, s.repo, commit)
	if err != nil {
		if !errors.Is(err, record.ErrNoRecord) {
			s.opts.Log.Warn("cannot read the production version's run record", "err", err)
		}
		return nil
	}
	return rec
}

// dataDeps are the files the pipeline reads that no stage writes and that
// the change classes call data, with the configured data sets; sorted.
func dataDeps(cfg *config.Config) ([]string, error) {
	classes, err := changes.NewClassifier(cfg.Changes)
	if err != nil {
		return nil, err
	}
	var outs []string
	for _, st := range cfg.Stages {
		for _, o := range append(slices.Clone(st.Outs), st.Metrics...) {
			outs = append(outs, path.Clean(o.Path))
		}
		for _, p := range st.Plots {
			outs = append(outs, path.Clean(p.Path))
		}
	}
	produced := func(p string) bool {
		return slices.ContainsFunc(outs, func(o string) bool {
			return p == o || len(p) > len(o) && p[:len(o)+1] == o+"/"
		})
	}

	var deps []string
	add := func(p string) {
		p = path.Clean(filepath.ToSlash(p))
		if !produced(p) && !slices.Contains(deps, p) {
			deps = append(deps, p)
		}
	}
	for _, st := range cfg.Stages {
		for _, d := range st.Deps {
			if classes.Classify(path.Clean(d)) == changes.Data {
				add(d)
			}
		}
	}
	for _, ds := range cfg.Data {
		add(ds.Path)
	}
	slices.Sort(deps)
	return deps, nil
}

// hashWorkTree hashes each path in the work tree as DVC does (the ".dir"
// hash of a directory); a missing path has no hash.
func hashWorkTree(root string, paths []string) (map[string]string, error) {
	out := make(map[string]string, len(paths))
	h := &digest.Hasher{Ignore: digest.NewIgnore(root)}
	for _, p := range paths {
		info, _, err := h.Path(filepath.Join(root, filepath.FromSlash(p)), digest.MD5)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("hashing %s: %w", p, err)
		}
		out[p] = info.MD5
	}
	return out, nil
}

// lockHashes returns the dependencies' hashes that the lock file at commit
// records, by path relative to the root; none without a lock file there.
func (s *state) lockHashes(ctx context.Context, commit string) (map[string]string, error) {
	data, err := s.repo.Show(ctx, commit, "./"+s.cfg.LockFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	lf, err := lock.Parse(s.cfg.LockFile+" at "+short(commit), data)
	if err != nil {
		return nil, err
	}
	wdirs := map[string]string{}
	for _, st := range s.cfg.Stages {
		wdirs[st.Name] = st.Wdir
	}
	out := map[string]string{}
	for _, name := range lf.Names() {
		for _, d := range lf.Stage(name).Deps {
			p := path.Join(filepath.ToSlash(wdirs[name]), filepath.ToSlash(d.Path))
			out[p] = d.MD5
		}
	}
	return out, nil
}

// referenceHashes are the data hashes the reference learnt from: its lock
// file's, overridden by its run record's where the record has them.
func (s *state) referenceHashes(ctx context.Context) (map[string]string, error) {
	h, err := s.lockHashes(ctx, s.ref.Commit)
	if err != nil {
		return nil, err
	}
	if r := s.ref.record; r != nil {
		for p, sum := range r.Data {
			h[path.Clean(filepath.ToSlash(p))] = sum
		}
	}
	return h, nil
}

// trainingProfiles are the profiles of the data sets the reference learnt
// from: stored in its run record, else made from its files (committed or
// in the cache). A data set the reference lacks has none.
func (s *state) trainingProfiles(ctx context.Context) (map[string]*datacheck.Profile, error) {
	out := map[string]*datacheck.Profile{}
	var base *metrics.Baseline
	for _, ds := range s.cfg.Data {
		if raw, ok := s.storedProfile(ds.Name); ok {
			p, err := datacheck.ReadProfile(bytes.NewReader(raw))
			if err == nil {
				out[ds.Name] = p
				continue
			}
			s.opts.Log.Warn("cannot read the stored profile", "data", ds.Name, "err", err)
		}
		if base == nil {
			var err error
			if base, err = metrics.Lookup(ctx, s.opts.Root, s.baselineOptions()); err != nil {
				return nil, err
			}
		}
		// TODO: the reference's table is read whole (git hands it over as one
		// slice); profiling it from a stream would bound the memory of large
		// tables, but metrics.Baseline offers no reader yet.
		data, err := base.ReadFile(ctx, ds.Path)
		if err != nil {
			s.opts.Log.Info("no training data to compare with", "data", ds.Name, "err", err)
			continue
		}
		p, err := datacheck.ProfileBytes(data, datacheck.OptionsFor(ds))
		if err != nil {
			return nil, fmt.Errorf("profiling %s at %s: %w", ds.Path, s.ref, err)
		}
		out[ds.Name] = p
	}
	return out, nil
}

func (s *state) storedProfile(name string) ([]byte, bool) {
	if s.ref.record == nil {
		return nil, false
	}
	raw, ok := s.ref.record.DataProfiles[name]
	return raw, ok && len(raw) > 0
}

// baselineOptions point the metrics' baseline at the reference's commit.
//
// TODO: the reference's cached outputs come from local caches only;
// retraining opens no remote cache (its pipeline neither pulls nor pushes
// one), so it sets no Fetch.
func (s *state) baselineOptions() metrics.Options {
	o := metrics.Options{Ref: s.ref.Commit, LockFile: s.cfg.LockFile}
	if s.opts.CacheDir != "" {
		o.CacheDirs = []string{s.opts.CacheDir}
	}
	return o
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

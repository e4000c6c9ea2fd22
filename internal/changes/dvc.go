package changes

import (
	"context"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/exit"
)

// DVC records data in two places, and a change to either is reported as a
// data change of the data's own path, not of the file that records it:
//
//   - a .dvc file (data/data.xml.dvc) holds the hash of the path it tracks;
//     every out whose hash differs between the sides is reported (data/data.xml);
//   - dvc.lock holds the hash of every stage's outs. An out that a stage of
//     the pipeline produces changes because the stage ran: that is a
//     consequence of other changes, not a cause, and is left out. An out no
//     running stage produces (a frozen stage, or a stage since removed) was
//     changed by hand, and is reported as data.
//
// A .dvc file whose outs keep their hashes (only metadata changed) is
// reported as itself. dvc.lock itself is always reported too, with its class.

// dvcOut is an out entry of a .dvc file or of a stage in dvc.lock.
type dvcOut struct {
	Path     string `yaml:"path"`
	MD5      string `yaml:"md5"`
	ETag     string `yaml:"etag"`
	Checksum string `yaml:"checksum"`
}

func (o dvcOut) hash() string { return o.MD5 + o.ETag + o.Checksum }

type dvcFile struct {
	Wdir string   `yaml:"wdir"`
	Outs []dvcOut `yaml:"outs"`
}

// lockFile is what mlci reads of a dvc.lock: each stage's outputs.
type lockFile struct {
	Stages map[string]lockStage `yaml:"stages"`
}

type lockStage struct {
	Outs []dvcOut `yaml:"outs"`
}

// UnmarshalYAML reads schema 2.0 (stages under stages:) and DVC 1's lock
// files (stages at the top, no schema:).
func (l *lockFile) UnmarshalYAML(n *yaml.Node) error {
	var v2 struct {
		Schema string               `yaml:"schema"`
		Stages map[string]lockStage `yaml:"stages"`
	}
	if err := n.Decode(&v2); err != nil {
		return err
	}
	if v2.Schema != "" || v2.Stages != nil {
		l.Stages = v2.Stages
		return nil
	}
	return n.Decode(&l.Stages)
}

// isDVCFile reports whether p tracks data for DVC (data.xml.dvc), as
// opposed to a file in DVC's own .dvc directory.
func isDVCFile(p string) bool {
	return strings.HasSuffix(p, ".dvc") && path.Base(p) != ".dvc" &&
		!strings.HasPrefix(p, ".dvc/") && !strings.Contains(p, "/.dvc/")
}

// expandDVC replaces changed .dvc files by the data they track, adds the
// data a dvc.lock change records, and sorts the files by path.
func (d *detector) expandDVC(ctx context.Context, sp span, files []File) ([]File, error) {
	// Filtered in place: out never gets ahead of the file being read.
	out := files[:0]
	var derived []File
	for _, f := range files {
		switch {
		case isDVCFile(f.Path) || isDVCFile(f.OldPath):
			tracked, err := d.dvcTracked(ctx, sp, f)
			if err != nil {
				return nil, err
			}
			if len(tracked) == 0 {
				out = append(out, f)
			}
			derived = append(derived, tracked...)
		case f.Path == d.lockFile():
			tracked, err := d.lockTracked(ctx, sp, f)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
			derived = append(derived, tracked...)
		default:
			out = append(out, f)
		}
	}
	out = mergeDerived(out, derived)
	byPath := func(a, b File) int { return strings.Compare(a.Path, b.Path) }
	if !slices.IsSortedFunc(out, byPath) {
		slices.SortFunc(out, byPath)
	}
	return out, nil
}

// mergeDerived adds the DVC-tracked files that git did not list already.
func mergeDerived(files, derived []File) []File {
	if len(derived) == 0 {
		return files
	}
	seen := make(map[string]bool, len(files)+len(derived))
	for _, f := range files {
		seen[f.Path] = true
	}
	for _, f := range derived {
		if !seen[f.Path] {
			seen[f.Path] = true
			files = append(files, f)
		}
	}
	return files
}

func (d *detector) lockFile() string {
	if d.cfg.LockFile != "" {
		return d.cfg.LockFile
	}
	if d.cfg.PipelineFile != "" {
		return path.Join(path.Dir(d.cfg.PipelineFile), "dvc.lock")
	}
	return "dvc.lock"
}

// dvcTracked returns the data whose hash the .dvc file f changed.
func (d *detector) dvcTracked(ctx context.Context, sp span, f File) ([]File, error) {
	base, head, known, err := d.sides(ctx, sp, f)
	if err != nil {
		return nil, err
	}
	var b, h dvcFile
	if err := parseYAML(base, &b, f.basePath(), "base", sp.contents); err != nil {
		return nil, err
	}
	if err := parseYAML(head, &h, f.Path, "head", sp.head); err != nil {
		return nil, err
	}
	baseOuts := outHashes(path.Join(path.Dir(f.basePath()), b.Wdir), b.Outs)
	headOuts := outHashes(path.Join(path.Dir(f.Path), h.Wdir), h.Outs)
	if !known {
		// Without the base side every tracked path counts as modified.
		baseOuts = map[string]string{}
		for p := range headOuts {
			baseOuts[p] = "?"
		}
	}
	return diffOuts(baseOuts, headOuts, f.Path), nil
}

// lockTracked returns the outs whose hash the dvc.lock change f records and
// that no running stage produces.
func (d *detector) lockTracked(ctx context.Context, sp span, f File) ([]File, error) {
	base, head, known, err := d.sides(ctx, sp, f)
	if err != nil || !known {
		return nil, err
	}
	var b, h lockFile
	if err := parseYAML(base, &b, f.basePath(), "base", sp.contents); err != nil {
		return nil, err
	}
	if err := parseYAML(head, &h, f.Path, "head", sp.head); err != nil {
		return nil, err
	}
	changed := diffOuts(d.lockHashes(f.basePath(), b), d.lockHashes(f.Path, h), f.Path)
	kept := changed[:0]
	for _, c := range changed {
		if !d.produced(c.Path) {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// lockHashes maps every out in the lock, relative to the root, to its hash.
func (d *detector) lockHashes(lockPath string, l lockFile) map[string]string {
	hashes := map[string]string{}
	for name, st := range l.Stages {
		dir := path.Dir(lockPath)
		if s := d.stage(name); s != nil {
			dir = path.Join(dir, s.Wdir)
		}
		for p, h := range outHashes(dir, st.Outs) {
			hashes[p] = h
		}
	}
	return hashes
}

// produced reports whether p is, or is under, an out of a stage that runs.
func (d *detector) produced(p string) bool {
	for _, s := range d.cfg.Stages {
		if s.Frozen {
			continue
		}
		for _, out := range stageOuts(s) {
			if covers(out, p) {
				return true
			}
		}
	}
	return false
}

func outHashes(dir string, outs []dvcOut) map[string]string {
	m := make(map[string]string, len(outs))
	for _, o := range outs {
		if o.Path != "" {
			m[path.Join(dir, o.Path)] = o.hash()
		}
	}
	return m
}

// diffOuts compares two path → hash maps and returns the differences as
// data files recorded by via.
func diffOuts(base, head map[string]string, via string) []File {
	var files []File
	for p, h := range head {
		b, ok := base[p]
		switch {
		case !ok:
			files = append(files, File{Path: p, Status: Added, Class: Data, Via: via})
		case b != h:
			files = append(files, File{Path: p, Status: Modified, Class: Data, Via: via})
		}
	}
	for p := range base {
		if _, ok := head[p]; !ok {
			files = append(files, File{Path: p, Status: Deleted, Class: Data, Via: via})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// parseYAML decodes data (nil for a missing side) into v; a malformed file
// is a configuration error naming the file and the side.
func parseYAML(data []byte, v any, file, side, rev string) error {
	if len(data) == 0 {
		return nil
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		return exit.Usagef("%s at the %s (%s): %v", file, side, short(rev), err)
	}
	return nil
}

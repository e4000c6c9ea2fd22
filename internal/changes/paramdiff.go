package changes

import (
	"context"
	"path"
	"sort"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/params"
)

// diffParams compares, key by key, every changed params file: the files
// stages name and the files of the params class. Files in a format the
// params package does not read (an .ini file, say) count as changed as a whole.
func (d *detector) diffParams(ctx context.Context, sp span, files []File) ([]ParamChange, error) {
	named := d.paramFiles()
	changes := []ParamChange{}
	for _, f := range files {
		if f.Via != "" || !named[f.Path] && !named[f.OldPath] && f.Class != Params {
			continue
		}
		fc, err := d.diffParamFile(ctx, sp, f)
		if err != nil {
			return nil, err
		}
		changes = append(changes, fc...)
	}
	sort.Slice(changes, func(i, j int) bool {
		if changes[i].File != changes[j].File {
			return changes[i].File < changes[j].File
		}
		return changes[i].Key < changes[j].Key
	})
	return changes, nil
}

// paramFiles returns the params files the stages name.
func (d *detector) paramFiles() map[string]bool {
	files := map[string]bool{}
	for _, s := range d.cfg.Stages {
		for _, ref := range s.Params {
			files[paramFile(ref.File)] = true
		}
	}
	return files
}

func paramFile(name string) string {
	if name == "" {
		return params.DefaultFile
	}
	return path.Clean(name)
}

func (d *detector) diffParamFile(ctx context.Context, sp span, f File) ([]ParamChange, error) {
	if !params.Readable(f.Path) {
		d.wholeParams[f.Path] = true
		return nil, nil
	}
	base, head, known, err := d.sides(ctx, sp, f)
	if err != nil {
		return nil, err
	}
	if !known {
		d.wholeParams[f.Path] = true
		return nil, nil
	}

	b, err := parseParams(base, f.basePath(), "base", sp.contents)
	if err != nil {
		return nil, err
	}
	h, err := parseParams(head, f.Path, "head", sp.head)
	if err != nil {
		return nil, err
	}
	changes := diffValues(f.Path, b, h)
	for _, c := range changes {
		d.paramKeys[f.Path] = append(d.paramKeys[f.Path], c.Key)
	}
	return changes, nil
}

// parseParams parses one side of a params file into flat dotted keys; a
// missing side has no keys. A malformed file is a configuration error.
func parseParams(data []byte, file, side, rev string) (map[string]any, error) {
	if data == nil {
		return map[string]any{}, nil
	}
	m, err := params.Parse(file, data)
	if err != nil {
		return nil, exit.Usagef("params file %s at the %s (%s): %v", file, side, short(rev), err)
	}
	return params.Flatten(m), nil
}

// diffValues returns the keys whose values differ, were added or removed.
func diffValues(file string, base, head map[string]any) []ParamChange {
	var changes []ParamChange
	for k, hv := range head {
		bv, ok := base[k]
		if !ok || !params.Equal(bv, hv) {
			changes = append(changes, ParamChange{Key: k, File: file, Base: bv, Head: hv})
		}
	}
	for k, bv := range base {
		if _, ok := head[k]; !ok {
			changes = append(changes, ParamChange{Key: k, File: file, Base: bv})
		}
	}
	return changes
}

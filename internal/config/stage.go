package config

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/params"
)

// outKeys are the options of an output; mlci reads cache and persist and
// accepts the others so that dvc.yaml files load as they are.
var outKeys = []string{"cache", "persist", "remote", "push", "desc", "checkpoint", "type",
	"labels", "meta"}

// plotKeys are the options of a plots output.
var plotKeys = []string{"x", "y", "template", "title", "x_label", "y_label", "cache",
	"persist", "desc", "remote", "push"}

// decodeStage decodes a stage whose expressions are expanded.
func (p *pipeline) decodeStage(name string, at *yaml.Node, fs fields, wdir, path string) *Stage {
	s := &Stage{Name: name, Wdir: wdir, Pos: p.d.pos(at)}
	if v := fs.val("cmd"); v != nil {
		if cmd, ok := p.d.strs(v, key(path, "cmd")); ok {
			s.Cmd = cmd
		}
		if len(s.Cmd) == 0 && !isNull(v) {
			p.d.errorf(v, key(path, "cmd"), "expected at least one command")
		}
	}
	s.Deps = p.deps(fs.val("deps"), wdir, key(path, "deps"))
	s.Outs = p.outs(fs.val("outs"), wdir, key(path, "outs"))
	s.Metrics = p.outs(fs.val("metrics"), wdir, key(path, "metrics"))
	s.Plots = p.stagePlots(fs.val("plots"), wdir, key(path, "plots"))
	s.Params = p.stageParams(fs.val("params"), wdir, key(path, "params"))
	p.flags(s, fs, path)
	return s
}

// flags decodes the scalar options of a stage.
func (p *pipeline) flags(s *Stage, fs fields, at string) {
	if v := fs.val("frozen"); v != nil {
		s.Frozen, _ = p.d.bool(v, key(at, "frozen"))
	}
	if v := fs.val("always_changed"); v != nil {
		s.AlwaysChanged, _ = p.d.bool(v, key(at, "always_changed"))
	}
	if v := fs.val("desc"); v != nil && !isNull(v) {
		p.d.str(v, key(at, "desc"))
	}
	if v := fs.val("timeout"); v != nil {
		s.Timeout, _ = p.d.duration(v, key(at, "timeout"))
	}
	if v := fs.val("runs_on"); v != nil {
		s.RunsOn, _ = p.d.strs(v, key(at, "runs_on"))
	}
}

// deps decodes a list of dependency paths.
func (p *pipeline) deps(n *yaml.Node, wdir, at string) []string {
	items, _ := p.d.list(n, at)
	var out []string
	for i, item := range items {
		if s, ok := p.d.nonEmpty(item, index(at, i)); ok {
			out = append(out, p.join(wdir, s))
		}
	}
	return out
}

// outs decodes outputs: paths, or one-key mappings of a path to options.
func (p *pipeline) outs(n *yaml.Node, wdir, at string) []Out {
	items, _ := p.d.list(n, at)
	var out []Out
	for i, item := range items {
		name, opts, ok := p.entryOf(item, index(at, i))
		if !ok || !p.inRepo(item, name, wdir, index(at, i)) {
			continue
		}
		o := Out{Path: p.join(wdir, name), Cache: true, Pos: p.d.pos(deref(item))}
		fs, _ := p.d.fields(opts, index(at, i), outKeys...)
		if v := fs.val("cache"); v != nil {
			o.Cache, _ = p.d.bool(v, key(index(at, i), "cache"))
		}
		if v := fs.val("persist"); v != nil {
			o.Persist, _ = p.d.bool(v, key(index(at, i), "persist"))
		}
		out = append(out, o)
	}
	return out
}

// entryOf splits a list item that is a path or a one-key mapping of a path
// to its options.
func (p *pipeline) entryOf(item *yaml.Node, at string) (string, *yaml.Node, bool) {
	item = deref(item)
	if item.Kind == yaml.ScalarNode {
		s, ok := p.d.nonEmpty(item, at)
		return s, nil, ok
	}
	ps, ok := p.d.pairs(item, at)
	if !ok {
		return "", nil, false
	}
	if len(ps) != 1 {
		p.d.errorf(item, at, "expected a path, or one path with its options, got %d keys", len(ps))
		return "", nil, false
	}
	if ps[0].name == "" {
		p.d.errorf(ps[0].key, at, "expected a non-empty path")
		return "", nil, false
	}
	return ps[0].name, ps[0].val, true
}

// inRepo checks that an output is a path inside the repository.
func (p *pipeline) inRepo(n *yaml.Node, name, wdir, at string) bool {
	rel := p.join(wdir, name)
	switch {
	case isExternal(name):
		p.d.errorf(n, at, "%q: outputs outside the repository are not supported", name)
	case outside(rel):
		p.d.errorf(n, at, "%q is outside the repository", name)
	case rel == ".":
		p.d.errorf(n, at, "%q: the repository itself cannot be an output", name)
	default:
		return true
	}
	return false
}

// stagePlots decodes plots outputs.
func (p *pipeline) stagePlots(n *yaml.Node, wdir, at string) []Plot {
	items, _ := p.d.list(n, at)
	var out []Plot
	for i, item := range items {
		name, opts, ok := p.entryOf(item, index(at, i))
		if !ok || !p.inRepo(item, name, wdir, index(at, i)) {
			continue
		}
		pl := Plot{Path: p.join(wdir, name), Cache: true, Pos: p.d.pos(deref(item))}
		fs, _ := p.d.fields(opts, index(at, i), plotKeys...)
		p.plotAxes(&pl, fs, index(at, i))
		p.plotOptions(&pl, fs, index(at, i))
		out = append(out, pl)
	}
	return out
}

// plotOptions decodes how a plot is drawn, but for its axes.
func (p *pipeline) plotOptions(pl *Plot, fs fields, at string) {
	str := func(k string, dst *string) {
		if v := fs.val(k); v != nil && !isNull(v) {
			*dst, _ = p.d.str(v, key(at, k))
		}
	}
	str("template", &pl.Template)
	str("title", &pl.Title)
	str("x_label", &pl.XLabel)
	str("y_label", &pl.YLabel)
	if v := fs.val("cache"); v != nil {
		pl.Cache, _ = p.d.bool(v, key(at, "cache"))
	}
}

// stageParams decodes a stage's params by DVC's rules: a string is a key
// of params.yaml; a mapping names another file with a list of its keys, or
// with nothing to read the whole file. A file read whole ignores keys named
// for it elsewhere in the list.
func (p *pipeline) stageParams(n *yaml.Node, wdir, at string) []ParamRef {
	items, _ := p.d.list(n, at)
	whole := p.wholeFiles(items, wdir)
	var refs []ParamRef
	ref := func(file string, pos Pos) *ParamRef {
		for i := range refs {
			if refs[i].File == file {
				return &refs[i]
			}
		}
		refs = append(refs, ParamRef{File: file, Pos: pos})
		return &refs[len(refs)-1]
	}
	for i, item := range items {
		item = deref(item)
		if item.Kind == yaml.ScalarNode {
			file := p.join(wdir, params.DefaultFile)
			if k, ok := p.d.nonEmpty(item, index(at, i)); ok && !whole[file] {
				p.addKey(ref(file, p.d.pos(item)), k, item, at)
			}
			continue
		}
		fs, ok := p.d.pairs(item, index(at, i))
		if !ok {
			continue
		}
		for _, f := range fs {
			file := p.join(wdir, f.name)
			r := ref(file, p.d.pos(f.key))
			if whole[file] {
				continue
			}
			keys, _ := p.d.list(f.val, key(index(at, i), f.name))
			for j, kn := range keys {
				if k, ok := p.d.nonEmpty(kn, index(key(index(at, i), f.name), j)); ok {
					p.addKey(r, k, deref(kn), at)
				}
			}
		}
	}
	for _, r := range refs {
		if whole[r.File] {
			p.checks = append(p.checks, paramCheck{path: at, file: r.File, pos: r.Pos})
		}
	}
	return refs
}

// wholeFiles returns the params files a list reads whole.
func (p *pipeline) wholeFiles(items []*yaml.Node, wdir string) map[string]bool {
	whole := map[string]bool{}
	for _, item := range items {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			v := deref(item.Content[i+1])
			if isNull(v) || (v.Kind == yaml.SequenceNode && len(v.Content) == 0) {
				whole[p.join(wdir, deref(item.Content[i]).Value)] = true
			}
		}
	}
	return whole
}

// addKey adds a key to a ref once and schedules its check.
func (p *pipeline) addKey(r *ParamRef, k string, n *yaml.Node, at string) {
	if contains(r.Keys, k) {
		return
	}
	r.Keys = append(r.Keys, k)
	p.checks = append(p.checks, paramCheck{path: at, file: r.File, key: k, pos: p.d.pos(n)})
}

// track adds the params a stage read through ${...} to its params, as DVC
// records them in dvc.lock.
func (p *pipeline) track(s *Stage, used []usedParam, at string) {
	for _, u := range used {
		i := 0
		for i < len(s.Params) && s.Params[i].File != u.file {
			i++
		}
		if i == len(s.Params) {
			s.Params = append(s.Params, ParamRef{File: u.file, Keys: []string{}, Pos: s.Pos})
		}
		r := &s.Params[i]
		if r.Keys == nil {
			continue // the stage reads the whole file already
		}
		if !contains(r.Keys, u.key) {
			r.Keys = append(r.Keys, u.key)
		}
	}
}

// definition returns the stage as written, expressions expanded, as
// canonical JSON (sorted keys); desc and meta are left out, as they do not
// change what the stage does.
func (p *pipeline) definition(tfs []field, resolved fields) string {
	m := map[string]any{}
	for _, f := range tfs {
		switch f.name {
		case "vars", "desc", "meta":
			continue
		}
		if r, ok := resolved[f.name]; ok {
			m[f.name] = p.plainNode(r.val, 0)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

// plainNode converts a node to plain Go values for JSON.
func (p *pipeline) plainNode(n *yaml.Node, depth int) any {
	n = deref(n)
	if n == nil || !p.d.step(n, depth) {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[deref(n.Content[i]).Value] = p.plainNode(n.Content[i+1], depth+1)
		}
		return m
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			list = append(list, p.plainNode(c, depth+1))
		}
		return list
	}
	if n.Tag == "!!null" {
		return nil
	}
	return scalar(n)
}

// checkParams checks that the params stages name exist. A params file no
// stage writes must exist; a key must be in its file.
func (p *pipeline) checkParams() {
	written := map[string]bool{}
	for _, s := range p.stages {
		for _, o := range outputs(s) {
			written[o.path] = true
		}
	}
	for _, c := range p.checks {
		f := p.files.get(c.file)
		switch {
		case f.missing && !written[c.file]:
			p.d.errorAt(c.pos, c.path, "params file %q not found", c.file)
		case f.plain == nil || c.key == "":
		default:
			if _, ok := params.Lookup(f.plain, c.key); !ok {
				p.d.errorAt(c.pos, c.path, "%s", missingKey(c.key, c.file))
			}
		}
	}
}

// missingKey says a key is not in its params file, with a hint when the
// key looks like a file someone meant to read whole.
func missingKey(k, file string) string {
	msg := "key " + strconv.Quote(k) + " not found in " + file
	if strings.EqualFold(path.Ext(file), ".py") {
		msg += " (a Python params file holds literal assignments only: at the top, in a " +
			"class, or to self in __init__)"
	}
	switch strings.ToLower(path.Ext(k)) {
	case ".yaml", ".yml", ".json", ".toml", ".py":
		msg += "; to read a whole params file, write it with a colon: `- " + k + ":`"
	}
	return msg
}

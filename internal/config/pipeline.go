package config

import (
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/params"
)

// maxStages bounds the stages foreach and matrix may make in one load.
const maxStages = 10000

// dvcKeys are the top-level keys of dvc.yaml.
var dvcKeys = []string{"vars", "stages", "plots", "metrics", "params", "artifacts", "datasets"}

// stageKeys are the keys of a stage: dvc.yaml's, then mlci's own.
var stageKeys = []string{
	"cmd", "wdir", "deps", "outs", "params", "metrics", "plots", "frozen",
	"always_changed", "desc", "meta", "vars", "timeout", "runs_on",
}

// pipeline reads the stages of one pipeline file: dvc.yaml, or mlci.yaml
// with its stages inline.
type pipeline struct {
	d     *decoder
	root  string
	file  string
	dir   string
	files *paramsFiles
	scope *scope
	// parsing are DVC's options for unpacking dictionaries into a cmd.
	parsing parsing

	stages []*Stage
	names  map[string]*Stage
	checks []paramCheck

	// The top-level sections of dvc.yaml.
	metrics     []string
	paramsFiles []string
	plots       []Plot
	artifacts   []*Model
}

// paramCheck is a param a stage names, checked once every stage is known.
type paramCheck struct {
	path string
	file string
	key  string // "" for a whole file
	pos  Pos
}

func newPipeline(d *decoder, root, file string, files *paramsFiles) *pipeline {
	dir := path.Dir(file)
	return &pipeline{d: d, root: root, file: file, dir: dir, files: files,
		parsing: d.at("").readParsing(root), names: map[string]*Stage{}}
}

// read reads the pipeline from the fields of its file's top mapping.
func (p *pipeline) read(top fields) {
	p.scope = p.globalScope(top.val("vars"))
	p.readStages(top.val("stages"))
	p.readTop(top)
	p.checkParams()
	p.checkGraph()
}

// globalScope loads params.yaml beside the pipeline file, if there is one,
// then the top-level vars.
func (p *pipeline) globalScope(vars *yaml.Node) *scope {
	s := &scope{values: newObject(), imports: map[string][]string{}}
	rel := p.join(p.dir, params.DefaultFile)
	if f := p.files.get(rel); f.v != nil {
		s.imports[rel] = nil
		_ = mergeInto(s.values, f.v.v.(*object), "")
	}
	if vars != nil {
		p.loadVars(s, vars, p.dir, "vars")
	}
	return s
}

// readStages expands every entry of `stages` in file order.
func (p *pipeline) readStages(n *yaml.Node) {
	entries, ok := p.d.pairs(n, "stages")
	if !ok {
		return
	}
	for _, e := range entries {
		if !p.validName(e) {
			continue
		}
		p.entry(e)
	}
}

// validName checks a stage name as DVC does.
func (p *pipeline) validName(e field) bool {
	if e.name == "" || strings.ContainsAny(e.name, "@:/\\,") {
		p.d.errorf(e.key, "stages",
			"invalid stage name %q: it may not be empty nor hold @ : / \\ ,", e.name)
		return false
	}
	return true
}

// entry expands one entry of `stages`: a stage, a foreach group or a matrix.
func (p *pipeline) entry(e field) {
	at := key("stages", e.name)
	all, ok := p.d.pairs(e.val, at)
	if !ok {
		return
	}
	fs := fields{}
	for _, f := range all {
		fs[f.name] = f
	}
	switch {
	case fs.has("matrix"):
		p.matrix(e, all, at)
	case fs.has("foreach") || fs.has("do"):
		p.foreach(e, fs, at)
	default:
		if p.checkTemplate(e.val, at) {
			p.stage(e.name, e.key, e.val, p.scope, at)
		}
	}
}

// checkTemplate reports unknown keys of a stage as written, once for all
// the stages it makes. It returns false when the stage is not a mapping.
func (p *pipeline) checkTemplate(n *yaml.Node, at string) bool {
	fs, ok := p.d.fields(n, at, stageKeys...)
	if ok && !fs.has("cmd") {
		p.d.errorf(n, at, "missing required key %q", "cmd")
	}
	return ok
}

// foreach expands a foreach/do group: one stage per item of a list
// (`name@item`, or `name@0` … when items are lists or mappings) or per key
// of a mapping (`name@key`).
func (p *pipeline) foreach(e field, fs fields, at string) {
	for _, f := range sortedKeys(fs) {
		if f != "foreach" && f != "do" {
			p.d.errorf(fs[f].key, at, "%s", unknownKey(f, []string{"foreach", "do"}))
		}
	}
	if !p.d.require(e.val, fs, at, "foreach", "do") {
		return
	}
	if !p.checkTemplate(fs.val("do"), key(at, "do")) {
		return
	}
	r := &resolver{d: p.d, scope: p.scope.values, parsing: p.parsing}
	data, ok := r.value(fs.val("foreach"), key(at, "foreach"))
	if !ok {
		return
	}
	for _, it := range iterations(data) {
		if it.name == "" {
			p.d.errorf(fs.val("foreach"), key(at, "foreach"),
				"expected a list or a mapping to iterate over, got %s", data.describe())
			return
		}
		name := e.name + "@" + it.name
		if !p.stage(name, e.key, fs.val("do"), p.scope.withItem(it.vars), key("stages", name)) {
			return
		}
	}
}

// iteration is one stage a foreach or matrix makes: its name after the @
// and the values it adds to the scope.
type iteration struct {
	name string
	vars map[string]*value
}

// iterations returns the items a foreach makes; one nameless iteration
// when data cannot be iterated.
func iterations(data *value) []iteration {
	var out []iteration
	switch t := data.v.(type) {
	case *object:
		for _, k := range t.keys {
			out = append(out, iteration{name: k, vars: map[string]*value{
				"item": t.m[k], "key": {v: k},
			}})
		}
	case []*value:
		composite := false
		for _, v := range t {
			composite = composite || !v.primitive()
		}
		for i, v := range t {
			name := toStr(v.v)
			if composite {
				name = strconv.Itoa(i)
			}
			out = append(out, iteration{name: name, vars: map[string]*value{"item": v}})
		}
	default:
		out = append(out, iteration{})
	}
	return out
}

// matrix expands a matrix stage: one stage per combination of the values
// of its keys, named by the values (`name@cnn-small`), or by key and index
// for values that are lists or mappings (`name@cnn-opts0`).
func (p *pipeline) matrix(e field, all []field, at string) {
	var mnode *yaml.Node
	tmpl := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: e.val.Line, Column: e.val.Column}
	for _, f := range all {
		if f.name == "matrix" {
			mnode = f.val
			continue
		}
		tmpl.Content = append(tmpl.Content, f.key, f.val)
	}
	if !p.checkTemplate(tmpl, at) {
		return
	}
	r := &resolver{d: p.d, scope: p.scope.values, parsing: p.parsing}
	data, ok := r.value(mnode, key(at, "matrix"))
	if !ok {
		return
	}
	axes, ok := p.axes(data, mnode, key(at, "matrix"))
	if !ok {
		return
	}
	for _, it := range combinations(axes) {
		name := e.name + "@" + it.name
		if !p.stage(name, e.key, tmpl, p.scope.withItem(it.vars), key("stages", name)) {
			return
		}
	}
}

// axis is one key of a matrix with its values.
type axis struct {
	name   string
	values []*value
}

// axes checks a matrix: a mapping of lists, not too many combinations.
func (p *pipeline) axes(data *value, n *yaml.Node, at string) ([]axis, bool) {
	o, ok := data.v.(*object)
	if !ok {
		p.d.errorf(n, at, "expected a mapping of lists, got %s", data.describe())
		return nil, false
	}
	if len(o.keys) == 0 {
		p.d.errorf(n, at, "expected at least one key to vary")
		return nil, false
	}
	var out []axis
	total := 1
	for _, k := range o.keys {
		list, ok := o.m[k].v.([]*value)
		if !ok {
			p.d.errorf(n, key(at, k), "expected a list of values, got %s", o.m[k].describe())
			return nil, false
		}
		total *= len(list)
		if total > maxStages {
			p.d.errorf(n, at, "makes more than %d stages", maxStages)
			return nil, false
		}
		out = append(out, axis{name: k, values: list})
	}
	return out, true
}

// combinations returns every combination of the axes' values, the last
// axis varying fastest, as Python's itertools.product does.
func combinations(axes []axis) []iteration {
	for _, a := range axes {
		if len(a.values) == 0 {
			return nil
		}
	}
	var out []iteration
	idx := make([]int, len(axes))
	for {
		item := newObject()
		frags := make([]string, len(axes))
		for i, a := range axes {
			v := a.values[idx[i]]
			item.set(a.name, v)
			frags[i] = toStr(v.v)
			if !v.primitive() {
				frags[i] = a.name + strconv.Itoa(idx[i])
			}
		}
		name := strings.Join(frags, "-")
		out = append(out, iteration{name: name, vars: map[string]*value{
			"item": {v: item}, "key": {v: name},
		}})

		i := len(axes) - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(axes[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// stage resolves and decodes one stage. It returns false when no more
// stages may be made.
func (p *pipeline) stage(name string, at, tmpl *yaml.Node, sc *scope, path string) bool {
	if len(p.stages) >= maxStages {
		p.d.errorf(at, "stages", "more than %d stages", maxStages)
		return false
	}
	if prev, dup := p.names[name]; dup {
		p.d.errorf(at, "stages", "stage %q repeats (first at %s)", name, prev.Pos)
		return true
	}

	tfs, _ := p.d.quiet().pairs(tmpl, path) // checkTemplate reported its errors
	wdir, ok := p.wdir(tfs, sc, path)
	if !ok {
		return true
	}
	if vars := fieldOf(tfs, "vars"); vars != nil {
		sc = sc.clone()
		p.loadVars(sc, vars, wdir, key(path, "vars"))
	}

	r := &resolver{d: p.d, scope: sc.values, parsing: p.parsing}
	resolved := fields{}
	for _, f := range tfs {
		if f.name == "vars" {
			continue
		}
		v, ok := r.node(f.val, f.name, key(path, f.name), 1)
		if !ok {
			return true
		}
		resolved[f.name] = field{key: f.key, val: v, name: f.name}
	}

	s := p.decodeStage(name, at, resolved, wdir, path)
	p.track(s, r.used, path)
	s.Definition = p.definition(tfs, resolved)
	p.stages = append(p.stages, s)
	p.names[name] = s
	return true
}

func fieldOf(fs []field, name string) *yaml.Node {
	for _, f := range fs {
		if f.name == name {
			return f.val
		}
	}
	return nil
}

// wdir resolves a stage's working directory, relative to the root.
func (p *pipeline) wdir(tfs []field, sc *scope, at string) (string, bool) {
	n := fieldOf(tfs, "wdir")
	if n == nil {
		return p.dir, true
	}
	r := &resolver{d: p.d, scope: sc.values, parsing: p.parsing}
	rn, ok := r.node(n, "wdir", key(at, "wdir"), 1)
	if !ok {
		return "", false
	}
	w, ok := p.d.str(rn, key(at, "wdir"))
	if !ok {
		return "", false
	}
	rel := p.join(p.dir, w)
	if outside(rel) || isExternal(w) {
		p.d.errorf(n, key(at, "wdir"), "%q is outside the repository", w)
		return "", false
	}
	return rel, true
}

// join resolves a path written in the pipeline against base (relative to
// the root); URLs and absolute paths are kept as written.
func (p *pipeline) join(base, s string) string {
	if isExternal(s) {
		return s
	}
	return path.Clean(path.Join(base, filepath.ToSlash(s)))
}

// isExternal reports whether s is a URL or an absolute path.
func isExternal(s string) bool {
	return strings.Contains(s, "://") || path.IsAbs(s) || filepath.IsAbs(s)
}

// outside reports whether a cleaned relative path leaves the root.
func outside(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, "../")
}

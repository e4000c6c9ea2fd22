package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/params"
)

// paramsFile is a params file as read once per load.
type paramsFile struct {
	// v is the file's content; nil when the file is missing or unreadable.
	v *value
	// plain is v as nested maps, for params.Lookup.
	plain map[string]any
	// missing means there is no such file.
	missing bool
	// err is the error reading the file, already recorded.
	err bool
}

// paramsFiles reads params files under root, once each.
type paramsFiles struct {
	root  string
	d     *decoder
	files map[string]*paramsFile
}

func newParamsFiles(root string, d *decoder) *paramsFiles {
	return &paramsFiles{root: root, d: d, files: map[string]*paramsFile{}}
}

// get returns the params file at rel, a path relative to the root.
func (c *paramsFiles) get(rel string) *paramsFile {
	if f, ok := c.files[rel]; ok {
		return f
	}
	f := c.read(rel)
	c.files[rel] = f
	return f
}

func (c *paramsFiles) read(rel string) *paramsFile {
	data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return &paramsFile{missing: true}
	}
	if err != nil {
		c.d.at(rel).errorf(nil, "", "reading params file: %v", err)
		return &paramsFile{err: true}
	}
	switch strings.ToLower(path.Ext(rel)) {
	case ".json", ".toml", ".py":
		return c.parseOther(rel, data)
	}
	return c.parseYAML(rel, data)
}

// parseYAML reads a YAML params file keeping its keys in order, so that a
// foreach over one of its mappings makes stages in the written order.
func (c *paramsFiles) parseYAML(rel string, data []byte) *paramsFile {
	d := c.d.at(rel)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.syntaxError(err)
		return &paramsFile{err: true}
	}
	top := deref(&doc)
	if !isNull(top) && top.Kind != yaml.MappingNode {
		d.errorf(top, "", "expected a mapping of params at the top, got %s", describe(top))
		return &paramsFile{err: true}
	}
	before := len(*d.errs)
	v, ok := d.fromNode(top, rel, "", 0)
	if !ok || len(*d.errs) > before {
		return &paramsFile{err: true}
	}
	if v.v == nil {
		v.v = newObject()
	}
	return &paramsFile{v: v, plain: v.plain().(map[string]any)}
}

// parseOther reads JSON, TOML and Python params files through the params
// package.
func (c *paramsFiles) parseOther(rel string, data []byte) *paramsFile {
	m, err := params.Parse(rel, data)
	var le *params.LineError
	if errors.As(err, &le) {
		c.d.errorAt(Pos{File: rel, Line: le.Line}, "", "%s", le.Msg)
		return &paramsFile{err: true}
	}
	if err != nil {
		c.d.at(rel).errorf(nil, "", "%v", err)
		return &paramsFile{err: true}
	}
	return &paramsFile{v: fromAny(m, rel, ""), plain: m}
}

// yamlLine finds the line yaml.v3 gives in its messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError records a YAML parse error at the line it names.
func (d *decoder) syntaxError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.errorAt(Pos{File: d.file, Line: line}, "", "invalid YAML: %s", m[2])
		return
	}
	d.errorAt(Pos{File: d.file}, "", "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// scope is what ${...} can name while a pipeline file is read: params.yaml
// beside it, then its vars, then a stage's own vars, item and key.
type scope struct {
	values *object
	// imports are the params files loaded into values, with the keys taken
	// from each (nil: the whole file), as DVC tracks them.
	imports map[string][]string
	// reserved are names vars may not set (item and key in foreach stages).
	reserved map[string]*value
}

func (s *scope) clone() *scope {
	imports := make(map[string][]string, len(s.imports))
	for k, v := range s.imports {
		imports[k] = append([]string(nil), v...)
		if v == nil {
			imports[k] = nil
		}
	}
	return &scope{values: s.values.clone(), imports: imports, reserved: s.reserved}
}

// withItem returns the scope of one stage made by foreach or matrix.
func (s *scope) withItem(extra map[string]*value) *scope {
	return &scope{values: s.values.with(extra), imports: s.imports, reserved: extra}
}

// loadVars merges vars into s: names of params files (`file.yaml`, or
// `file.yaml:key1,key2` for some top-level keys) relative to wdir, and
// mappings written inline. where names the list in messages.
func (p *pipeline) loadVars(s *scope, list *yaml.Node, wdir, where string) {
	items, ok := p.d.list(list, where)
	if !ok {
		return
	}
	for i, item := range items {
		at := index(where, i)
		item = deref(item)
		if p.hasExpr(item) {
			p.d.errorf(item, at, "interpolating is not allowed in vars")
			continue
		}
		if item.Kind == yaml.ScalarNode && item.Tag == "!!str" {
			p.loadVarsFile(s, item, wdir, at)
			continue
		}
		if item.Kind != yaml.MappingNode {
			p.d.errorf(item, at, "expected a params file name or a mapping, got %s", describe(item))
			continue
		}
		v, ok := p.d.fromNode(item, "", "", 0)
		if ok {
			p.merge(s, v.v.(*object), item, at)
		}
	}
}

// loadVarsFile merges a params file, or some of its top-level keys, into s.
func (p *pipeline) loadVarsFile(s *scope, item *yaml.Node, wdir, at string) {
	name, keysText, _ := strings.Cut(item.Value, ":")
	var keys []string
	for _, k := range strings.Split(keysText, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	rel := p.join(wdir, name)
	if !p.checkImport(s, rel, keys, item, at) {
		return
	}

	f := p.files.get(rel)
	switch {
	case f.missing:
		p.d.errorf(item, at, "params file %q not found", rel)
		return
	case f.err:
		return
	}
	p.merge(s, selectKeys(f.v.v.(*object), keys, rel, p.d, item, at), item, at)
}

// checkImport applies DVC's rules for loading one file twice: a whole file
// again is skipped; a part of a file already loaded whole, or the same keys
// twice, is an error.
func (p *pipeline) checkImport(s *scope, rel string, keys []string, item *yaml.Node,
	at string) bool {
	prev, loaded := s.imports[rel]
	switch {
	case !loaded:
		s.imports[rel] = keys
		return true
	case keys == nil && prev == nil:
		return false
	case keys == nil || prev == nil:
		p.d.errorf(item, at, "cannot load %q: %s is already loaded in part or whole",
			item.Value, rel)
		return false
	}
	for _, k := range keys {
		if contains(prev, k) {
			p.d.errorf(item, at, "cannot load %q: key %q of %s is already loaded",
				item.Value, k, rel)
			return false
		}
	}
	s.imports[rel] = append(prev, keys...)
	return true
}

// selectKeys returns the top-level keys of a params file that vars asks for.
func selectKeys(o *object, keys []string, rel string, d *decoder, item *yaml.Node,
	at string) *object {
	if keys == nil {
		return o
	}
	out := newObject()
	for _, k := range keys {
		v, ok := o.get(k)
		if !ok {
			d.errorf(item, at, "could not find %q in %s", k, rel)
			continue
		}
		out.set(k, v)
	}
	return out
}

// merge adds from into the scope: mappings merge key by key; a key that
// already holds a value cannot be set again.
func (p *pipeline) merge(s *scope, from *object, item *yaml.Node, at string) {
	for _, k := range from.keys {
		if _, ok := s.reserved[k]; ok {
			p.d.errorf(item, at, "cannot set %q: it is reserved for foreach and matrix", k)
			return
		}
	}
	if err := mergeInto(s.values, from, ""); err != nil {
		p.d.errorf(item, at, "%v", err)
	}
}

func mergeInto(into, from *object, prefix string) error {
	for _, k := range from.keys {
		nv := from.m[k]
		cur, exists := into.get(k)
		if !exists {
			if o, ok := nv.v.(*object); ok {
				nv = &value{v: o.clone(), file: nv.file, key: nv.key}
			}
			into.set(k, nv)
			continue
		}
		co, ok1 := cur.v.(*object)
		no, ok2 := nv.v.(*object)
		if !ok1 || !ok2 {
			return fmt.Errorf("cannot redefine %q: it is already defined%s",
				joinKey(prefix, k), origin(cur))
		}
		if err := mergeInto(co, no, joinKey(prefix, k)); err != nil {
			return err
		}
	}
	return nil
}

func origin(v *value) string {
	if v.file == "" {
		return " in vars"
	}
	return " in " + v.file
}

// hasExpr reports whether any string under n holds a ${...} expression.
func (p *pipeline) hasExpr(n *yaml.Node) bool {
	return p.d.anyString(n, 0, hasExpr)
}

// anyString reports whether f holds for a string scalar under n.
func (d *decoder) anyString(n *yaml.Node, depth int, f func(string) bool) bool {
	n = deref(n)
	if n == nil || !d.step(n, depth) {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return n.Tag == "!!str" && f(n.Value)
	}
	for _, c := range n.Content {
		if d.anyString(c, depth+1, f) {
			return true
		}
	}
	return false
}

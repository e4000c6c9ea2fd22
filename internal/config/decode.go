package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

const (
	// maxSteps bounds the nodes one load may walk, so that aliases nested
	// in aliases cannot blow a small file up into billions of nodes.
	maxSteps = 1 << 21
	// maxDepth bounds nesting, which also stops an alias that contains itself.
	maxDepth = 100
)

// decoder turns the yaml.Nodes of one file into values. Every error it
// records names the file, the line and column, and the key path.
type decoder struct {
	file  string
	errs  *Errors
	steps *int
}

func newDecoder(file string, errs *Errors, steps *int) *decoder {
	return &decoder{file: file, errs: errs, steps: steps}
}

// at returns a decoder for another file sharing the error list and budget.
func (d *decoder) at(file string) *decoder { return newDecoder(file, d.errs, d.steps) }

// quiet returns a decoder that drops its errors, to read again what was
// checked already.
func (d *decoder) quiet() *decoder { return newDecoder(d.file, new(Errors), d.steps) }

func (d *decoder) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: d.file}
	}
	return Pos{File: d.file, Line: n.Line, Col: n.Column}
}

// errorf records an error at n, prefixed with the key path when there is one.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errorAt(d.pos(n), path, format, args...)
}

func (d *decoder) errorAt(p Pos, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	*d.errs = append(*d.errs, &Error{Pos: p, Msg: msg})
}

// step spends one unit of the walking budget; false means it is exhausted,
// which is reported once.
func (d *decoder) step(n *yaml.Node, depth int) bool {
	*d.steps++
	if *d.steps == maxSteps {
		d.errorf(n, "", "document too large: more than %d nodes once aliases are expanded",
			maxSteps)
	}
	if depth > maxDepth {
		if *d.steps < maxSteps {
			*d.steps = maxSteps
			d.errorf(n, "", "nested deeper than %d levels (is an alias inside itself?)", maxDepth)
		}
		return false
	}
	return *d.steps < maxSteps
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return deref(n.Content[0])
	}
	return n
}

// isNull reports whether n is absent or an explicit null.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what n holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil || n.Kind == 0:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "boolean " + n.Value
	case "!!int", "!!float":
		return "number " + n.Value
	}
	return strconv.Quote(n.Value)
}

// field is one key and its value in a mapping.
type field struct {
	key, val *yaml.Node
	name     string
}

// pairs returns the fields of a mapping in file order, with YAML merge keys
// (`<<: *base`) expanded under the explicit keys. It reports a node that is
// not a mapping, keys that are not scalars, and repeated keys.
func (d *decoder) pairs(n *yaml.Node, path string) ([]field, bool) {
	return d.pairsAt(n, path, 0)
}

func (d *decoder) pairsAt(n *yaml.Node, path string, depth int) ([]field, bool) {
	n = deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return nil, false
	}
	if !d.step(n, depth) {
		return nil, false
	}
	var explicit, merged []field
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "expected a string key, got %s", describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, d.mergeValue(v, path, depth)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, path, "key %q repeats (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		explicit = append(explicit, field{key: k, val: v, name: k.Value})
	}
	for _, f := range merged {
		if _, ok := seen[f.name]; !ok {
			seen[f.name] = f.key
			explicit = append(explicit, f)
		}
	}
	return explicit, true
}

// mergeValue returns the fields a merge key brings in: a mapping or a list
// of mappings.
func (d *decoder) mergeValue(v *yaml.Node, path string, depth int) []field {
	v = deref(v)
	if v.Kind != yaml.SequenceNode {
		fs, _ := d.pairsAt(v, path, depth+1)
		return fs
	}
	var out []field
	for _, m := range v.Content {
		fs, _ := d.pairsAt(m, path, depth+1)
		out = append(out, fs...)
	}
	return out
}

// fields is a mapping's fields by name.
type fields map[string]field

// has reports whether the mapping sets key (to anything, null included).
func (fs fields) has(key string) bool {
	_, ok := fs[key]
	return ok
}

// val returns the value of key, nil when absent.
func (fs fields) val(key string) *yaml.Node {
	if f, ok := fs[key]; ok {
		return f.val
	}
	return nil
}

// fields returns the fields of a mapping whose keys must be among known;
// other keys are reported with a suggestion. A null node is an empty mapping.
func (d *decoder) fields(n *yaml.Node, path string, known ...string) (fields, bool) {
	ps, ok := d.pairs(n, path)
	if !ok {
		return nil, false
	}
	out := make(fields, len(ps))
	for _, p := range ps {
		if !contains(known, p.name) {
			d.errorf(p.key, path, "%s", unknownKey(p.name, known))
			continue
		}
		out[p.name] = p
	}
	return out, true
}

// require reports the keys of keys that fs lacks.
func (d *decoder) require(n *yaml.Node, fs fields, path string, keys ...string) bool {
	ok := true
	for _, k := range keys {
		if !fs.has(k) || isNull(fs.val(k)) {
			d.errorf(n, path, "missing required key %q", k)
			ok = false
		}
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// list returns the items of a sequence; null is an empty list.
func (d *decoder) list(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, got %s", describe(n))
		return nil, false
	}
	return n.Content, true
}

// str returns a string scalar.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, path, "expected a string, got %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// nonEmpty returns a string scalar that must not be empty.
func (d *decoder) nonEmpty(n *yaml.Node, path string) (string, bool) {
	s, ok := d.str(n, path)
	if ok && s == "" {
		d.errorf(n, path, "expected a non-empty string")
		return "", false
	}
	return s, ok
}

// strs returns a string or a list of strings as a list.
func (d *decoder) strs(n *yaml.Node, path string) ([]string, bool) {
	n = deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return []string{n.Value}, true
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a string or a list of strings, got %s", describe(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		s, good := d.str(item, index(path, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// float returns a finite number.
func (d *decoder) float(n *yaml.Node, path string) (float64, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		d.errorf(n, path, "expected a number, got %s", describe(n))
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		d.errorf(n, path, "expected a finite number, got %s", n.Value)
		return 0, false
	}
	return f, true
}

// floatPtr returns a number as a pointer, nil when n is null.
func (d *decoder) floatPtr(n *yaml.Node, path string) *float64 {
	if isNull(n) {
		return nil
	}
	f, ok := d.float(n, path)
	if !ok {
		return nil
	}
	return &f
}

// int returns an integer.
func (d *decoder) int(n *yaml.Node, path string) (int, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, path, "expected a whole number, got %s", describe(n))
		return 0, false
	}
	var i int
	if err := n.Decode(&i); err != nil {
		d.errorf(n, path, "expected a whole number, got %s", n.Value)
		return 0, false
	}
	return i, true
}

// count returns a whole number that must not be negative.
func (d *decoder) count(n *yaml.Node, path string) (int, bool) {
	i, ok := d.int(n, path)
	if ok && i < 0 {
		d.errorf(n, path, "expected a whole number of 0 or more, got %d", i)
		return 0, false
	}
	return i, ok
}

// bool returns a boolean.
func (d *decoder) bool(n *yaml.Node, path string) (bool, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, path, "expected true or false, got %s", describe(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		d.errorf(n, path, "expected true or false, got %s", n.Value)
		return false, false
	}
	return b, true
}

// oneOf returns a string that must be one of allowed.
func (d *decoder) oneOf(n *yaml.Node, path string, allowed ...string) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	if !contains(allowed, s) {
		d.errorf(n, path, "%s", unknownValue("value", s, allowed))
		return "", false
	}
	return s, true
}

// key joins a key path and a key.
func key(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// index joins a key path and a list index.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

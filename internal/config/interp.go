package config

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// expr is one ${...} in a string.
type expr struct {
	start, end int
	inner      string
}

// findExprs returns the ${...} expressions in s. An expression ends at the
// first `}` on its line; `\${` is not an expression.
func findExprs(s string) []expr {
	var out []expr
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			break
		}
		j += i
		if j > 0 && s[j-1] == '\\' {
			i = j + 2
			continue
		}
		k := strings.IndexAny(s[j+2:], "}\n")
		if k < 0 || s[j+2+k] == '\n' {
			i = j + 2
			continue
		}
		k += j + 2
		out = append(out, expr{start: j, end: k + 1, inner: s[j+2 : k]})
		i = k + 1
	}
	return out
}

// hasExpr reports whether s holds a ${...} expression.
func hasExpr(s string) bool { return len(findExprs(s)) > 0 }

// parseExpr splits `a.b[0].c` into its names: a word, then `.word` or
// `[word]` any number of times. Spaces around a name are dropped.
func parseExpr(s string) ([]string, error) {
	var names []string
	i := 0
	word := func() (string, bool) {
		start := i
		for i < len(s) && s[i] != '.' && s[i] != '[' && s[i] != ']' {
			i++
		}
		return strings.TrimSpace(s[start:i]), i > start
	}
	w, ok := word()
	if !ok {
		return nil, fmt.Errorf("${%s}: expected a name", s)
	}
	names = append(names, w)
	for i < len(s) {
		c := s[i]
		i++
		switch c {
		case '.':
			if w, ok = word(); !ok {
				return nil, fmt.Errorf("${%s}: expected a name after '.'", s)
			}
		case '[':
			if w, ok = word(); !ok || i >= len(s) || s[i] != ']' {
				return nil, fmt.Errorf("${%s}: expected an index and ']' after '['", s)
			}
			i++
		default:
			return nil, fmt.Errorf("${%s}: unexpected %q", s, c)
		}
		names = append(names, w)
	}
	return names, nil
}

// lookup finds the value an expression names in scope.
func lookup(scope *object, s string) (*value, error) {
	names, err := parseExpr(s)
	if err != nil {
		return nil, err
	}
	cur := &value{v: scope}
	for _, name := range names {
		next, ok := child(cur, name)
		if !ok {
			return nil, fmt.Errorf("could not find %q", strings.TrimSpace(s))
		}
		cur = next
	}
	return cur, nil
}

// child returns a key of a mapping or an index of a list (negative indexes
// count from the end, as in Python).
func child(v *value, name string) (*value, bool) {
	switch t := v.v.(type) {
	case *object:
		return t.get(name)
	case []*value:
		i, err := strconv.Atoi(name)
		if err != nil {
			return nil, false
		}
		if i < 0 {
			i += len(t)
		}
		if i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

// usedParam is a param a stage read through ${...}.
type usedParam struct{ file, key string }

// resolver expands ${...} in the nodes of one stage or section.
type resolver struct {
	d       *decoder
	scope   *object
	parsing parsing
	used    []usedParam
}

// node returns a copy of n with its expressions expanded. field is the
// stage's key that n sits under ("cmd", "outs", …), or "" where any type of
// value may be substituted (foreach, matrix, top-level sections).
func (r *resolver) node(n *yaml.Node, field, path string, depth int) (*yaml.Node, bool) {
	n = deref(n)
	if n == nil || !r.d.step(n, depth) {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		return r.mapping(n, field, path, depth)
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Line: n.Line, Column: n.Column}
		for i, item := range n.Content {
			c, ok := r.node(item, field, index(path, i), depth+1)
			if !ok {
				return nil, false
			}
			out.Content = append(out.Content, c)
		}
		return out, true
	case yaml.ScalarNode:
		if n.Tag == "!!str" && strings.Contains(n.Value, "${") {
			return r.scalar(n, field, path)
		}
	}
	return n, true
}

func (r *resolver) mapping(n *yaml.Node, field, path string, depth int) (*yaml.Node, bool) {
	ps, ok := r.d.pairsAt(n, path, depth)
	if !ok {
		return nil, false
	}
	out := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Line: n.Line, Column: n.Column}
	for _, p := range ps {
		k, ok := r.node(p.key, field, path, depth+1)
		if !ok {
			return nil, false
		}
		if k.Kind != yaml.ScalarNode {
			r.d.errorf(p.key, path, "a key must be a string, but %q gives %s", p.name, describe(k))
			return nil, false
		}
		v, ok := r.node(p.val, field, key(path, p.name), depth+1)
		if !ok {
			return nil, false
		}
		out.Content = append(out.Content, k, v)
	}
	return out, true
}

// scalar expands the expressions of a string: an expression that is the
// whole string keeps the type of its value; others are written into it.
func (r *resolver) scalar(n *yaml.Node, field, path string) (*yaml.Node, bool) {
	exprs := findExprs(n.Value)
	if len(exprs) == 1 && exprs[0].start == 0 && exprs[0].end == len(n.Value) {
		v, ok := r.lookup(n, exprs[0].inner, field, path)
		if !ok {
			return nil, false
		}
		if field == "cmd" && !v.primitive() {
			s, ok := r.unpack(n, v, path)
			return strNode(n, s), ok
		}
		return toNode(v, n.Line, n.Column), true
	}

	var b strings.Builder
	last := 0
	for _, e := range exprs {
		v, ok := r.lookup(n, e.inner, field, path)
		if !ok {
			return nil, false
		}
		s := toStr(v.v)
		if !v.primitive() {
			if s, ok = r.unpack(n, v, path); !ok {
				return nil, false
			}
		}
		b.WriteString(n.Value[last:e.start])
		b.WriteString(s)
		last = e.end
	}
	b.WriteString(n.Value[last:])
	return strNode(n, strings.ReplaceAll(b.String(), `\${`, "${")), true
}

// lookup finds an expression's value, checks that it may go where it is
// going, and records the param it came from.
func (r *resolver) lookup(n *yaml.Node, inner, field, path string) (*value, bool) {
	v, err := lookup(r.scope, inner)
	if err != nil {
		r.d.errorf(n, path, "%v", err)
		return nil, false
	}
	_, isDict := v.v.(*object)
	if field != "" && !v.primitive() && !(field == "cmd" && isDict) {
		r.d.errorf(n, path, "${%s} is %s; only a single value can go here "+
			"(cmd also takes a mapping, as --key value options)",
			strings.TrimSpace(inner), v.describe())
		return nil, false
	}
	if v.file != "" && !isDict {
		r.used = append(r.used, usedParam{file: v.file, key: v.key})
	}
	return v, true
}

// unpack writes a dictionary as command-line options, as DVC does in cmd:
// `--key value`, nested keys joined by dots, true as a bare flag, false
// left out (or --no-key with parsing.bool: boolean_optional), lists as
// several values (or --key before each with parsing.list: append), strings
// quoted for the shell.
func (r *resolver) unpack(n *yaml.Node, v *value, path string) (string, bool) {
	o, ok := v.v.(*object)
	if !ok {
		r.d.errorf(n, path, "cannot write %s into a string", v.describe())
		return "", false
	}
	var parts []string
	for _, leaf := range flattenObject(o, "") {
		part, err := option(leaf.key, leaf.v, r.parsing)
		if err != nil {
			r.d.errorf(n, path, "%v", err)
			return "", false
		}
		if part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, " "), true
}

type leaf struct {
	key string
	v   *value
}

// flattenObject returns the non-mapping values of o under dotted keys.
func flattenObject(o *object, prefix string) []leaf {
	var out []leaf
	for _, k := range o.keys {
		v := o.m[k]
		if sub, ok := v.v.(*object); ok {
			out = append(out, flattenObject(sub, joinKey(prefix, k))...)
			continue
		}
		out = append(out, leaf{key: joinKey(prefix, k), v: v})
	}
	return out
}

// option writes one unpacked key as a command-line option.
func option(k string, v *value, p parsing) (string, error) {
	switch t := v.v.(type) {
	case bool:
		switch {
		case t:
			return "--" + k, nil
		case p.boolOptional:
			return "--no-" + k, nil
		}
		return "", nil
	case string:
		return "--" + k + " " + shellQuote(t), nil
	case []*value:
		parts := []string{"--" + k}
		for i, item := range t {
			if !item.primitive() {
				return "", fmt.Errorf("cannot interpolate nested iterable in %q", k)
			}
			s := toStr(item.v)
			if str, ok := item.v.(string); ok {
				s = shellQuote(str)
			}
			if p.listAppend && i > 0 {
				parts = append(parts, "--"+k)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), nil
	}
	return "--" + k + " " + toStr(v.v), nil
}

// shellQuote quotes s for a POSIX shell unless it is made of safe characters
// only, as Python's shlex.quote does.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c == '_' || c == '@' || c == '%' || c == '+' || c == '=' || c == ':' ||
			c == ',' || c == '.' || c == '/' || c == '-' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func strNode(at *yaml.Node, s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s,
		Line: at.Line, Column: at.Column}
}

// value returns the value of a node with its expressions expanded; for the
// data of foreach and matrix, which may take values from params files. The
// data itself is not a param of the stages; what they take from it through
// ${item} is, so nothing is recorded here.
func (r *resolver) value(n *yaml.Node, path string) (*value, bool) {
	mark := len(r.used)
	defer func() { r.used = r.used[:mark] }()

	n = deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		exprs := findExprs(n.Value)
		if len(exprs) == 1 && exprs[0].start == 0 && exprs[0].end == len(n.Value) {
			return r.lookup(n, exprs[0].inner, "", path)
		}
	}
	resolved, ok := r.node(n, "", path, 0)
	if !ok {
		return nil, false
	}
	return r.d.fromNode(resolved, "", "", 0)
}

package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// value is something a ${...} expression can name. It remembers the params
// file and key it was read from, so that params a stage uses through ${...}
// become params of the stage, as DVC tracks them.
type value struct {
	// v is nil, bool, int64, float64, string, []*value or *object.
	v any
	// file is the params file, relative to the root; "" for values written
	// in the pipeline file itself (vars, foreach lists), which are not tracked.
	file string
	// key is the dotted key of the value within file.
	key string
}

// object is a mapping that keeps its keys in the order they were written.
type object struct {
	keys []string
	m    map[string]*value
}

func newObject() *object { return &object{m: map[string]*value{}} }

func (o *object) get(k string) (*value, bool) {
	v, ok := o.m[k]
	return v, ok
}

func (o *object) set(k string, v *value) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

// clone copies the mappings of o all the way down; lists and scalars are
// never changed in place, so they are shared.
func (o *object) clone() *object {
	c := &object{keys: append([]string(nil), o.keys...), m: make(map[string]*value, len(o.m))}
	for k, v := range o.m {
		if sub, ok := v.v.(*object); ok {
			v = &value{v: sub.clone(), file: v.file, key: v.key}
		}
		c.m[k] = v
	}
	return c
}

// with returns a shallow copy of o with extra top-level values set.
func (o *object) with(extra map[string]*value) *object {
	c := &object{keys: append([]string(nil), o.keys...), m: make(map[string]*value, len(o.m)+2)}
	for k, v := range o.m {
		c.m[k] = v
	}
	for _, k := range sortedKeys(extra) {
		c.set(k, extra[k])
	}
	return c
}

// primitive reports whether v is a scalar (null included).
func (v *value) primitive() bool {
	switch v.v.(type) {
	case []*value, *object:
		return false
	}
	return true
}

// describe names what v holds, for "expected X, got Y" messages.
func (v *value) describe() string {
	switch t := v.v.(type) {
	case []*value:
		return "a list"
	case *object:
		return "a mapping"
	case nil:
		return "null"
	case bool:
		return "boolean " + toStr(t)
	case int64, float64:
		return "number " + toStr(t)
	}
	return strconv.Quote(fmt.Sprint(v.v))
}

// fromNode converts a YAML node into a value read from file (or written
// inline when file is ""). Keys keep their written order.
func (d *decoder) fromNode(n *yaml.Node, file, k string, depth int) (*value, bool) {
	n = deref(n)
	if !d.step(n, depth) {
		return nil, false
	}
	if isNull(n) {
		return &value{file: file, key: k}, true
	}
	switch n.Kind {
	case yaml.MappingNode:
		return d.objectFromNode(n, file, k, depth)
	case yaml.SequenceNode:
		list := make([]*value, 0, len(n.Content))
		for i, item := range n.Content {
			v, ok := d.fromNode(item, file, joinKey(k, strconv.Itoa(i)), depth+1)
			if !ok {
				return nil, false
			}
			list = append(list, v)
		}
		return &value{v: list, file: file, key: k}, true
	}
	return &value{v: scalar(n), file: file, key: k}, true
}

func (d *decoder) objectFromNode(n *yaml.Node, file, k string, depth int) (*value, bool) {
	ps, ok := d.pairsAt(n, k, depth)
	if !ok {
		return nil, false
	}
	o := newObject()
	for _, p := range ps {
		v, ok := d.fromNode(p.val, file, joinKey(k, p.name), depth+1)
		if !ok {
			return nil, false
		}
		o.set(p.name, v)
	}
	return &value{v: o, file: file, key: k}, true
}

// scalar returns the Go value of a scalar node.
func scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// fromAny converts a params map (from the params package) into a value.
// Go maps have no order, so keys are sorted.
//
// TODO: keep the written order of JSON and TOML params files too (YAML's is
// kept), so that a foreach over one of their mappings orders its stages as
// DVC does; the params package returns plain maps.
func fromAny(x any, file, k string) *value {
	switch t := x.(type) {
	case map[string]any:
		o := newObject()
		for _, name := range sortedKeys(t) {
			o.set(name, fromAny(t[name], file, joinKey(k, name)))
		}
		return &value{v: o, file: file, key: k}
	case []any:
		list := make([]*value, len(t))
		for i, item := range t {
			list[i] = fromAny(item, file, joinKey(k, strconv.Itoa(i)))
		}
		return &value{v: list, file: file, key: k}
	case int:
		return &value{v: int64(t), file: file, key: k}
	case int64, float64, bool, string, nil:
		return &value{v: t, file: file, key: k}
	}
	return &value{v: fmt.Sprint(x), file: file, key: k}
}

// plain converts a value back to plain Go values (maps, slices, scalars).
func (v *value) plain() any {
	switch t := v.v.(type) {
	case *object:
		m := make(map[string]any, len(t.m))
		for k, x := range t.m {
			m[k] = x.plain()
		}
		return m
	case []*value:
		list := make([]any, len(t))
		for i, x := range t {
			list[i] = x.plain()
		}
		return list
	}
	return v.v
}

func joinKey(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// toNode converts a value into a YAML node placed at line and column, so
// that errors about an interpolated value point at the expression.
func toNode(v *value, line, col int) *yaml.Node {
	n := &yaml.Node{Line: line, Column: col}
	switch t := v.v.(type) {
	case *object:
		n.Kind, n.Tag = yaml.MappingNode, "!!map"
		for _, k := range t.keys {
			kn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: line, Column: col}
			n.Content = append(n.Content, kn, toNode(t.m[k], line, col))
		}
		return n
	case []*value:
		n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
		for _, x := range t {
			n.Content = append(n.Content, toNode(x, line, col))
		}
		return n
	}
	n.Kind = yaml.ScalarNode
	switch t := v.v.(type) {
	case nil:
		n.Tag, n.Value = "!!null", "null"
	case bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(t)
	case int64:
		n.Tag, n.Value = "!!int", strconv.FormatInt(t, 10)
	case float64:
		n.Tag, n.Value = "!!float", strconv.FormatFloat(t, 'g', -1, 64)
	default:
		n.Tag, n.Value = "!!str", fmt.Sprint(t)
	}
	return n
}

// toStr writes a scalar as DVC puts it into a string: booleans as true and
// false, floats as Python prints them, null as None.
func toStr(x any) string {
	switch t := x.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return pyFloat(t)
	}
	return fmt.Sprint(x)
}

// pyFloat formats f as Python's repr does: the shortest form that reads
// back the same, `.0` on whole numbers, exponents below 1e-4 and from 1e16.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

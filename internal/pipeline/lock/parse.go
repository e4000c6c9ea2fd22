package lock

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// SchemaError is a lock file mlci cannot read: a newer schema.
type SchemaError struct {
	File   string
	Schema string
}

// Error says which schema the file has and what to do about it.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("%s: schema %s is newer than %s, the one mlci reads "+
		"(upgrade mlci)", e.File, e.Schema, Schema)
}

// FormatError is a lock file that is not what the schema says, with the place.
type FormatError struct {
	File string
	Line int
	Msg  string
}

// Error is "file:line: message".
func (e *FormatError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse parses the lock file data read from name.
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	f := New()
	if len(doc.Content) == 0 {
		return f, nil
	}
	p := parser{file: name}
	root := doc.Content[0]
	if err := p.kind(root, yaml.MappingNode, "a mapping with schema: and stages:"); err != nil {
		return nil, err
	}

	schema := p.get(root, "schema")
	if schema == nil && p.get(root, "stages") == nil {
		// DVC 1 wrote its stages at the top, with no schema: key; they read
		// as schema 2.0's with legacy hashes, and are written back as 2.0.
		if err := p.stages(root, f); err != nil {
			return nil, err
		}
		return f, nil
	}
	if schema != nil && !strings.HasPrefix(schema.Value+".", "2.") {
		return nil, &SchemaError{File: name, Schema: schema.Value}
	}
	if err := p.stages(p.get(root, "stages"), f); err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct{ file string }

func (p parser) errorf(n *yaml.Node, format string, args ...any) error {
	return &FormatError{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

func (p parser) kind(n *yaml.Node, k yaml.Kind, want string) error {
	if n.Kind != k {
		return p.errorf(n, "expected %s", want)
	}
	return nil
}

// get returns the value of key in the mapping n, or nil.
func (p parser) get(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (p parser) stages(n *yaml.Node, f *File) error {
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if err := p.kind(n, yaml.MappingNode, "stages: to be a mapping of stage names"); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		s, err := p.stage(n.Content[i+1])
		if err != nil {
			return err
		}
		f.Set(n.Content[i].Value, s)
	}
	return nil
}

func (p parser) stage(n *yaml.Node) (*Stage, error) {
	if err := p.kind(n, yaml.MappingNode, "a stage mapping (cmd, deps, params, outs)"); err != nil {
		return nil, err
	}
	s := &Stage{}
	var err error
	if cmd := p.get(n, "cmd"); cmd != nil {
		s.CmdList = cmd.Kind == yaml.SequenceNode
		err = cmd.Decode(&s.Cmd)
		if !s.CmdList {
			s.Cmd = []string{cmd.Value}
			err = p.kind(cmd, yaml.ScalarNode, "cmd: to be a string or a list of strings")
		}
		if err != nil {
			return nil, p.errorf(cmd, "expected cmd: to be a string or a list of strings")
		}
	}
	if s.Deps, err = p.entries(p.get(n, "deps")); err != nil {
		return nil, err
	}
	if s.Params, err = p.params(p.get(n, "params")); err != nil {
		return nil, err
	}
	if s.Outs, err = p.entries(p.get(n, "outs")); err != nil {
		return nil, err
	}
	return s, nil
}

func (p parser) entries(n *yaml.Node) ([]Entry, error) {
	if n == nil {
		return nil, nil
	}
	if err := p.kind(n, yaml.SequenceNode, "a list of {path, md5, size}"); err != nil {
		return nil, err
	}
	var out []Entry
	for _, item := range n.Content {
		e, err := p.entry(item)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (p parser) entry(n *yaml.Node) (Entry, error) {
	if err := p.kind(n, yaml.MappingNode, "an entry with path:, md5: and size:"); err != nil {
		return Entry{}, err
	}
	e := Entry{Legacy: true, noSize: true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		var err error
		switch k {
		case "path":
			e.Path = v.Value
		case "hash":
			e.Legacy = v.Value != "md5"
		case "md5":
			e.MD5 = v.Value
		case "size":
			e.Size, err = strconv.ParseInt(v.Value, 10, 64)
			e.noSize = false
		case "nfiles":
			e.NFiles, err = strconv.Atoi(v.Value)
		case "isexec":
			e.IsExec = v.Value == "true"
		}
		if err != nil {
			return Entry{}, p.errorf(v, "expected %s: to be a whole number, not %q", k, v.Value)
		}
	}
	if e.Path == "" {
		return Entry{}, p.errorf(n, "expected a path: in each entry")
	}
	return e, nil
}

func (p parser) params(n *yaml.Node) ([]Params, error) {
	if n == nil {
		return nil, nil
	}
	if err := p.kind(n, yaml.MappingNode, "params: to map files to their values"); err != nil {
		return nil, err
	}
	var out []Params
	for i := 0; i+1 < len(n.Content); i += 2 {
		vals := map[string]any{}
		if err := n.Content[i+1].Decode(&vals); err != nil {
			return nil, p.errorf(n.Content[i+1], "expected a mapping of params to values")
		}
		out = append(out, Params{Path: n.Content[i].Value, Values: vals})
	}
	return out, nil
}

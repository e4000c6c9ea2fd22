// Package params reads parameter files (YAML, JSON, TOML, Python) into nested
// maps and addresses their values by dotted keys such as `train.lr`.
//
// It holds the parsing and the key arithmetic only; which stage reads which
// keys is the config package's business, and diffs are the changes package's.
package params

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// DefaultFile is the params file stages read when they name no other.
const DefaultFile = "params.yaml"

// Load reads the params file at path.
func Load(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading params %s: %w", path, err)
	}
	return Parse(path, data)
}

// Readable reports whether Parse reads the params file name's format.
func Readable(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json", ".toml", ".py":
		return true
	}
	return false
}

// Parse parses data as the params file name, choosing the format by its
// extension: .json, .toml, .py (see parsePython), else YAML. An empty file
// is an empty map.
func Parse(name string, data []byte) (map[string]any, error) {
	var (
		m   map[string]any
		err error
	)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		m, err = parseJSON(data)
	case ".toml":
		m = map[string]any{}
		_, err = toml.Decode(string(data), &m)
	case ".py":
		if m, err = parsePython(name, data); err != nil {
			return nil, err // a *LineError, which names the file
		}
	default:
		m, err = parseYAML(data)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing params %s: %w", name, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func parseJSON(data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object at the top level")
	}
	return m, nil
}

func parseYAML(data []byte) (map[string]any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := normalize(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a mapping at the top level")
	}
	return m, nil
}

// normalize turns json.Number into int64 or float64, and YAML's map[any]any
// into map[string]any, so every format yields the same Go types.
func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	case int64:
		return int(t)
	default:
		return v
	}
}

// Flatten returns the leaves of m by dotted key. Lists are leaves: a stage
// that reads a list reads all of it, as DVC compares it.
func Flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	flatten("", m, out)
	return out
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

// Lookup returns the value at the dotted key, which may be a whole section.
// A key that is itself present with dots (`"a.b": 1`) is found too.
func Lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for i := strings.IndexByte(key, '.'); i >= 0; {
		head, rest := key[:i], key[i+1:]
		if sub, ok := m[head].(map[string]any); ok {
			if v, ok := Lookup(sub, rest); ok {
				return v, true
			}
		}
		if list, ok := m[head].([]any); ok {
			if v, ok := lookupList(list, rest); ok {
				return v, true
			}
		}
		next := strings.IndexByte(key[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return nil, false
}

func lookupList(list []any, key string) (any, bool) {
	idx, rest, _ := strings.Cut(key, ".")
	n, err := strconv.Atoi(idx)
	if err != nil || n < 0 || n >= len(list) {
		return nil, false
	}
	if rest == "" {
		return list[n], true
	}
	sub, ok := list[n].(map[string]any)
	if !ok {
		return nil, false
	}
	return Lookup(sub, rest)
}

// Keys returns the sorted dotted keys of the leaves of m.
func Keys(m map[string]any) []string {
	flat := Flatten(m)
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Format writes a value as people read it in a report: `0.05`, `true`,
// `[1, 2]`, `{a: 1}`.
func Format(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = Format(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + Format(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(t)
	}
}

// Equal reports whether two param values are the same, treating 1 and 1.0
// as equal, as DVC does when it compares lock values with params files.
func Equal(a, b any) bool {
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum && bNum {
		return fa == fb
	}
	return Format(a) == Format(b) && fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) ||
		deepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

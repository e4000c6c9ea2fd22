// Package metrics reads what a pipeline measured — metrics files, params
// files, plots files and per-example predictions — on both sides of a
// comparison, finds the baseline to compare with, and diffs the two sides.
//
// It reads and compares; it decides nothing. Gates and their verdicts are
// package gate's, the arithmetic on predictions is package stats', and how a
// comparison is shown is package report's.
package metrics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// FormatError is a file that cannot be read as its format, at a line when
// the format tells which.
type FormatError struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: msg".
func (e *FormatError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Read parses a metrics file and returns its numbers by flattened key:
// nested keys joined with dots (`train.loss`), list items by index
// (`folds.0.auc`). The format follows path's extension: .json, .yaml or .yml,
// .toml, .csv and .tsv (the header names the keys and the last row holds the
// values). Values that are not numbers (strings, booleans, nulls) are left
// out; NaN and infinities are kept, JSON's NaN and Infinity included.
func Read(path string, data []byte) (map[string]float64, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".tsv":
		return readTableMetrics(path, data, ext == ".tsv")
	default:
		tree, err := parseTree(path, data)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		flattenNumbers("", tree, out)
		return out, nil
	}
}

// parseTree parses a JSON, YAML or TOML document into maps, lists and scalars.
func parseTree(path string, data []byte) (any, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return parseJSON(path, data)
	case ".toml":
		var m map[string]any
		if _, err := toml.Decode(string(data), &m); err != nil {
			return nil, tomlError(path, err)
		}
		return m, nil
	case ".yaml", ".yml":
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, yamlError(path, err)
		}
		return v, nil
	default:
		return nil, &FormatError{File: path,
			Msg: "unknown format: expected .json, .yaml, .yml, .toml, .csv or .tsv"}
	}
}

func parseJSON(path string, data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(nonFiniteToStrings(data)))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = errors.New("unexpected data after the top-level value")
		}
	}
	if err == nil {
		return v, nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return nil, &FormatError{File: path, Line: lineAt(data, syn.Offset), Msg: syn.Error()}
	}
	if errors.Is(err, io.EOF) {
		return nil, &FormatError{File: path, Msg: "empty file: expected a JSON object"}
	}
	return nil, &FormatError{File: path, Line: lineAt(data, dec.InputOffset()), Msg: err.Error()}
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ":"); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, strings.TrimSpace(after)
			}
		}
	}
	return &FormatError{File: path, Line: line, Msg: msg}
}

func tomlError(path string, err error) error {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		return &FormatError{File: path, Line: perr.Position.Line, Msg: perr.Message}
	}
	return &FormatError{File: path, Msg: err.Error()}
}

// nonFinite marks JSON's NaN and Infinity, which Python's json module writes
// but encoding/json rejects, after they are rewritten as strings.
const nonFinite = "\x00nonfinite:"

// nonFiniteToStrings rewrites the bare tokens NaN, Infinity and -Infinity
// outside strings as marked strings, leaving everything else as it is.
func nonFiniteToStrings(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			out.WriteByte(c)
			continue
		}
		if tok := nonFiniteToken(data[i:]); tok != "" {
			out.WriteString(`"\u0000nonfinite:` + tok + `"`)
			i += len(tok) - 1
			continue
		}
		inString = c == '"'
		out.WriteByte(c)
	}
	return out.Bytes()
}

func nonFiniteToken(rest []byte) string {
	for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
		if bytes.HasPrefix(rest, []byte(tok)) {
			return tok
		}
	}
	return ""
}

// number returns v as a float64 when it is a number of any format.
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		return f, err == nil
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case string:
		switch strings.TrimPrefix(t, nonFinite) {
		case t:
			return 0, false
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		default:
			return math.Inf(-1), true
		}
	}
	return 0, false
}

func flattenNumbers(prefix string, v any, out map[string]float64) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			flattenNumbers(join(k), x, out)
		}
	case map[any]any:
		for k, x := range t {
			flattenNumbers(join(fmt.Sprint(k)), x, out)
		}
	case []any:
		for i, x := range t {
			flattenNumbers(join(strconv.Itoa(i)), x, out)
		}
	case []map[string]any:
		for i, x := range t {
			flattenNumbers(join(strconv.Itoa(i)), x, out)
		}
	default:
		if f, ok := number(v); ok && prefix != "" {
			out[prefix] = f
		}
	}
}

// readTableMetrics reads a CSV or TSV metrics file: the header names the
// keys and the last row holds the values.
func readTableMetrics(path string, data []byte, tsv bool) (map[string]float64, error) {
	t, err := readTable(path, data, tsv)
	if err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, &FormatError{File: path, Line: 1, Msg: "no rows under the header"}
	}
	last := t.rows[len(t.rows)-1]
	out := map[string]float64{}
	for i, name := range t.header {
		if f, err := strconv.ParseFloat(strings.TrimSpace(last[i]), 64); err == nil {
			out[name] = f
		}
	}
	return out, nil
}

// table is a CSV or TSV file: its header, its rows, and each row's line.
type table struct {
	header []string
	rows   [][]string
	lines  []int
}

func readTable(path string, data []byte, tsv bool) (*table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	if tsv {
		r.Comma = '\t'
		r.LazyQuotes = true
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &FormatError{File: path, Msg: "empty file: expected a header row"}
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	t := &table{header: trimAll(header)}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, row)
		t.lines = append(t.lines, line)
	}
}

func trimAll(s []string) []string {
	for i := range s {
		s[i] = strings.TrimSpace(strings.TrimPrefix(s[i], "\ufeff"))
	}
	return s
}

func csvError(path string, err error) error {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return &FormatError{File: path, Line: perr.Line, Msg: perr.Err.Error()}
	}
	return &FormatError{File: path, Msg: err.Error()}
}

// column returns the index of the header's column name, or -1.
func (t *table) column(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	return -1
}

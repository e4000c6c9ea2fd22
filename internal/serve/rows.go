package serve

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// idKeys are the columns (or JSON keys) a row's id is read from.
var idKeys = []string{"id", "example_id", "row_id"}

// readRows reads the rows file at path (named name in messages) into
// requests: a CSV or TSV file with a header, each row filling the body
// template (or, without one, sent as a JSON object of its columns); or a
// JSON Lines file, each line a body as it is. limit > 0 keeps the first
// limit rows.
func readRows(path, name, body string, limit int) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	defer f.Close()

	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".tsv":
		return readTable(f, name, body, ext == ".tsv", limit)
	case ".jsonl", ".ndjson":
		if body != "" {
			return nil, fmt.Errorf("body: a template is filled from a CSV or TSV file; each "+
				"line of %s is sent as it is", name)
		}
		return readLines(f, name, limit)
	default:
		return nil, fmt.Errorf("rows: %s: expected a .csv, .tsv or .jsonl file", name)
	}
}

func readTable(r io.Reader, name, body string, tsv bool, limit int) ([]row, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	if tsv {
		cr.Comma = '\t'
	}
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("rows: %s: reading the header: %w", name, err)
	}
	header = append([]string(nil), header...)
	tmpl, err := compileTemplate(body, header)
	if err != nil {
		return nil, fmt.Errorf(
			"body: %w (columns of %s: %s)",
			err,
			name,
			strings.Join(header, ", "),
		)
	}
	id := idColumn(header)

	var out []row
	for limit <= 0 || len(out) < limit {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("rows: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		b := tmpl.render(rec)
		if !json.Valid(b) {
			return nil, fmt.Errorf("body: line %d of %s gives invalid JSON: %.200s", line, name, b)
		}
		r := row{body: b, line: line}
		if id >= 0 {
			r.id = rec[id]
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rows: %s: no rows under the header", name)
	}
	return out, nil
}

func idColumn(header []string) int {
	for _, k := range idKeys {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), k) {
				return i
			}
		}
	}
	return -1
}

// maxLine bounds one line of a JSON Lines rows file.
const maxLine = 16 << 20

func readLines(r io.Reader, name string, limit int) ([]row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var out []row
	for n := 1; sc.Scan() && (limit <= 0 || len(out) < limit); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf(
				"rows: %s:%d: expected one JSON object per line: %v",
				name,
				n,
				err,
			)
		}
		out = append(out, row{id: jsonID(obj), body: append([]byte(nil), b...), line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("rows: %s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rows: %s: no rows", name)
	}
	return out, nil
}

// jsonID returns the id of a JSON row: a string's text or a number's literal.
func jsonID(obj map[string]json.RawMessage) string {
	for _, k := range idKeys {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	return ""
}

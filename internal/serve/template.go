package serve

import (
	"encoding/json"
	"fmt"
	"strings"
)

// template is a request body with {{.column}} placeholders, filled from
// one row of a table. A placeholder inside a JSON string is replaced by the
// value's escaped text; anywhere else by a JSON number, true, false or null
// when the value reads as one (an empty value is null), else by a string.
type template struct {
	parts []part
}

// part is literal text, or a placeholder of column col.
type part struct {
	text     string
	col      int
	inString bool
}

// compileTemplate compiles body against the table's header. An empty body
// sends every column as one JSON object.
//
// TODO: a column whose name holds "}}" cannot be named in a placeholder;
// text/template's {{index . "name"}} form would allow it, if a file needs it.
func compileTemplate(body string, header []string) (*template, error) {
	if body == "" {
		return objectTemplate(header), nil
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.TrimSpace(h)] = i
	}
	t := &template{}
	inString, rest := false, body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{text: rest, col: -1})
			return t, nil
		}
		inString = scanString(rest[:i], inString)
		t.parts = append(t.parts, part{text: rest[:i], col: -1})
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed {{ in %q", rest[i:])
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		col, ok := cols[strings.TrimPrefix(name, ".")]
		if !strings.HasPrefix(name, ".") || !ok {
			return nil, fmt.Errorf("{{%s}}: expected {{.column}} with a column of the rows file",
				name)
		}
		t.parts = append(t.parts, part{col: col, inString: inString})
		rest = rest[i+j+2:]
	}
}

// objectTemplate sends every column as a key of one JSON object.
func objectTemplate(header []string) *template {
	t := &template{}
	for i, h := range header {
		key, _ := json.Marshal(strings.TrimSpace(h))
		sep := ","
		if i == 0 {
			sep = "{"
		}
		t.parts = append(t.parts, part{text: sep + string(key) + ":", col: -1}, part{col: i})
	}
	t.parts = append(t.parts, part{text: "}", col: -1})
	if len(header) == 0 {
		t.parts = []part{{text: "{}", col: -1}}
	}
	return t
}

// scanString reports whether the end of text is inside a JSON string, given
// whether its start is.
func scanString(text string, in bool) bool {
	for i := 0; i < len(text); i++ {
		switch {
		case in && text[i] == '\\':
			i++
		case text[i] == '"':
			in = !in
		}
	}
	return in
}

// render fills the template from one record.
func (t *template) render(rec []string) []byte {
	var b []byte
	for _, p := range t.parts {
		switch {
		case p.col < 0:
			b = append(b, p.text...)
		case p.inString:
			q, _ := json.Marshal(rec[p.col])
			b = append(b, q[1:len(q)-1]...)
		default:
			b = appendValue(b, strings.TrimSpace(rec[p.col]))
		}
	}
	return b
}

// appendValue appends v as a JSON literal when it reads as one, else as a
// string.
func appendValue(b []byte, v string) []byte {
	switch v {
	case "":
		return append(b, "null"...)
	case "true", "false", "null":
		return append(b, v...)
	}
	if isNumber(v) {
		return append(b, v...)
	}
	q, _ := json.Marshal(v)
	return append(b, q...)
}

// isNumber reports whether v is a JSON number literal.
func isNumber(v string) bool {
	return v != "" && (v[0] == '-' || '0' <= v[0] && v[0] <= '9') && json.Valid([]byte(v))
}

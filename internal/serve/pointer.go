package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// pointer is a JSON pointer (RFC 6901) to the value an answer holds; the
// empty pointer is the whole document.
type pointer []string

// parsePointer parses a JSON pointer: "" or tokens after each "/", with ~1
// standing for / and ~0 for ~.
func parsePointer(s string) (pointer, error) {
	if s == "" {
		return nil, nil
	}
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("%q is not a JSON pointer: expected \"\" or a path like /score", s)
	}
	tokens := strings.Split(s[1:], "/")
	for i, t := range tokens {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || (t[j+1] != '0' && t[j+1] != '1')) {
				return nil, fmt.Errorf("%q: ~ must be followed by 0 or 1", s)
			}
		}
		tokens[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
	}
	return tokens, nil
}

// String returns the pointer as written.
func (p pointer) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// last returns the last token, "" for the whole document.
func (p pointer) last() string {
	if len(p) == 0 {
		return ""
	}
	return p[len(p)-1]
}

// number reads the number p points to in the JSON document data: a JSON
// number, a string holding one, or true and false as 1 and 0.
func (p pointer) number(data []byte) (float64, error) {
	v, err := p.value(data)
	if err != nil {
		return 0, err
	}
	return toNumber(v, p)
}

// text reads the class p points to in the JSON document data: a string, or
// a number or boolean as JSON writes it.
func (p pointer) text(data []byte) (string, error) {
	v, err := p.value(data)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	text, _ := json.Marshal(v)
	return "", fmt.Errorf("%s is %.60s, not a class", p.where(), text)
}

// value returns the value p points to in the JSON document data.
func (p pointer) value(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the answer is not JSON: %v: %.120q", err, data)
	}
	if d.More() {
		return nil, fmt.Errorf("the answer is not one JSON value: %.120q", data)
	}
	return p.resolve(doc)
}

// where names what p points to: its text, or "the answer" for the whole.
func (p pointer) where() string {
	if len(p) == 0 {
		return "the answer"
	}
	return p.String()
}

func (p pointer) resolve(doc any) (any, error) {
	v := doc
	for i, t := range p {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[t]
			if !ok {
				return nil, fmt.Errorf("the answer has no %s", p[:i+1])
			}
			v = next
		case []any:
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n >= len(node) || (len(t) > 1 && t[0] == '0') {
				return nil, fmt.Errorf("the answer has no %s (a list of %d)", p[:i+1], len(node))
			}
			v = node[n]
		default:
			return nil, fmt.Errorf("the answer has no %s: %s is not an object or a list",
				p[:i+1], p[:i])
		}
	}
	return v, nil
}

func toNumber(v any, p pointer) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return x.Float64()
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	text, _ := json.Marshal(v)
	return 0, fmt.Errorf("%s is %.60s, not a number", p.where(), text)
}

package params

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parsePython reads a Python params file the way DVC does, without running
// it. Params are assignments of literals at the top of the module, in the
// body of a class (nested under the class's name) and to self in a class's
// __init__. A literal is a number, a string, True, False or None, or a
// dict, list, tuple or set of those; an assignment of anything else (a call,
// a name, a nested container) is not a param and is skipped, as are every
// other statement and the bodies of other functions.
//
// Unlike DVC, a number written with a sign (-0.1) is read too. Only what
// reading params needs is checked: strings and brackets must be closed; a
// file Python would refuse for another reason is read as far as it goes.
func parsePython(name string, data []byte) (map[string]any, error) {
	lines, err := pyLogicalLines(name, string(data))
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return map[string]any{}, nil
	}
	m, _ := pyBody(lines, 0, false)
	return m, nil
}

// LineError is a params file that cannot be read, at the line it names.
// Python files give it; other formats' errors come from their parsers.
type LineError struct {
	File string
	Line int
	Msg  string
}

// Error returns "file:line: message".
func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// pyToken kinds.
const (
	pyName   = 'n'
	pyNumber = '0'
	pyString = 's'
	pyOp     = 'o'
)

// pyToken is one token of a Python source: a name, a number as written, a
// string's value, or an operator or bracket.
type pyToken struct {
	kind byte
	text string
	// notText marks a bytes or f-string literal, which is not a param value.
	notText bool
}

// pyLine is a logical line: its tokens, with the indentation and number of
// its first physical line.
type pyLine struct {
	indent int
	line   int
	toks   []pyToken
}

// pyLexer splits a Python source into logical lines: physical lines joined
// inside brackets and after a backslash, without comments and blank lines.
type pyLexer struct {
	file  string
	src   string
	i     int
	line  int
	depth int
	// opened is the line of the outermost open bracket.
	opened int
	lines  []pyLine
	cur    *pyLine
}

func pyLogicalLines(file, src string) ([]pyLine, error) {
	lx := &pyLexer{file: file, src: strings.TrimPrefix(src, "\ufeff"), line: 1}
	for lx.i < len(lx.src) {
		if lx.cur == nil && !lx.startLine() {
			continue
		}
		if err := lx.next(); err != nil {
			return nil, err
		}
	}
	if lx.depth > 0 {
		return nil, &LineError{File: lx.file, Line: lx.opened, Msg: "bracket not closed"}
	}
	lx.endLine()
	return lx.lines, nil
}

// startLine measures a physical line's indentation. It skips a blank or
// comment line and returns false; otherwise it starts a logical line.
func (lx *pyLexer) startLine() bool {
	indent, j := 0, lx.i
	for ; j < len(lx.src); j++ {
		switch lx.src[j] {
		case ' ', '\f':
			indent++
			continue
		case '\t':
			indent = (indent/8 + 1) * 8
			continue
		}
		break
	}
	if j < len(lx.src) && lx.src[j] != '\n' && lx.src[j] != '\r' && lx.src[j] != '#' {
		lx.cur = &pyLine{indent: indent, line: lx.line}
		lx.i = j
		return true
	}
	for j < len(lx.src) && lx.src[j] != '\n' {
		j++
	}
	if j < len(lx.src) {
		j++
		lx.line++
	}
	lx.i = j
	return false
}

func (lx *pyLexer) endLine() {
	if lx.cur != nil && len(lx.cur.toks) > 0 {
		lx.lines = append(lx.lines, *lx.cur)
	}
	lx.cur = nil
}

func (lx *pyLexer) emit(kind byte, text string, notText bool) {
	lx.cur.toks = append(lx.cur.toks, pyToken{kind: kind, text: text, notText: notText})
}

// next reads one token, space, comment or line end.
func (lx *pyLexer) next() error {
	c := lx.src[lx.i]
	switch {
	case c == '\n':
		lx.i++
		lx.line++
		if lx.depth == 0 {
			lx.endLine()
		}
	case c == ' ' || c == '\t' || c == '\f' || c == '\r':
		lx.i++
	case c == '#':
		for lx.i < len(lx.src) && lx.src[lx.i] != '\n' {
			lx.i++
		}
	case c == '\\':
		rest := lx.src[lx.i+1:]
		switch {
		case strings.HasPrefix(rest, "\n"):
			lx.i += 2
		case strings.HasPrefix(rest, "\r\n"):
			lx.i += 3
		default:
			return &LineError{File: lx.file, Line: lx.line, Msg: "unexpected backslash"}
		}
		lx.line++
	case c == '\'' || c == '"':
		return lx.str("")
	case isPyDigit(c) || (c == '.' && lx.i+1 < len(lx.src) && isPyDigit(lx.src[lx.i+1])):
		lx.number()
	case isPyNameStart(c):
		start := lx.i
		for lx.i < len(lx.src) && isPyNamePart(lx.src[lx.i]) {
			lx.i++
		}
		name := lx.src[start:lx.i]
		if lx.i < len(lx.src) && (lx.src[lx.i] == '\'' || lx.src[lx.i] == '"') &&
			isPyStringPrefix(name) {
			return lx.str(strings.ToLower(name))
		}
		lx.emit(pyName, name, false)
	default:
		lx.op()
	}
	return nil
}

func isPyDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isPyNameStart(c byte) bool { return c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isPyNamePart(c byte) bool  { return isPyNameStart(c) || isPyDigit(c) }

func isPyStringPrefix(s string) bool {
	switch strings.ToLower(s) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// number reads a number as written: digits, letters (0x1f, 1e3, 2j),
// underscores, points and an exponent's sign.
func (lx *pyLexer) number() {
	start := lx.i
	hex := strings.HasPrefix(strings.ToLower(lx.src[start:]), "0x")
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		prev := lx.src[max(lx.i-1, start)]
		sign := lx.i > start && (c == '+' || c == '-') && (prev == 'e' || prev == 'E') && !hex
		if !isPyNamePart(c) && c != '.' && !sign {
			break
		}
		lx.i++
	}
	lx.emit(pyNumber, lx.src[start:lx.i], false)
}

// pyOps are the operators of more than one character, longest first.
var pyOps = []string{"**=", "//=", ">>=", "<<=", "...", "==", "!=", "<=", ">=", "->", "+=",
	"-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":=", "**", "//", "<<", ">>"}

func (lx *pyLexer) op() {
	rest := lx.src[lx.i:]
	for _, op := range pyOps {
		if strings.HasPrefix(rest, op) {
			lx.i += len(op)
			lx.emit(pyOp, op, false)
			return
		}
	}
	c := lx.src[lx.i]
	switch c {
	case '(', '[', '{':
		if lx.depth == 0 {
			lx.opened = lx.line
		}
		lx.depth++
	case ')', ']', '}':
		lx.depth = max(lx.depth-1, 0)
	}
	_, size := utf8.DecodeRuneInString(rest)
	lx.i += size
	lx.emit(pyOp, rest[:size], false)
}

// str reads a string literal whose opening quote is at lx.i.
func (lx *pyLexer) str(prefix string) error {
	start := lx.line
	quote := lx.src[lx.i : lx.i+1]
	if strings.HasPrefix(lx.src[lx.i:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	lx.i += len(quote)
	var b strings.Builder
	for {
		if lx.i >= len(lx.src) {
			return &LineError{File: lx.file, Line: start, Msg: "string not closed"}
		}
		if strings.HasPrefix(lx.src[lx.i:], quote) {
			lx.i += len(quote)
			break
		}
		c := lx.src[lx.i]
		switch {
		case c == '\n' && len(quote) == 1:
			return &LineError{File: lx.file, Line: start, Msg: "string not closed"}
		case c == '\n':
			lx.line++
		case c == '\\' && lx.i+1 < len(lx.src):
			if lx.src[lx.i+1] == '\n' {
				lx.line++
			}
			b.WriteString(lx.src[lx.i : lx.i+2])
			lx.i += 2
			continue
		}
		b.WriteByte(c)
		lx.i++
	}

	raw := strings.ContainsRune(prefix, 'r')
	notText := strings.ContainsAny(prefix, "bf")
	text := b.String()
	if !raw && !notText {
		var ok bool
		if text, ok = pyUnescape(text); !ok {
			notText = true // an escape Go does not know (\N{...}): not read as a param
		}
	}
	lx.emit(pyString, text, notText)
	return nil
}

// pyUnescape applies a Python string's backslash escapes.
func pyUnescape(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexByte(s, '\\')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if len(s) > 1 && s[1] == '\n' { // a backslash-newline joins the lines
			s = s[2:]
			continue
		}
		if len(s) > 1 && s[1] == 'N' {
			return "", false // a character by name: not read
		}
		if len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
			b.WriteByte(s[1])
			s = s[2:]
			continue
		}
		if len(s) > 1 && strings.IndexByte("abfnrtv\\01234567xuU", s[1]) < 0 {
			b.WriteByte('\\') // Python keeps unknown escapes as written
			s = s[1:]
			continue
		}
		r, _, tail, err := strconv.UnquoteChar(s, 0)
		if err != nil {
			return "", false
		}
		b.WriteRune(r)
		s = tail
	}
	return b.String(), true
}

// pyBody reads the block of statements starting at lines[i], up to the first
// line indented less, and returns its params and the index after it. In an
// __init__ (selfOnly) only assignments to self's attributes count.
func pyBody(lines []pyLine, i int, selfOnly bool) (map[string]any, int) {
	out := map[string]any{}
	indent := lines[i].indent
	for i < len(lines) && lines[i].indent >= indent {
		l := lines[i]
		i++
		if l.indent > indent {
			continue // the body of a statement that holds no params
		}
		hasBody := i < len(lines) && lines[i].indent > indent
		switch {
		case hasBody && pyHeader(l.toks, "class") != "":
			var body map[string]any
			body, i = pyBody(lines, i, false)
			out[pyHeader(l.toks, "class")] = body
		case hasBody && pyHeader(l.toks, "def") == "__init__":
			var body map[string]any
			body, i = pyBody(lines, i, true)
			maps.Copy(out, body)
		default:
			for _, st := range pySplit(l.toks, ";") {
				if k, v, ok := pyAssign(st, selfOnly); ok {
					out[k] = v
				}
			}
		}
	}
	return out, i
}

// pyHeader returns the name a `class NAME` or `def NAME` line defines, or "".
func pyHeader(toks []pyToken, keyword string) string {
	if len(toks) > 2 && toks[0].kind == pyName && toks[0].text == keyword &&
		toks[1].kind == pyName && toks[len(toks)-1].text == ":" {
		return toks[1].text
	}
	return ""
}

// pySplit splits tokens at sep outside brackets.
func pySplit(toks []pyToken, sep string) [][]pyToken {
	var out [][]pyToken
	depth, start := 0, 0
	for i, t := range toks {
		depth += nesting(t)
		if depth == 0 && t.kind == pyOp && t.text == sep {
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// nesting is how t changes the depth of brackets: 1 for an opening bracket,
// -1 for a closing one, 0 for any other token.
func nesting(t pyToken) int {
	if t.kind != pyOp {
		return 0
	}
	switch t.text {
	case "(", "[", "{":
		return 1
	case ")", "]", "}":
		return -1
	}
	return 0
}

// pyAssign reads `NAME = literal`, `NAME: type = literal` or, with self,
// `self.NAME = literal`. ok is false for any other statement.
func pyAssign(st []pyToken, selfOnly bool) (string, any, bool) {
	parts := pySplit(st, "=")
	if len(parts) != 2 {
		return "", nil, false // not an assignment, or several targets
	}
	target := pySplit(parts[0], ":")[0]
	name := ""
	switch {
	case len(target) == 1 && target[0].kind == pyName && !selfOnly &&
		!pyKeywords[target[0].text]:
		name = target[0].text
	case len(target) == 3 && target[0].text == "self" && target[1].text == "." &&
		target[2].kind == pyName:
		name = target[2].text
	default:
		return "", nil, false
	}
	v, ok := pyValue(parts[1])
	return name, v, ok
}

// pyKeywords are the names that begin a statement, as in `else: x = 1`,
// whose assignment is inside it rather than a param.
var pyKeywords = map[string]bool{"else": true, "try": true, "finally": true, "except": true,
	"if": true, "elif": true, "while": true, "for": true, "with": true, "match": true,
	"case": true, "async": true, "lambda": true}

// pyValue reads a scalar, or a dict, list, tuple or set of scalars.
func pyValue(toks []pyToken) (any, bool) {
	if len(toks) == 0 {
		return nil, false
	}
	if items := pySplit(toks, ","); len(items) > 1 {
		return pyItems(items) // a tuple without brackets
	}
	open, last := toks[0].text, toks[len(toks)-1].text
	if toks[0].kind != pyOp || !pyEnclosed(toks) {
		return pyScalar(toks)
	}
	inner := toks[1 : len(toks)-1]
	switch {
	case open == "[" && last == "]":
		return pyItems(pySplit(inner, ","))
	case open == "(" && last == ")":
		if items := pySplit(inner, ","); len(items) > 1 {
			return pyItems(items)
		}
		return pyValue(inner) // brackets around one value
	case open == "{" && last == "}":
		return pyBraces(inner)
	}
	return nil, false
}

// pyEnclosed reports whether toks[0] opens a bracket the last token closes.
func pyEnclosed(toks []pyToken) bool {
	if len(toks) < 2 || nesting(toks[0]) != 1 {
		return false
	}
	depth := 0
	for i, t := range toks {
		depth += nesting(t)
		if depth == 0 {
			return i == len(toks)-1
		}
	}
	return false
}

// pyItems reads the scalars of a list, tuple or set; a trailing comma
// leaves an empty last item.
func pyItems(items [][]pyToken) ([]any, bool) {
	if n := len(items); len(items[n-1]) == 0 {
		items = items[:n-1]
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		v, ok := pyScalar(it)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// pyBraces reads a dict of scalars, or a set.
func pyBraces(inner []pyToken) (any, bool) {
	if len(inner) == 0 {
		return map[string]any{}, true
	}
	items := pySplit(inner, ",")
	if len(pySplit(items[0], ":")) != 2 {
		return pyItems(items)
	}
	if n := len(items); len(items[n-1]) == 0 {
		items = items[:n-1]
	}
	out := make(map[string]any, len(items))
	for _, it := range items {
		kv := pySplit(it, ":")
		if len(kv) != 2 {
			return nil, false
		}
		k, ok := pyScalar(kv[0])
		if !ok {
			return nil, false
		}
		v, ok := pyScalar(kv[1])
		if !ok {
			return nil, false
		}
		out[pyKey(k)] = v
	}
	return out, true
}

// pyKey writes a dict key as a params key: strings as they are, other
// scalars as Python prints them.
func pyKey(k any) string {
	switch k := k.(type) {
	case string:
		return k
	case bool:
		if k {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case float64:
		return strconv.FormatFloat(k, 'g', -1, 64)
	}
	return fmt.Sprint(k)
}

// pyScalar reads one string (adjacent strings joined), number, True, False
// or None, in brackets or not.
func pyScalar(toks []pyToken) (any, bool) {
	for len(toks) > 2 && toks[0].text == "(" && pyEnclosed(toks) {
		toks = toks[1 : len(toks)-1]
	}
	if len(toks) == 0 {
		return nil, false
	}
	if toks[0].kind == pyString {
		var b strings.Builder
		for _, t := range toks {
			if t.kind != pyString || t.notText {
				return nil, false
			}
			b.WriteString(t.text)
		}
		return b.String(), true
	}
	sign := ""
	if toks[0].kind == pyOp && (toks[0].text == "-" || toks[0].text == "+") && len(toks) == 2 {
		sign, toks = toks[0].text, toks[1:]
	}
	if len(toks) != 1 {
		return nil, false
	}
	t := toks[0]
	switch {
	case t.kind == pyNumber:
		return pyNumberValue(sign, t.text)
	case sign == "" && t.kind == pyName && t.text == "True":
		return true, true
	case sign == "" && t.kind == pyName && t.text == "False":
		return false, true
	case sign == "" && t.kind == pyName && t.text == "None":
		return nil, true
	}
	return nil, false
}

// pyNumberValue reads an int (decimal, 0x, 0o, 0b; underscores allowed) or
// a float. Complex numbers and ints beyond 64 bits are not read.
func pyNumberValue(sign, text string) (any, bool) {
	s := strings.ReplaceAll(text, "_", "")
	lower := strings.ToLower(s)
	if strings.HasSuffix(lower, "j") {
		return nil, false
	}
	prefixed := strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0o") ||
		strings.HasPrefix(lower, "0b")
	if prefixed || !strings.ContainsAny(lower, ".e") {
		i, err := strconv.ParseInt(sign+s, 0, 64)
		if err != nil || (!prefixed && len(lower) > 1 && lower[0] == '0' && i != 0) {
			return nil, false // beyond 64 bits, or 012, which is not Python
		}
		return int(i), true
	}
	f, err := strconv.ParseFloat(sign+s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

package lock

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlci-dev/mlci/internal/pipeline/digest"
)

// Marshal returns the lock file as DVC 3 writes it (ruamel.yaml's defaults:
// two-space indent, lists not indented under their key, quotes only where
// needed, plain strings folded after column 80).
func (f *File) Marshal() []byte {
	var w writer
	w.line("schema: '" + Schema + "'")
	if len(f.order) == 0 {
		w.line("stages: {}")
		return w.Bytes()
	}
	w.line("stages:")
	for _, name := range f.order {
		w.line("  " + quote(name, 0, 0, false) + ":")
		w.stage(f.stages[name])
	}
	return w.Bytes()
}

type writer struct{ bytes.Buffer }

func (w *writer) line(s string) { w.WriteString(s + "\n") }

func (w *writer) stage(s *Stage) {
	w.WriteString("    cmd:")
	if s.CmdList || len(s.Cmd) != 1 {
		w.WriteString("\n")
		for _, c := range s.Cmd {
			w.WriteString("    - ")
			w.scalar(c, 6)
		}
	} else {
		w.WriteString(" ")
		w.scalar(s.Cmd[0], 6)
	}
	w.entries("deps", s.Deps)
	if len(s.Params) > 0 {
		w.line("    params:")
		for _, p := range s.Params {
			w.WriteString("      " + quote(p.Path, 0, 0, false) + ":")
			w.value(mapItems(p.Values), 8)
		}
	}
	w.entries("outs", s.Outs)
}

func (w *writer) entries(key string, es []Entry) {
	if len(es) == 0 {
		return
	}
	w.line("    " + key + ":")
	for _, e := range es {
		w.WriteString("    - path: ")
		w.scalar(e.Path, 8)
		if !e.Legacy {
			w.line("      hash: md5")
		}
		w.WriteString("      md5: ")
		w.scalar(e.MD5, 8)
		if !e.noSize {
			w.line("      size: " + strconv.FormatInt(e.Size, 10))
		}
		if strings.HasSuffix(e.MD5, digest.DirSuffix) {
			w.line("      nfiles: " + strconv.Itoa(e.NFiles))
		}
		if e.IsExec {
			w.line("      isexec: true")
		}
	}
}

// scalar writes a string value and ends the line; cont is the column of
// folded continuation lines.
func (w *writer) scalar(s string, cont int) {
	w.line(quote(s, w.column(), cont, true))
}

// column returns the column the next character lands in.
func (w *writer) column() int {
	b := w.Bytes()
	return utf8.RuneCount(b[bytes.LastIndexByte(b, '\n')+1:])
}

type item struct {
	key string
	val any
}

// mapItems returns m's items sorted by key, as DVC sorts params values.
// TODO: DVC keeps a nested mapping's keys in the params file's order; they
// are sorted here because the params maps hold no order.
func mapItems(m map[string]any) []item {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	items := make([]item, len(keys))
	for i, k := range keys {
		items[i] = item{k, m[k]}
	}
	return items
}

// value writes v after a `key:` whose children sit at column indent.
func (w *writer) value(v any, indent int) {
	switch t := v.(type) {
	case map[string]any:
		w.value(mapItems(t), indent)
	case []item:
		if len(t) == 0 {
			w.line(" {}")
			return
		}
		w.WriteString("\n")
		w.mapping(t, indent, false)
	case []any:
		if len(t) == 0 {
			w.line(" []")
			return
		}
		w.WriteString("\n")
		w.sequence(t, indent-2, false)
	case nil:
		w.WriteString("\n")
	default:
		w.WriteString(" ")
		w.line(scalarText(v, w.column(), indent))
	}
}

// mapping writes items at column indent; inline puts the first on the
// current line (after "- ").
func (w *writer) mapping(items []item, indent int, inline bool) {
	for i, it := range items {
		if i > 0 || !inline {
			w.WriteString(strings.Repeat(" ", indent))
		}
		w.WriteString(quote(it.key, 0, 0, false) + ":")
		w.value(it.val, indent+2)
	}
}

// sequence writes the items as "- " lines at column indent.
func (w *writer) sequence(items []any, indent int, inline bool) {
	for i, v := range items {
		if i > 0 || !inline {
			w.WriteString(strings.Repeat(" ", indent))
		}
		w.WriteString("-")
		switch t := v.(type) {
		case map[string]any:
			if len(t) > 0 {
				w.WriteString(" ")
				w.mapping(mapItems(t), indent+2, true)
				continue
			}
		case []any:
			if len(t) > 0 {
				w.WriteString(" ")
				w.sequence(t, indent+2, true)
				continue
			}
		}
		w.value(v, indent+2)
	}
}

// scalarText formats a scalar param value as ruamel.yaml does.
func scalarText(v any, col, cont int) string {
	switch t := v.(type) {
	case string:
		return quote(t, col, cont, true)
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return pyFloat(t)
	case float32:
		return pyFloat(float64(t))
	default:
		return fmt.Sprint(t)
	}
}

// pyFloat formats f as Python's repr does, which is what ruamel.yaml writes
// under YAML 1.2 (0.25, 1e-05, 1e+16).
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	if n >= -4 && n < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return fmt.Sprintf("%se%+03d", mant, n)
}

// quote returns s as a YAML scalar: plain when that reads back as the same
// string, else single-quoted, else (control characters, line breaks)
// double-quoted. A value (fold) longer than column 80 is folded at single
// spaces onto lines starting at column cont, as ruamel.yaml does.
// TODO: strings with line breaks or tabs are double-quoted, which DVC reads
// but may not write the same way.
func quote(s string, col, cont int, fold bool) string {
	switch {
	case needsDouble(s):
		return strconv.Quote(s)
	case plainOK(s):
		return folded(s, col, cont, fold, "", "")
	default:
		return folded(strings.ReplaceAll(s, "'", "''"), col, cont, fold, "'", "'")
	}
}

// bestWidth is ruamel.yaml's default line width.
const bestWidth = 80

func folded(s string, col, cont int, fold bool, open, close string) string {
	var b strings.Builder
	b.WriteString(open)
	col += utf8.RuneCountInString(open)
	words := strings.Split(s, " ")
	for i, word := range words {
		if i > 0 {
			single := word != "" && words[i-1] != ""
			if fold && single && col > bestWidth {
				b.WriteString("\n" + strings.Repeat(" ", cont))
				col = cont
			} else {
				b.WriteString(" ")
				col++
			}
		}
		b.WriteString(word)
		col += utf8.RuneCountInString(word)
	}
	b.WriteString(close)
	return b.String()
}

func needsDouble(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// implicit matches plain scalars YAML 1.2 (ruamel.yaml's resolver) reads as
// something other than a string.
var implicit = regexp.MustCompile(`^(?:` +
	`true|True|TRUE|false|False|FALSE|~|null|Null|NULL|=|<<` +
	`|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+` +
	`|[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?` +
	`|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+` +
	`|\.[0-9_]+(?:[eE][-+]?[0-9]+)?` +
	`|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*` +
	`)$`)

// plainOK reports whether s may be written as a plain block scalar.
func plainOK(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || implicit.MatchString(s) ||
		strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return false
	}
	spaceAfter := func(i int) bool { return i+1 >= len(s) || s[i+1] == ' ' }
	if strings.ContainsRune("#,[]{}&*!|>'\"%@`", rune(s[0])) ||
		strings.ContainsRune("?:-", rune(s[0])) && spaceAfter(0) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == ':' && spaceAfter(i) || s[i] == '#' && s[i-1] == ' ' {
			return false
		}
	}
	return true
}

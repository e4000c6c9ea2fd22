package changes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
)

// WriteJSON writes r exactly as encoding/json writes it with two-space
// indentation and HTML escaping off, byte for byte, but several times
// faster for a large change set: the files, which are nearly all of it,
// are written directly instead of being encoded and then re-indented.
func (r *Result) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	jw := &jsonWriter{w: bw}

	jw.raw("{\n")
	jw.field("base", r.Base, false)
	jw.field("head", r.Head, false)
	jw.field("merge_base", r.MergeBase, false)
	jw.field("source", r.Source, false)
	jw.field("changed", r.Changed, false)
	jw.field("counts", r.Counts, false)
	jw.raw(`  "files": `)
	jw.files(r.Files)
	jw.raw(",\n")
	jw.field("params", r.Params, false)
	jw.field("stages", r.Stages, false)
	jw.field("reasons", r.Reasons, false)
	jw.field("tests", r.Tests, true)
	jw.raw("}\n")

	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// jsonWriter writes JSON, keeping the first error.
type jsonWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// field writes a top-level field, its value indented by encoding/json.
func (j *jsonWriter) field(name string, v any, last bool) {
	if j.err != nil {
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if j.err = enc.Encode(v); j.err != nil {
		return
	}
	j.raw(`  "` + name + `": `)
	j.raw(string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))
	if !last {
		j.raw(",")
	}
	j.raw("\n")
}

func (j *jsonWriter) files(files []File) {
	switch {
	case files == nil:
		j.raw("null")
		return
	case len(files) == 0:
		j.raw("[]")
		return
	}
	j.raw("[\n")
	for i, f := range files {
		j.buf = append(j.buf[:0], "    {\n"...)
		j.buf = appendField(j.buf, "path", f.Path, true)
		j.buf = appendField(j.buf, "status", f.Status, true)
		j.buf = appendField(j.buf, "class", f.Class, true)
		j.buf = appendField(j.buf, "old_path", f.OldPath, false)
		j.buf = appendField(j.buf, "via", f.Via, false)
		j.buf = appendField(j.buf, "mode", f.Mode, false)
		if f.Submodule {
			j.buf = append(j.buf, ",\n      \"submodule\": true"...)
		}
		j.buf = append(j.buf, "\n    }"...)
		if i < len(files)-1 {
			j.buf = append(j.buf, ',')
		}
		j.buf = append(j.buf, '\n')
		if j.err == nil {
			_, j.err = j.w.Write(j.buf)
		}
	}
	j.raw("  ]")
}

// appendField appends one string field of a file; an empty optional one
// is left out, as omitempty does. Every field but the first is preceded by
// a comma, the first one being path.
func appendField(b []byte, name, value string, required bool) []byte {
	if !required && value == "" {
		return b
	}
	if name != "path" {
		b = append(b, ",\n"...)
	}
	b = append(b, `      "`...)
	b = append(b, name...)
	b = append(b, `": `...)
	return appendString(b, value)
}

// appendString appends s as a JSON string, as encoding/json writes it
// with HTML escaping off.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return appendStringSlow(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendStringSlow leaves the rare string that needs escaping (quotes,
// control characters, non-ASCII) to encoding/json itself.
func appendStringSlow(b []byte, s string) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.AppendQuote(b, s)
	}
	return append(b, bytes.TrimSuffix(out.Bytes(), []byte("\n"))...)
}

package digest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Manifest returns a directory's manifest as DVC writes and hashes it:
// Python's json.dumps(entries, sort_keys=True) of [{"md5": …, "relpath": …}],
// with ", " and ": " separators and everything outside printable ASCII
// escaped as \u and four hex digits. Entries must be sorted by RelPath.
func Manifest(entries []Entry) []byte {
	var b bytes.Buffer
	b.Grow(len(entries) * 80)
	b.WriteByte('[')
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"md5": `)
		pyString(&b, e.MD5)
		b.WriteString(`, "relpath": `)
		pyString(&b, e.RelPath)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes()
}

// ParseManifest reads a manifest written by Manifest or by DVC. It rejects
// paths that would leave the directory.
func ParseManifest(data []byte) ([]Entry, error) {
	var raw []struct {
		MD5     string `json:"md5"`
		RelPath string `json:"relpath"`
		Size    int64  `json:"size"`
		IsExec  bool   `json:"isexec"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing directory manifest: %w", err)
	}
	entries := make([]Entry, len(raw))
	for i, r := range raw {
		if !safeRelPath(r.RelPath) || r.MD5 == "" {
			return nil, fmt.Errorf("directory manifest: bad entry %q", r.RelPath)
		}
		entries[i] = Entry{RelPath: r.RelPath, MD5: r.MD5, Size: r.Size, IsExec: r.IsExec}
	}
	return entries, nil
}

func safeRelPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return false
	}
	for part := range strings.SplitSeq(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// pyString writes s as Python's json.dumps does with ensure_ascii. Bytes that
// are not UTF-8 become the lone surrogates Python's file-system decoding
// gives them (U+DC80 + byte).
func pyString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	if plain(s) {
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(b, `\u%04x`, 0xdc00+int(s[i]))
			i++
			continue
		}
		i += size
		pyRune(b, r)
	}
	b.WriteByte('"')
}

// plain reports whether json.dumps writes s as it is: printable ASCII
// without a quote or a backslash.
func plain(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func pyRune(b *bytes.Buffer, r rune) {
	switch r {
	case '"':
		b.WriteString(`\"`)
	case '\\':
		b.WriteString(`\\`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	default:
		switch {
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			b.WriteString(`\u` + hex4(0xd800+(r>>10)) + `\u` + hex4(0xdc00+(r&0x3ff)))
		default:
			b.WriteString(`\u` + hex4(r))
		}
	}
}

func hex4(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	return strings.Repeat("0", 4-len(s)) + s
}

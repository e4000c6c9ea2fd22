package report

import (
	"html"
	"net/url"
	"strings"
	"unicode"
)

// zwj is the zero-width joiner put after @ and # so that a value from the
// repository can neither mention a user nor reference an issue.
const zwj = "\u200d"

// markdownSpecial are the characters a Markdown renderer could read as syntax
// inside a line: emphasis, links, code, tables, strikethrough, math, escapes.
const markdownSpecial = "\\`*_[]|~$!{}"

// Markdown escapes s for Markdown text, table cells included: syntax characters
// are backslash-escaped, HTML is written as entities, line breaks become
// spaces, and @mentions and #references are broken with a zero-width joiner.
func Markdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range oneLine(s) {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '@' || r == '#':
			b.WriteRune(r)
			b.WriteString(zwj)
		case strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code writes s as a Markdown code span, safe in text and in table cells.
// A value holding a pipe, which a table would split on, is escaped as text
// instead, since an escaped pipe inside a code span shows its backslash
// outside tables.
func Code(s string) string {
	s = oneLine(s)
	if s == "" {
		return "` `"
	}
	if strings.ContainsRune(s, '|') {
		return Markdown(s)
	}

	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s[0] == '`' || s[0] == ' ' || s[len(s)-1] == '`' || s[len(s)-1] == ' ' {
		s = " " + s + " "
	}
	return fence + s + fence
}

// Fence writes s as a fenced Markdown code block in language lang (which may
// be empty). The fence is longer than any run of backticks in s, so nothing
// in s can end the block early.
func Fence(lang, s string) string {
	s = strings.TrimRight(stripControl(s, true), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + onlyWord(lang) + "\n" + s + "\n" + fence
}

// HTML escapes s for HTML text and attribute values.
func HTML(s string) string {
	return html.EscapeString(stripControl(s, true))
}

// InlineHTML escapes s for one line of raw HTML inside Markdown, such as a
// <summary>, where Markdown escapes are not read: HTML entities, with
// @mentions and #references broken as Markdown does.
func InlineHTML(s string) string {
	s = html.EscapeString(oneLine(s))
	return strings.NewReplacer("@", "@"+zwj, "#", "#"+zwj).Replace(s)
}

// URL returns u when it is an absolute http or https URL, with the characters
// that would end a Markdown link target percent-encoded; otherwise "".
func URL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	r := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E",
		"\"", "%22", "`", "%60", "|", "%7C")
	return r.Replace(p.String())
}

// oneLine turns line breaks and tabs into spaces and drops other control
// characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return -1
		}
		return r
	}, s)
}

// stripControl drops control characters, keeping newlines and tabs when
// keepLines is set; carriage returns become newlines.
func stripControl(s string, keepLines bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case keepLines && (r == '\n' || r == '\t'):
			return r
		case keepLines && r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// onlyWord keeps the letters, digits and dashes of s, for a fence's language.
func onlyWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, s)
}

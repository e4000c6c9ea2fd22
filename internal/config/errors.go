package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// maxShown is how many errors one load reports before summing up the rest.
const maxShown = 10

// ErrNoConfig means the repository has neither mlci.yaml nor dvc.yaml.
var ErrNoConfig = errors.New("no mlci.yaml or dvc.yaml")

// Error is a configuration error at a place in a file.
type Error struct {
	Pos Pos
	Msg string
}

// Error returns the error as `file:line:col: msg`.
func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// String returns the position as `file:line:col`, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Errors are the configuration errors of one load, sorted by place.
type Errors []*Error

// Error returns the first errors one per line, and how many more there are.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i == maxShown {
			fmt.Fprintf(&b, "\n(%d more errors not shown)", len(es)-maxShown)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors, so that errors.As finds an *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sorted returns the errors ordered by file, line and column, without repeats.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Pos, es[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := es[:0]
	for i, e := range es {
		if i > 0 && e.Error() == es[i-1].Error() {
			continue
		}
		out = append(out, e)
	}
	return out
}

// unknownKey says that key is not one of known, suggesting the closest.
func unknownKey(key string, known []string) string {
	if s := suggest(key, known); s != "" {
		return fmt.Sprintf("unknown key %q; did you mean %q?", key, s)
	}
	sorted := append([]string(nil), known...)
	sort.Strings(sorted)
	return fmt.Sprintf("unknown key %q; expected one of: %s", key, strings.Join(sorted, ", "))
}

// unknownValue says that value is not one of known, suggesting the closest.
func unknownValue(what, value string, known []string) string {
	if s := suggest(value, known); s != "" {
		return fmt.Sprintf("unknown %s %q; did you mean %q?", what, value, s)
	}
	return fmt.Sprintf("unknown %s %q; expected one of: %s", what, value, strings.Join(known, ", "))
}

// suggest returns the candidate closest to word when it is close enough to
// be a slip of the keyboard, else "".
func suggest(word string, candidates []string) string {
	best, bestDist := "", 0
	for _, c := range candidates {
		d := distance(strings.ToLower(word), strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, min(len(word), len(best))/3)
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// distance is the edit distance between a and b (insertions, deletions,
// substitutions, and swaps of two neighbouring letters).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: two letters swapped ("trian") count as one edit.
	before := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(rb)]
}

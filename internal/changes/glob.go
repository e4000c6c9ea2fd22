package changes

import (
	"fmt"
	"path"
	"strings"
)

// Glob is a compiled path pattern. Patterns are slash-separated and anchored
// at the repository root; each segment is matched with path.Match, and a
// `**` segment matches any number of segments, none included. A pattern
// that matches a directory matches everything under it, so `data` and
// `data/**` mean the same, and `**/*.md` matches README.md at the root.
type Glob struct {
	pattern string
	segs    []segment
	// needs are texts every matching path contains: a cheap test that
	// rejects most paths before their segments are compared.
	needs []string
}

type segKind uint8

const (
	literal    segKind = iota // compared with ==
	anyName                   // `*`: any one segment
	suffix                    // `*.ext`: any segment ending in .ext
	wildcard                  // anything else path.Match understands
	doubleStar                // `**`: zero or more segments
)

type segment struct {
	kind segKind
	text string
}

// CompileGlob compiles pattern, checking its syntax.
func CompileGlob(pattern string) (*Glob, error) {
	clean := strings.Trim(strings.TrimPrefix(pattern, "./"), "/")
	if clean == "" {
		return nil, fmt.Errorf("glob %q is empty", pattern)
	}
	g := &Glob{pattern: pattern}
	for s := range strings.SplitSeq(clean, "/") {
		seg, err := compileSegment(s)
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", pattern, err)
		}
		// Consecutive ** are one **.
		if seg.kind == doubleStar && len(g.segs) > 0 && g.segs[len(g.segs)-1].kind == doubleStar {
			continue
		}
		g.segs = append(g.segs, seg)
		if seg.kind == literal || seg.kind == suffix {
			g.needs = append(g.needs, seg.text)
		}
	}
	return g, nil
}

func compileSegment(s string) (segment, error) {
	if _, err := path.Match(s, ""); err != nil {
		return segment{}, fmt.Errorf("segment %q: %w", s, err)
	}
	switch {
	case s == "**":
		return segment{kind: doubleStar}, nil
	case s == "*":
		return segment{kind: anyName}, nil
	case !strings.ContainsAny(s, `*?[\`):
		return segment{kind: literal, text: s}, nil
	case strings.HasPrefix(s, "*") && !strings.ContainsAny(s[1:], `*?[\`):
		return segment{kind: suffix, text: s[1:]}, nil
	default:
		return segment{kind: wildcard, text: s}, nil
	}
}

// String returns the pattern as written.
func (g *Glob) String() string { return g.pattern }

// Match reports whether the slash-separated path p, relative to the
// repository root, matches the pattern or lies under a directory that does.
func (g *Glob) Match(p string) bool {
	if !g.mayMatch(p) {
		return false
	}
	var buf [32]string
	return matchSegs(g.segs, splitPath(p, buf[:0]))
}

// mayMatch is false when p lacks a text every match contains.
func (g *Glob) mayMatch(p string) bool {
	for _, n := range g.needs {
		if !strings.Contains(p, n) {
			return false
		}
	}
	return true
}

// splitPath appends the segments of p to buf, which the caller may keep on
// its stack.
func splitPath(p string, buf []string) []string {
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return append(buf, p)
		}
		buf = append(buf, p[:i])
		p = p[i+1:]
	}
}

// matchSegs matches the pattern segs against the path's segments; a
// pattern that runs out first matches a leading directory.
func matchSegs(segs []segment, path []string) bool {
	for len(segs) > 0 {
		s := segs[0]
		if s.kind == doubleStar {
			return matchDoubleStar(segs[1:], path)
		}
		if len(path) == 0 || !s.match(path[0]) {
			return false
		}
		segs, path = segs[1:], path[1:]
	}
	return true
}

// matchDoubleStar tries the rest of the pattern at every segment of the path.
func matchDoubleStar(segs []segment, path []string) bool {
	if len(segs) == 0 {
		return true
	}
	for i := range path {
		if matchSegs(segs, path[i:]) {
			return true
		}
	}
	return false
}

func (s segment) match(name string) bool {
	switch s.kind {
	case literal:
		return name == s.text
	case anyName:
		return true
	case suffix:
		return strings.HasSuffix(name, s.text)
	default:
		ok, _ := path.Match(s.text, name)
		return ok
	}
}

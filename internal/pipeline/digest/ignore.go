package digest

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// IgnoreFile is the file of gitignore patterns DVC leaves out of the
// directories it hashes, in any folder of the repository.
const IgnoreFile = ".dvcignore"

// Ignore says which paths of a repository its .dvcignore files leave out,
// as DVC reads them: gitignore patterns relative to the folder of the file
// that holds them, deeper files winning. Files are read once, when a path
// under their folder is first asked about. A nil *Ignore ignores nothing.
type Ignore struct {
	root string

	mu    sync.Mutex
	byDir map[string][]gitignore.Pattern // by folder relative to root, "" the root
}

// NewIgnore returns the .dvcignore rules of the repository at root.
func NewIgnore(root string) *Ignore {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	return &Ignore{root: abs, byDir: map[string][]gitignore.Pattern{}}
}

// Ignored reports whether the file or directory at path (absolute, or
// relative to the working directory) is left out. Paths outside the root
// are not.
func (ig *Ignore) Ignored(path string, isDir bool) bool {
	d := ig.In(filepath.Dir(path))
	return d.Ignored(filepath.Base(path), isDir)
}

// In returns the rules for the entries of the folder dir, or nil when no
// .dvcignore applies to them, so that a folder without any costs nothing
// per entry.
func (ig *Ignore) In(dir string) *DirIgnore {
	if ig == nil {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	rel, err := filepath.Rel(ig.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}

	var parts []string
	if rel != "." {
		parts = strings.Split(filepath.ToSlash(rel), "/")
	}
	var patterns []gitignore.Pattern
	for i := range len(parts) + 1 {
		patterns = append(patterns, ig.patterns(parts[:i])...)
	}
	if len(patterns) == 0 {
		return nil
	}
	return &DirIgnore{parts: parts, m: gitignore.NewMatcher(patterns)}
}

// DirIgnore is the .dvcignore rules for the entries of one folder. A nil
// *DirIgnore ignores nothing.
type DirIgnore struct {
	parts []string
	m     gitignore.Matcher
}

// Ignored reports whether the folder's entry name is left out.
func (d *DirIgnore) Ignored(name string, isDir bool) bool {
	if d == nil {
		return false
	}
	path := append(d.parts[:len(d.parts):len(d.parts)], name)
	return d.m.Match(path, isDir)
}

// patterns returns the patterns of the .dvcignore in the folder dir (its
// path's parts under the root), reading it on first use.
func (ig *Ignore) patterns(dir []string) []gitignore.Pattern {
	key := strings.Join(dir, "/")
	ig.mu.Lock()
	defer ig.mu.Unlock()
	if ps, ok := ig.byDir[key]; ok {
		return ps
	}

	dir = slices.Clone(dir) // the patterns keep it
	var ps []gitignore.Pattern
	f, err := os.Open(filepath.Join(ig.root, filepath.FromSlash(key), IgnoreFile))
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			line := strings.TrimSuffix(s.Text(), "\r")
			if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
				continue
			}
			ps = append(ps, gitignore.ParsePattern(line, dir))
		}
	}
	ig.byDir[key] = ps
	return ps
}

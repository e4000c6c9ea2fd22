package changes

import (
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
)

// The classes of change mlci knows by name. A configuration may add others.
const (
	Code     = "code"
	Data     = "data"
	Params   = "params"
	Pipeline = "pipeline"
	Docs     = "docs"
	Other    = "other"
)

// DefaultClasses are the classes used when a configuration has none, in
// match order: the first class with a matching glob wins, and a path that
// matches none is Other. The config package fills the same defaults (plus
// every params file a stage names) when mlci.yaml leaves them out.
var DefaultClasses = []config.ChangeClass{
	{Name: Pipeline, Globs: []string{"dvc.yaml", "dvc.lock", "mlci.yaml", "**/dvc.yaml",
		"**/dvc.lock", ".dvc/config", ".dvcignore"}},
	{Name: Params, Globs: []string{"params.yaml", "**/params.yaml", "params.json", "params.toml"}},
	{Name: Data, Globs: []string{"data/**", "datasets/**", "**/*.dvc", "**/*.csv", "**/*.tsv",
		"**/*.parquet", "**/*.jsonl", "**/*.tfrecord"}},
	{Name: Docs, Globs: []string{"docs/**", "**/*.md", "**/*.rst", "LICENSE*"}},
	{Name: Code, Globs: []string{"src/**", "tests/**", "**/*.py", "**/*.ipynb", "**/*.R",
		"**/*.sql", "requirements*.txt", "pyproject.toml", "setup.py", "setup.cfg",
		"Dockerfile"}},
}

// Classifier gives every path exactly one class by the first matching glob.
// It is safe for use by several goroutines.
type Classifier struct {
	classes []compiledClass
}

type compiledClass struct {
	name  string
	globs []*Glob
}

// NewClassifier compiles the globs of classes, in order. With no classes it
// uses DefaultClasses. A bad glob is a configuration error (exit code 2).
func NewClassifier(classes []config.ChangeClass) (*Classifier, error) {
	if len(classes) == 0 {
		classes = DefaultClasses
	}
	c := &Classifier{classes: make([]compiledClass, 0, len(classes))}
	for _, cl := range classes {
		cc := compiledClass{name: cl.Name}
		for _, pattern := range cl.Globs {
			g, err := CompileGlob(pattern)
			if err != nil {
				return nil, exit.Usagef("changes.%s: %v", cl.Name, err)
			}
			cc.globs = append(cc.globs, g)
		}
		c.classes = append(c.classes, cc)
	}
	return c, nil
}

// Classify returns the class of the slash-separated path, relative to the
// repository root: the first class with a glob that matches, else Other.
func (c *Classifier) Classify(path string) string {
	var buf [32]string
	var segs []string
	for _, cl := range c.classes {
		for _, g := range cl.globs {
			if !g.mayMatch(path) {
				continue
			}
			if segs == nil {
				segs = splitPath(path, buf[:0])
			}
			if matchSegs(g.segs, segs) {
				return cl.name
			}
		}
	}
	return Other
}

// Names returns the class names in match order, Other last.
func (c *Classifier) Names() []string {
	names := make([]string, 0, len(c.classes)+1)
	seen := map[string]bool{}
	for _, cl := range c.classes {
		if !seen[cl.name] {
			names = append(names, cl.name)
			seen[cl.name] = true
		}
	}
	if !seen[Other] {
		names = append(names, Other)
	}
	return names
}

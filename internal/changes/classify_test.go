package changes_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
)

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		glob string
		yes  []string
		no   []string
	}{
		{"params.yaml", []string{"params.yaml"}, []string{"x/params.yaml", "params.yml"}},
		{"data/**", []string{"data/a.csv", "data/x/y/z.csv", "data"},
			[]string{"datasets/a", "x/data/a"}},
		{"data", []string{"data", "data/raw/a.csv"}, []string{"data.csv", "database/a"}},
		{"**/*.md", []string{"README.md", "docs/a/b.md", "a.md/inside"}, []string{"md", "a.mdx"}},
		{"**/dvc.yaml", []string{"dvc.yaml", "a/b/dvc.yaml"}, []string{"dvc.yaml.bak"}},
		{"src/**/test_*.py", []string{"src/test_a.py", "src/x/y/test_b.py"},
			[]string{"src/a.py", "test_a.py"}},
		{"*.csv", []string{"a.csv"}, []string{"data/a.csv"}},
		{"**", []string{"anything/at/all"}, nil},
		{"a/**/**/b", []string{"a/b", "a/x/b", "a/x/y/b"}, []string{"a/x"}},
		{"requirements*.txt", []string{"requirements.txt", "requirements-dev.txt"},
			[]string{"x/requirements.txt"}},
		{"LICENSE*", []string{"LICENSE", "LICENSE.md"}, []string{"docs/LICENSE"}},
		{"[ab]?.py", []string{"a1.py", "bz.py"}, []string{"c1.py", "a12.py"}},
		{"./docs/", []string{"docs/x.md"}, []string{"doc/x.md"}},
		{"ü/*", []string{"ü/ä b.txt"}, []string{"u/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.glob, func(t *testing.T) {
			t.Parallel()
			g, err := changes.CompileGlob(tt.glob)
			require.NoError(t, err)
			for _, p := range tt.yes {
				assert.True(t, g.Match(p), "%s should match %s", tt.glob, p)
			}
			for _, p := range tt.no {
				assert.False(t, g.Match(p), "%s should not match %s", tt.glob, p)
			}
		})
	}
}

func TestCompileGlobErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "/", "data/[", `a\`} {
		_, err := changes.CompileGlob(bad)
		assert.Error(t, err, bad)
	}
}

func TestClassifyDefaults(t *testing.T) {
	t.Parallel()
	c, err := changes.NewClassifier(nil)
	require.NoError(t, err)
	tests := map[string]string{
		"dvc.yaml":                changes.Pipeline,
		"dvc.lock":                changes.Pipeline,
		"mlci.yaml":               changes.Pipeline,
		"sub/dvc.yaml":            changes.Pipeline,
		"params.yaml":             changes.Params,
		"data/raw/customers.csv":  changes.Data,
		"data/data.xml.dvc":       changes.Data,
		"eval/predictions.csv":    changes.Data,
		"data/README.md":          changes.Data,
		"README.md":               changes.Docs,
		"docs/conf.py":            changes.Docs,
		"LICENSE":                 changes.Docs,
		"src/train.py":            changes.Code,
		"notebooks/explore.ipynb": changes.Code,
		"tests/test_train.py":     changes.Code,
		"requirements.txt":        changes.Code,
		"Dockerfile":              changes.Code,
		".gitignore":              changes.Other,
		"Makefile":                changes.Other,
	}
	for p, want := range tests {
		assert.Equal(t, want, c.Classify(p), p)
	}
	assert.Equal(t, []string{"pipeline", "params", "data", "docs", "code", "other"}, c.Names())
}

func TestClassifyFirstMatchWins(t *testing.T) {
	t.Parallel()
	c, err := changes.NewClassifier([]config.ChangeClass{
		{Name: "docs", Globs: []string{"docs/**", "**/*.md"}},
		{Name: "code", Globs: []string{"src/**", "**/*.py"}},
		{Name: "notebooks", Globs: []string{"**/*.ipynb"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "docs", c.Classify("docs/gen.py"))
	assert.Equal(t, "docs", c.Classify("src/README.md"))
	assert.Equal(t, "code", c.Classify("src/a.ipynb"))
	assert.Equal(t, "notebooks", c.Classify("nb/a.ipynb"))
	assert.Equal(t, changes.Other, c.Classify("params.yaml"))
}

func TestClassifierBadGlob(t *testing.T) {
	t.Parallel()
	bad := config.ChangeClass{Name: "data", Globs: []string{"data/[x"}}
	_, err := changes.NewClassifier([]config.ChangeClass{bad})
	require.Error(t, err)
	assert.Equal(t, exit.Usage, exit.Code(err))
	assert.Contains(t, err.Error(), "changes.data")
	assert.Contains(t, err.Error(), "data/[x")
}

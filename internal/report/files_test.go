package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out", "report")
	paths, err := WriteFiles(dir, fullData(), Options{Limit: GitHubLimit})
	require.NoError(t, err)

	assert.Equal(t, map[string]string{
		"report.md":   filepath.Join(dir, "report.md"),
		"summary.md":  filepath.Join(dir, "summary.md"),
		"report.json": filepath.Join(dir, "report.json"),
		"report.html": filepath.Join(dir, "report.html"),
	}, paths)
	for _, format := range Formats {
		want, err := Render(format, fullData(), Options{Limit: GitHubLimit})
		require.NoError(t, err)
		got, err := os.ReadFile(paths[FileName(format)])
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), format)
	}

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 4, "temporary files were left behind")
}

func TestWriteFilesLeavesNothingOnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.md"), []byte("old"), 0o644))
	templates := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(templates, "report.html.tmpl"),
		[]byte("{{.Nope}}"), 0o644))

	_, err := WriteFiles(dir, fullData(), Options{TemplateDir: templates})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rendering report.html: template report.html.tmpl")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	old, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(old))
}

func TestWriteFilesIntoAFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := WriteFiles(filepath.Join(file, "dir"), fullData(), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "creating "+filepath.Join(file, "dir"))
}

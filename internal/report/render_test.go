package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/golden"
)

// goldenCases are the reports under golden test, with the formats each is
// checked in (the huge one only where a limit applies, to keep files small).
var goldenCases = []struct {
	name    string
	data    func() *Data
	opts    Options
	formats []string
}{
	{"full", fullData, Options{}, Formats},
	{"no-baseline", noBaseline, Options{}, Formats},
	{"nothing-changed", nothingChanged, Options{}, Formats},
	{"failed-stage", failedStage, Options{}, Formats},
	{"failed-gate", failedGate, Options{Precision: 3}, Formats},
	{"huge", hugeData, Options{Limit: GitHubLimit}, []string{MD, Summary}},
	{"hostile", hostileData, Options{}, Formats},
}

func extension(format string) string {
	switch format {
	case MD:
		return ".md"
	case Summary:
		return ".summary.md"
	case JSON:
		return ".json"
	}
	return ".html"
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		for _, format := range tc.formats {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				got, err := Render(format, tc.data(), tc.opts)
				require.NoError(t, err)
				golden.Assert(t, "golden/"+tc.name+extension(format), got)

				again, err := Render(format, tc.data(), tc.opts)
				require.NoError(t, err)
				assert.Equal(t, string(got), string(again), "not deterministic")
			})
		}
	}
}

func TestRenderJSONRoundTrips(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first, err := Render(JSON, tc.data(), tc.opts)
			require.NoError(t, err)

			d, err := Decode(first)
			require.NoError(t, err)
			second, err := Render(JSON, d, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, string(first), string(second))

			for _, format := range []string{MD, HTMLPage} {
				fromData, err := Render(format, tc.data(), tc.opts)
				require.NoError(t, err)
				fromJSON, err := Render(format, d, tc.opts)
				require.NoError(t, err)
				assert.Equal(t, string(fromData), string(fromJSON), format)
			}
		})
	}
}

func TestRenderDoesNotChangeItsInput(t *testing.T) {
	t.Parallel()
	d := hostileData()
	before, err := Render(JSON, d, Options{})
	require.NoError(t, err)
	for _, format := range Formats {
		_, err := Render(format, d, Options{Limit: 5000})
		require.NoError(t, err)
	}
	after, err := Render(JSON, d, Options{})
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
	assert.Equal(t, "churn", fullData().Models[0].Name)
	assert.Equal(t, "roc_auc", d.Models[0].Metrics[0].Key, "metrics were sorted in place")
}

func TestRenderLimit(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{GitHubLimit, 20000, 6000, 3000, 1500, 600, 200} {
		for _, format := range []string{MD, Summary} {
			t.Run(format+"/"+count(limit), func(t *testing.T) {
				t.Parallel()
				d := hugeData()
				d.Key = "pr/churn"
				got, err := Render(format, d, Options{Limit: limit})
				require.NoError(t, err)
				assert.LessOrEqual(t, len(got), limit)
				assert.True(t, utf8.Valid(got))
				if format == MD {
					key, ok := FindMarker(string(got))
					assert.True(t, ok)
					assert.Equal(t, "pr/churn", key)
					assert.True(t, strings.HasSuffix(string(got), Marker("pr/churn")+"\n"))
				}
				assert.Equal(t, strings.Count(string(got), "<details"),
					strings.Count(string(got), "</details>"))
				assert.Zero(t, strings.Count(string(got), "```")%2, "a code fence is left open")
			})
		}
	}
}

func TestRenderLimitDropsLeastImportantFirst(t *testing.T) {
	t.Parallel()
	got, err := Render(MD, hugeData(), Options{Limit: GitHubLimit})
	require.NoError(t, err)
	s := string(got)

	assert.Contains(t, s, "Left out of this comment: files after the first 4,000; "+
		"the list of changed files. The [full report]"+
		"(https://github.com/acme/churn/actions/runs/42#artifacts) has everything.")
	assert.Contains(t, s, "```mermaid", "charts are put back once the file list is out")
	assert.Contains(t, s, "`grid.p299`", "so are the models' params")
	assert.Contains(t, s, "Files by class: code (1 file), data (4,000 files)")
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	_, err := Render("pdf", fullData(), Options{})
	require.ErrorIs(t, err, ErrFormat)
	assert.EqualError(t, err, `unknown report format "pdf": want one of md, summary, json, html`)
}

func TestRenderTemplateOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.md.tmpl"),
		[]byte("Custom {{md .Headline}} / {{template \"footer\" .}}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644))

	got, err := Render(Summary, fullData(), Options{TemplateDir: dir})
	require.NoError(t, err)
	assert.Equal(t, "Custom churn may be promoted / [Full report]"+
		"(https://github.com/acme/churn/actions/runs/42#artifacts) · "+
		"[CI run](https://github.com/acme/churn/actions/runs/42) · "+
		"[baseline](https://github.com/acme/churn/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432)"+
		" · mlci 0.3.0\n", string(got))

	md, err := Render(MD, fullData(), Options{TemplateDir: dir})
	require.NoError(t, err)
	assert.Contains(t, string(md), "### ✅ mlci · churn — churn may be promoted",
		"templates not overridden stay embedded")
}

func TestRenderTemplateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, text, format, want string
	}{
		{"parse", "report.md.tmpl", "line one\n{{if .Key}}\n", MD,
			"report.md.tmpl:3: unexpected EOF"},
		{"execute", "report.md.tmpl", "{{.NoSuchField}}", MD,
			"can't evaluate field NoSuchField"},
		{"html", "report.html.tmpl", "<p>{{.Key</p>", HTMLPage,
			"report.html.tmpl:1: bad character U+003C '<'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644))

			_, err := Render(tc.format, fullData(), Options{TemplateDir: dir})
			var te *TemplateError
			require.ErrorAs(t, err, &te)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	_, err := Render(MD, fullData(), Options{TemplateDir: filepath.Join(t.TempDir(), "none")})
	var te *TemplateError
	require.ErrorAs(t, err, &te)
}

func TestTitle(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "✅ churn: churn may be promoted", Title(fullData()))
	assert.Equal(t, "❌ churn: accuracy dropped 0.0312, more than 0.02", Title(failedGate()))
	assert.Equal(t, "➖ pipeline: nothing ML-related changed", Title(nothingChanged()))
	assert.Equal(t, "✅ churn: all 4 gates passed", Title(noBaseline()))
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"syntax", "{\n  \"schema\": 1,\n  \"key\": }", "line 3, column 10: invalid character"},
		{"type", "{\n\"schema\": \"one\"}", "line 2, column 15: json: cannot unmarshal string"},
		{"unknown field", `{"schema": 1, "verdit": {}}`, `unknown field "verdit"`},
		{"newer", `{"schema": 2}`, "report schema 2 is newer than this mlci reads (1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

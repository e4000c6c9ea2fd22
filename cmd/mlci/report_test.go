package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/report"
)

// reportDir is a folder holding .mlci/reports/report.json of a failed run.
func reportDir(t *testing.T) string {
	t.Helper()
	acc, base := 0.8319, 0.8631
	d := &report.Data{
		Version: "0.3.0", Key: "pr/churn",
		Candidate: report.Candidate{Commit: "a1b2c3d4e5f6", Ref: "feature"},
		Baseline: report.Baseline{
			Kind:   report.BaselineCommit,
			Ref:    "main",
			Commit: "9f8e7d6c5b4a",
		},
		Verdict: report.Verdict{State: report.Failed, Headline: "accuracy dropped 0.0312"},
		Models: []report.Model{{Name: "churn", Metrics: []report.Metric{
			{Key: "accuracy", Base: &base, Head: &acc}}}},
		Gates: []report.Gate{{Model: "churn", Metric: "accuracy", Rule: "no drop over 0.02",
			Base: &base, Head: &acc, Severity: "error"}},
	}
	data, err := report.Render(report.JSON, d, report.Options{})
	require.NoError(t, err)

	dir := t.TempDir()
	path := filepath.Join(dir, ".mlci", "reports", "report.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return dir
}

func TestReportCommand(t *testing.T) {
	t.Parallel()
	dir := reportDir(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"md by default", nil, exit.OK, []string{
			"### ❌ mlci · churn — accuracy dropped 0.0312",
			"| `accuracy` | 0.8631 | 0.8319 | -0.0312 |",
			"<!-- mlci:report key=pr/churn -->",
		}},
		{"summary", []string{"--format", "summary"}, exit.OK, []string{"## ❌ mlci · churn"}},
		{"json", []string{"--format", "json"}, exit.OK, []string{`"state": "failed"`}},
		{"html", []string{"--format", "html"}, exit.OK, []string{"<!DOCTYPE html>", "</html>"}},
		{"precision", []string{"--precision", "2"}, exit.OK, []string{"| 0.86 | 0.83 | -0.03 |"}},
		{"from", []string{"--from", filepath.Join(dir, ".mlci", "reports", "report.json"),
			"-C", t.TempDir()}, exit.OK, []string{"accuracy dropped"}},
		{"bad format", []string{"--format", "pdf"}, exit.Usage,
			[]string{`--format: "pdf" is not one of md, summary, json, html`}},
		{"post without a platform", []string{"--post"}, exit.Usage,
			[]string{"posting needs a CI platform (GitHub or GitLab)"}},
		{"no report", []string{"-C", t.TempDir()}, exit.Usage,
			[]string{"no report at", "run mlci ci (or mlci demo) first"}},
		{"missing --from", []string{"--from", "nope.json"}, exit.Usage,
			[]string{"--from nope.json: no such file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := mlci(t, append([]string{"-C", dir, "report"}, tc.args...)...)
			assert.Equal(t, tc.code, code, stderr)
			for _, want := range tc.contains {
				assert.Contains(t, stdout+stderr, want)
			}
		})
	}
}

func TestReportCommandOut(t *testing.T) {
	t.Parallel()
	dir := reportDir(t)
	out := filepath.Join(t.TempDir(), "build")

	stdout, stderr, code := mlci(t, "-C", dir, "report", "--out", out)
	require.Equal(t, exit.OK, code, stderr)
	for _, name := range []string{"report.md", "summary.md", "report.json", "report.html"} {
		assert.Contains(t, stdout, filepath.Join(out, name)+"\n")
		assert.FileExists(t, filepath.Join(out, name))
	}

	stdout, stderr, code = mlci(t, "-C", dir, "report", "--out", out, "--format", "json")
	require.Equal(t, exit.OK, code, stderr)
	assert.Contains(t, stdout, `"report.md": "`+filepath.Join(out, "report.md")+`"`)
}

func TestReportCommandBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "report.json")
	require.NoError(
		t,
		os.WriteFile(bad, []byte("{\n  \"schema\": 1,\n  \"verdict\": []\n}"), 0o644),
	)
	_, stderr, code := mlci(t, "-C", dir, "report", "--from", bad)
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, bad+": line 3, column 14: json: cannot unmarshal array")

	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"schema\": 1,\n"), 0o644))
	_, stderr, code = mlci(t, "-C", dir, "report", "--from", bad)
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, bad+": line 3: the JSON ends early: unexpected EOF")

	tpl := filepath.Join(dir, "tpl")
	require.NoError(t, os.MkdirAll(tpl, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tpl, "report.md.tmpl"), []byte("{{.Oops"), 0o644))
	from := filepath.Join(reportDir(t), ".mlci", "reports", "report.json")
	_, stderr, code = mlci(t, "-C", dir, "report", "--from", from, "--template", tpl)
	assert.Equal(t, exit.Usage, code)
	assert.True(
		t,
		strings.HasPrefix(stderr, "mlci: template "+filepath.Join(tpl, "report.md.tmpl")),
		stderr,
	)
}

func TestReportCommandConfig(t *testing.T) {
	t.Parallel()
	dir := reportDir(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tpl"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tpl", "summary.md.tmpl"),
		[]byte("custom: {{md .Headline}}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dvc.yaml"),
		[]byte("stages:\n  train:\n    cmd: \"true\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mlci.yaml"),
		[]byte("pipeline: dvc.yaml\nreport:\n  precision: 2\n  template: tpl\n"), 0o644))

	stdout, stderr, code := mlci(t, "-C", dir, "report", "--format", "summary")
	require.Equal(t, exit.OK, code, stderr)
	assert.Equal(t, "custom: accuracy dropped 0.0312\n", stdout)

	stdout, stderr, code = mlci(t, "-C", dir, "report")
	require.Equal(t, exit.OK, code, stderr)
	assert.Contains(t, stdout, "| 0.86 | 0.83 | -0.03 |")
}

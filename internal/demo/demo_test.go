package demo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/report"
)

// TestRun plays the whole demo: the pull request passes, restores the stages
// its first push ran, and the merge promotes the new model to staging.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo trains models")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the demo needs python3")
	}
	dir := t.TempDir()
	var out bytes.Buffer

	res, err := Run(t.Context(), Options{Dir: dir, Version: "test", Report: &out})
	require.NoError(t, err)

	assert.True(t, res.Passed)
	d := res.Report
	assert.Equal(t, report.Passed, d.Verdict.State)
	results := map[string]string{}
	for _, st := range d.Stages {
		results[st.Name] = st.Result
	}
	assert.Equal(t, map[string]string{
		"prepare": "restored", "featurize": "restored", "train": "ran", "evaluate": "ran",
	}, results)
	require.NotNil(t, d.Promotion)
	assert.Equal(t, "v0.2.0", d.Promotion.Version)
	assert.Equal(t, "staging", d.Promotion.Stage)
	assert.True(t, d.Promotion.Done)

	md := out.String()
	assert.True(t, strings.HasPrefix(md, "### ✅ mlci · churn"), md)
	assert.Contains(t, md, "`monthly_charges`")
	assert.Contains(t, md, "<!-- mlci:report key=local -->")
	for _, f := range []string{"report.md", "report.json", "report.html", "verdict.json",
		"gates.xml", "record.json"} {
		assert.FileExists(t, filepath.Join(res.ReportDir, f))
	}

	tags, err := exec.Command("git", "-C", res.Repo, "tag", "--list").Output()
	require.NoError(t, err)
	assert.Equal(t, []string{"churn#staging#1", "churn#staging#2", "churn@v0.1.0", "churn@v0.2.0"},
		strings.Fields(string(tags)))
}

func TestCreateRefusesAFolderWithFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644))

	_, err := Create(t.Context(), dir)
	require.ErrorContains(t, err, "is not empty")
}

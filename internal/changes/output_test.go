package changes_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/golden"
)

func sampleResult() *changes.Result {
	return &changes.Result{
		Base:      "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
		Head:      "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		MergeBase: true,
		Source:    "git after deepening 2x",
		Changed:   []string{"code", "data", "docs", "params"},
		Counts:    map[string]int{"code": 7, "data": 1, "docs": 1, "params": 1},
		Files: []changes.File{
			{Path: "README.md", Status: "modified", Class: "docs"},
			{Path: "data/data.xml", Status: "modified", Class: "data", Via: "data/data.xml.dvc"},
			{Path: "params.yaml", Status: "modified", Class: "params"},
			{Path: "src/a.py", Status: "added", Class: "code"},
			{Path: "src/b.py", Status: "deleted", Class: "code"},
			{Path: "src/c.py", Status: "renamed", Class: "code", OldPath: "src/old_c.py"},
			{Path: "src/d.sh", Status: "modified", Class: "code", Mode: "100644 → 100755"},
			{Path: "src/e.py", Status: "modified", Class: "code"},
			{Path: "src/f.py", Status: "modified", Class: "code"},
			{Path: "vendor/lib", Status: "modified", Class: "code", Submodule: true},
		},
		Params: []changes.ParamChange{
			{Key: "train.epochs", File: "params.yaml", Base: 20, Head: 30},
			{Key: "train.layers", File: "params.yaml", Base: []any{32, 16}, Head: nil},
			{Key: "train.lr", File: "params.yaml", Base: 0.1, Head: 0.05},
		},
		Stages: []string{"prepare", "train", "evaluate"},
		Reasons: map[string][]string{
			"prepare": {"dep data/data.xml changed"},
			"train": {"dep src/e.py changed", "param train.epochs changed",
				"param train.lr changed"},
			"evaluate": {"upstream train affected"},
		},
		Tests: true,
	}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, sampleResult().WriteText(&buf))
	golden.Assert(t, "text.golden", buf.Bytes())

	buf.Reset()
	empty := &changes.Result{Head: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Source: "git"}
	require.NoError(t, empty.WriteText(&buf))
	golden.Assert(t, "text-empty.golden", buf.Bytes())
}

func TestResultJSON(t *testing.T) {
	t.Parallel()
	got, err := json.MarshalIndent(sampleResult(), "", "  ")
	require.NoError(t, err)
	golden.Assert(t, "result.json.golden", append(got, '\n'))
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	res := sampleResult()
	res.Changed = append(res.Changed, "Note-books")

	out := res.Outputs()

	assert.Equal(t, map[string]string{
		"code_changed":       "true",
		"data_changed":       "true",
		"params_changed":     "true",
		"docs_changed":       "true",
		"pipeline_changed":   "false",
		"other_changed":      "false",
		"note_books_changed": "true",
		"stages":             `["prepare","train","evaluate"]`,
		"changed":            `["code","data","docs","params","Note-books"]`,
		"tests":              "true",
		"base":               res.Base,
		"head":               res.Head,
	}, out)
	assert.Equal(t, "[]", (&changes.Result{}).Outputs()["stages"])
}

func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	odd := sampleResult()
	odd.Files = append(odd.Files,
		changes.File{Path: `a "quoted" <&> path`, Status: "added", Class: "other"},
		changes.File{Path: "tab\there\u2028line", Status: "deleted", Class: "other",
			OldPath: "ünïcode/ß.txt"},
		changes.File{Path: "bad\xffutf8", Status: "modified", Class: "other", Via: "x\\y"},
	)
	tests := map[string]*changes.Result{
		"sample": sampleResult(),
		"odd":    odd,
		"empty":  {Changed: []string{}, Files: []changes.File{}, Params: []changes.ParamChange{}},
		"zero":   {},
	}
	for name, res := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(res))

			require.NoError(t, res.WriteJSON(&got))
			assert.Equal(t, want.String(), got.String())
		})
	}
}

package config

import (
	"bufio"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const schemaFile = "../../docs/mlci.schema.json"

// mlciOnlyKeys are the top-level keys only mlci.yaml has; a YAML block in
// the docs with one of them is an mlci.yaml example.
var mlciOnlyKeys = []string{"pipeline", "changes", "tests", "models", "data", "triggers",
	"report", "remote", "platform"}

// block is a fenced yaml block of a Markdown file.
type block struct {
	file string
	line int
	text string
}

// TestDocsExamples checks every mlci.yaml example of the docs against the
// schema and loads it; see "How these examples are checked" in
// docs/configuration.md for which blocks are examples.
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t)
	blocks := mlciBlocks(t)
	require.NotEmpty(t, blocks)
	own, err := os.ReadFile(filepath.Join(example, "mlci.yaml"))
	require.NoError(t, err)
	blocks = append(blocks, block{file: "testdata/example/mlci.yaml", line: 1, text: string(own)})

	for _, b := range blocks {
		t.Run(b.file+":"+itoa(b.line), func(t *testing.T) {
			t.Parallel()
			assert.NoError(t, schema.Validate(instance(t, b.text)))

			_, err := Load(exampleRepo(t, b.text), "")

			assert.NoError(t, err)
		})
	}
}

// TestSchemaRejects checks that the schema is strict where the loader is.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	schema := compileSchema(t)
	bad := []string{
		"modles: {}\n",
		"models: {m: {path: m.pkl, gates: [{metric: acc}]}}\n",
		"models: {m: {path: m.pkl, gates: [{metric: acc, min: high}]}}\n",
		"models: {m: {path: m.pkl, gates: [{metric: acc, min: 1, severity: fatal}]}}\n",
		"models: {m: {path: m.pkl, promote: {staging: {on: push}}}}\n",
		"models: {m: {metrics: m.json}}\n",
		"report: {precision: 2.5}\n",
		"triggers: {max_age: 30 days}\n",
		"changes: {tests: [x]}\n",
		"pipeline: dvc.yaml\nstages: {a: {cmd: a}}\n",
		"stages: {a: {cmd: a, dep: [x]}}\n",
		"data: {d: {path: d.csv, format: excel}}\n",
	}
	for _, text := range bad {
		assert.Error(t, schema.Validate(instance(t, text)), text)
	}
}

// TestSchemaKnowsEveryKey checks that the schema and the loader agree on
// the keys of each section.
func TestSchemaKnowsEveryKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(schemaFile)
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal(data, &s))
	defs := s["$defs"].(map[string]any)
	props := func(v any, at ...string) []string {
		for _, k := range at {
			v = v.(map[string]any)[k]
		}
		return sortedKeys(v.(map[string]any))
	}
	sorted := func(keys []string) []string { return sortedKeys(toSet(keys)) }

	assert.Equal(t, sorted(mlciKeys), props(s, "properties"))
	assert.Equal(t, sorted(stageKeys), props(defs, "stage", "properties"))
	assert.Equal(t, sorted(modelKeys), props(defs, "model", "properties"))
	assert.Equal(t, sorted(gateKeys), props(defs, "gate", "properties"))
	assert.Equal(t, sorted(ruleKeys), props(defs, "promoteRule", "properties"))
	assert.Equal(t, sorted(serveKeys), props(defs, "serve", "properties"))
	assert.Equal(t, sorted(driftKeys), props(defs, "drift", "properties"))
	assert.Equal(t, sorted(driftColumnKeys), props(defs, "driftColumn", "properties"))
	assert.Equal(t, sorted(outKeys), props(defs, "outOptions", "properties"))
	assert.Equal(t, sorted(plotKeys), props(defs, "plotOptions", "properties"))
	assert.Equal(t, sorted(triggerKeys), props(s, "properties", "triggers", "properties"))
	assert.Equal(t, sorted(reportKeys), props(s, "properties", "report", "properties"))
	assert.Equal(t, sorted(platformKeys), props(s, "properties", "platform", "properties"))
	assert.Equal(t, sorted(testKeys), props(s, "properties", "tests", "items", "properties"))
	assert.Equal(t, sorted(metricTrigKeys),
		props(s, "properties", "triggers", "properties", "metric", "properties"))
}

func toSet(keys []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("mlci.schema.json", doc))
	schema, err := c.Compile("mlci.schema.json")
	require.NoError(t, err)
	return schema
}

// instance converts a YAML document into a value the schema validates.
func instance(t *testing.T, text string) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal([]byte(text), &v))
	data, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
	require.NoError(t, err)
	return inst
}

// mlciBlocks returns the mlci.yaml examples of docs/*.md and README.md.
func mlciBlocks(t *testing.T) []block {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	if _, err := os.Stat("../../README.md"); err == nil {
		files = append(files, "../../README.md")
	}
	var out []block
	for _, f := range files {
		for _, b := range yamlBlocks(t, f) {
			if isMLCIExample(b.text) {
				out = append(out, b)
			}
		}
	}
	return out
}

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, file string) []block {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var out []block
	var cur *block
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur = &block{file: path.Base(file), line: n + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// isMLCIExample applies the docs' convention for which blocks are examples.
func isMLCIExample(text string) bool {
	first, _, _ := strings.Cut(text, "\n")
	first = strings.TrimSpace(first)
	if strings.HasPrefix(first, "# not mlci.yaml") {
		return false
	}
	if strings.HasPrefix(first, "# mlci.yaml") {
		return true
	}
	var top map[string]any
	if yaml.Unmarshal([]byte(text), &top) != nil {
		return false
	}
	for _, k := range mlciOnlyKeys {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

// exampleRepo writes an example mlci.yaml beside a copy of the example
// project's dvc.yaml and params.yaml (where its pipeline key points, and
// without dvc.yaml when the example has its own stages).
func exampleRepo(t *testing.T, text string) string {
	t.Helper()
	var top struct {
		Pipeline string         `yaml:"pipeline"`
		Stages   map[string]any `yaml:"stages"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(text), &top))
	files := map[string]string{"mlci.yaml": text}
	params, err := os.ReadFile(filepath.Join(example, "params.yaml"))
	require.NoError(t, err)
	files["params.yaml"] = string(params)
	if top.Stages == nil {
		dvc, err := os.ReadFile(filepath.Join(example, "dvc.yaml"))
		require.NoError(t, err)
		pipeline := "dvc.yaml"
		if top.Pipeline != "" {
			pipeline = top.Pipeline
		}
		files[pipeline] = string(dvc)
		files[path.Join(path.Dir(pipeline), "params.yaml")] = string(params)
	}
	return writeRepo(t, files)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

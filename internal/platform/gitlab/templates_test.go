package gitlab

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/registry"
)

const templatesDir = "../../../templates/gitlab"

// GitLab's stages when a configuration names none.
var defaultStages = []string{".pre", "build", "test", "deploy", ".post"}

// The jobs every template holds, with the pipeline source their rule names.
var wantJobs = map[string]string{
	"mlci-merge-request":      `$CI_PIPELINE_SOURCE == "merge_request_event"`,
	"mlci-default-branch":     `$CI_PIPELINE_SOURCE == "push"`,
	"mlci-promote-production": `$CI_PIPELINE_SOURCE == "push"`,
	"mlci-retrain":            `$CI_PIPELINE_SOURCE == "schedule"`,
	"mlci-command":            `$CI_PIPELINE_SOURCE == "trigger"`,
}

type job struct {
	Image struct {
		Name       string   `yaml:"name"`
		Entrypoint []string `yaml:"entrypoint"`
	} `yaml:"image"`
	Stage     string            `yaml:"stage"`
	Extends   string            `yaml:"extends"`
	Variables map[string]string `yaml:"variables"`
	Script    []string          `yaml:"script"`
	Rules     []struct {
		If           string `yaml:"if"`
		When         string `yaml:"when"`
		AllowFailure *bool  `yaml:"allow_failure"`
	} `yaml:"rules"`
	Needs []struct {
		Job       string `yaml:"job"`
		Artifacts bool   `yaml:"artifacts"`
	} `yaml:"needs"`
	Environment *struct {
		Name           string `yaml:"name"`
		DeploymentTier string `yaml:"deployment_tier"`
	} `yaml:"environment"`
	Artifacts *struct {
		When     string   `yaml:"when"`
		ExposeAs string   `yaml:"expose_as"`
		Paths    []string `yaml:"paths"`
		Reports  struct {
			JUnit   string `yaml:"junit"`
			Dotenv  string `yaml:"dotenv"`
			Metrics string `yaml:"metrics"`
		} `yaml:"reports"`
	} `yaml:"artifacts"`
}

// pipeline reads a configuration's jobs, with extends applied the way
// GitLab applies it to the keys used here (the job's own keys win).
func pipeline(t *testing.T, doc []byte) (map[string]job, []string) {
	t.Helper()
	var raw map[string]yaml.Node
	require.NoError(t, yaml.Unmarshal(doc, &raw))

	var stages []string
	if n, ok := raw["stages"]; ok {
		require.NoError(t, n.Decode(&stages))
	}
	jobs := map[string]job{}
	for name, node := range raw {
		if name == "variables" || name == "stages" || name == "include" ||
			strings.HasPrefix(name, ".") {
			continue
		}
		var j job
		if ext, ok := raw[extendsOf(t, node)]; ok {
			require.NoError(t, ext.Decode(&j))
		}
		require.NoError(t, node.Decode(&j), name)
		jobs[name] = j
	}
	if stages == nil {
		stages = defaultStages
	}
	return jobs, stages
}

func extendsOf(t *testing.T, n yaml.Node) string {
	var e struct {
		Extends string `yaml:"extends"`
	}
	require.NoError(t, n.Decode(&e))
	return e.Extends
}

// checkPipeline holds what both templates must do.
func checkPipeline(t *testing.T, jobs map[string]job, stages []string) {
	t.Helper()
	require.Len(t, jobs, len(wantJobs))
	for name, source := range wantJobs {
		j, ok := jobs[name]
		require.True(t, ok, "job %s", name)
		require.NotEmpty(t, j.Rules, name)
		assert.Contains(t, j.Rules[0].If, source, name)
		assert.Contains(t, stages, j.Stage, "%s's stage", name)
		assert.Equal(
			t,
			[]string{""},
			j.Image.Entrypoint,
			"%s: the image's entrypoint is mlci",
			name,
		)
		checkArtifacts(t, name, j)
		for _, n := range j.Needs {
			need, ok := jobs[n.Job]
			require.True(t, ok, "%s needs %s, which is not a job", name, n.Job)
			assert.Equal(t, need.Rules[0].If, j.Rules[0].If,
				"%s and %s it needs run in the same pipelines", name, n.Job)
		}
	}

	prod := jobs["mlci-promote-production"]
	assert.Equal(t, "manual", prod.Rules[0].When)
	require.NotNil(t, prod.Rules[0].AllowFailure)
	assert.True(t, *prod.Rules[0].AllowFailure, "an unpromoted model leaves the pipeline green")
	require.NotNil(t, prod.Environment)
	assert.Equal(t, "production", prod.Environment.Name)
	assert.Equal(t, "production", prod.Environment.DeploymentTier)
	assert.Contains(t, prod.Script[len(prod.Script)-1], "promote --push",
		"the tags reach the project, not only the job")
	assert.Equal(t, "$GITLAB_USER_LOGIN", prod.Variables["MLCI_APPROVED_BY"],
		"whoever starts the job approves the promotion")
	require.Len(t, prod.Needs, 1)
	assert.Equal(t, "mlci-default-branch", prod.Needs[0].Job)
	assert.Contains(t, jobs["mlci-default-branch"].Rules[0].If, "$CI_DEFAULT_BRANCH")
	assert.Contains(t, jobs["mlci-command"].Rules[0].If, "$TRIGGER_PAYLOAD")
}

func checkArtifacts(t *testing.T, name string, j job) {
	t.Helper()
	a := j.Artifacts
	require.NotNil(t, a, name)
	assert.Equal(t, "always", a.When, "%s keeps its reports when a gate fails", name)
	assert.Equal(t, "mlci report", a.ExposeAs, name)
	assert.Equal(t, []string{HTMLPath, ReportsDir + "/"}, a.Paths, name)
	assert.Equal(t, JUnitPath, a.Reports.JUnit, name)
	assert.Equal(t, DotenvPath, a.Reports.Dotenv, name)
	assert.Equal(t, MetricsPath, a.Reports.Metrics, name)
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(templatesDir, "mlci.gitlab-ci.yml"))
	require.NoError(t, err)

	jobs, stages := pipeline(t, data)

	checkPipeline(t, jobs, stages)
	var vars struct {
		Variables map[string]string `yaml:"variables"`
	}
	require.NoError(t, yaml.Unmarshal(data, &vars))
	for _, v := range []string{"MLCI_IMAGE", "MLCI_PROMOTE_MODEL", "MLCI_CONFIG",
		"MLCI_LOG_LEVEL"} {
		assert.Contains(t, vars.Variables, v)
		assert.Contains(t, string(data), "$"+v, "%s is used", v)
	}

	// The outputs a job passes on through its dotenv report win over the
	// variables of the jobs that need it: none may share a name.
	outputs := []string{"state", "passed", "report_url", "report_path"}
	for _, m := range []map[string]string{(&changes.Result{}).Outputs(),
		(&registry.Promotion{}).Outputs()} {
		outputs = append(outputs, slices.Collect(maps.Keys(m))...)
	}
	for _, out := range outputs {
		assert.NotContains(t, vars.Variables, OutputName(out),
			"a variable of the template is also an output")
	}
}

var inputRef = regexp.MustCompile(`\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]`)

type componentSpec struct {
	Spec struct {
		Inputs map[string]struct {
			Default *string  `yaml:"default"`
			Options []string `yaml:"options"`
		} `yaml:"inputs"`
	} `yaml:"spec"`
}

// TestComponent checks the CI/CD component: in the layout the catalog
// reads, every input used and every use declared, and once interpolated
// the same pipeline as the template.
func TestComponent(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(templatesDir, "component", "templates", "mlci.yml"))
	require.NoError(t, err)
	docs := yamlDocs(t, data)
	require.Len(t, docs, 2, "a spec header, then the jobs")
	var spec componentSpec
	require.NoError(t, yaml.Unmarshal(docs[0], &spec))

	used := map[string]bool{}
	for _, m := range inputRef.FindAllStringSubmatch(string(docs[1]), -1) {
		used[m[1]] = true
		assert.Contains(t, spec.Spec.Inputs, m[1], "$[[ inputs.%s ]] is declared", m[1])
	}
	values := map[string]string{}
	for name, in := range spec.Spec.Inputs {
		assert.True(t, used[name], "input %s is used", name)
		values[name] = "my-model"
		if in.Default != nil {
			values[name] = *in.Default
		}
		if len(in.Options) > 0 {
			assert.Contains(t, in.Options, values[name], "%s's default is an option", name)
		}
	}
	assert.Nil(t, spec.Spec.Inputs["model"].Default, "the model has no default")

	jobs, stages := pipeline(t, interpolate(docs[1], values))
	checkPipeline(t, jobs, stages)
	assert.Contains(t, jobs["mlci-promote-production"].Script[0],
		`promote --push "my-model" production`)
}

// interpolate replaces $[[ inputs.x ]] as GitLab does when it includes a
// component.
func interpolate(doc []byte, values map[string]string) []byte {
	return inputRef.ReplaceAllFunc(doc, func(m []byte) []byte {
		return []byte(values[string(inputRef.FindSubmatch(m)[1])])
	})
}

// yamlDocs splits a YAML stream into its documents.
func yamlDocs(t *testing.T, data []byte) [][]byte {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs [][]byte
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err)
		out, err := yaml.Marshal(&n)
		require.NoError(t, err)
		docs = append(docs, out)
	}
}

func TestComponentLayout(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(filepath.Join(templatesDir, "component", "templates"))
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"mlci.yml"}, names)
	assert.FileExists(t, filepath.Join(templatesDir, "component", "README.md"))
}

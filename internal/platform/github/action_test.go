package github

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const repoRoot = "../../.."

// TestActionMetadata checks action.yml against the schema GitHub checks
// action files with (@actions/workflow-parser's action-v1.0), and against
// what the code reads and writes.
func TestActionMetadata(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &doc))
	root := doc.Content[0]

	s := loadActionSchema(t)
	require.NoError(t, s.validate(root, "action-root-strict", "action.yml"))

	var action struct {
		Name, Description string
		Inputs            yaml.Node
		Outputs           yaml.Node
		Runs              struct {
			Using, Image string
			Args         []string
		}
		Branding struct{ Icon, Color string }
	}
	require.NoError(t, root.Decode(&action))

	assert.Equal(t, "docker", action.Runs.Using)
	assert.Equal(t, "Dockerfile", action.Runs.Image)
	assert.FileExists(t, filepath.Join(repoRoot, action.Runs.Image))
	assert.Equal(t, []string{"ci"}, action.Runs.Args, "the action runs `mlci ci`")
	assert.NotEmpty(t, action.Branding.Icon)
	assert.NotEmpty(t, action.Branding.Color)

	inputs := described(t, &action.Inputs, "input")
	assert.Equal(t, InputNames, inputs, "action.yml's inputs are the ones the code reads")
	outputs := described(t, &action.Outputs, "output")
	assert.Equal(t, OutputNames, outputs, "action.yml's outputs are the ones the flow sets")
}

// described returns a mapping's keys in order, checking that each is a
// valid id (a letter or _, then letters, digits, - or _) with a description.
func described(t *testing.T, m *yaml.Node, what string) []string {
	t.Helper()
	valid := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	var names []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		name := m.Content[i].Value
		assert.Regexp(t, valid, name, "%s id", what)
		assert.Equal(t, strings.ToLower(name), name, "%s %s: GitHub lower-cases ids", what, name)
		var v struct{ Description string }
		require.NoError(t, m.Content[i+1].Decode(&v))
		assert.NotEmpty(t, v.Description, "%s %s has a description", what, name)
		names = append(names, name)
	}
	return names
}

func TestActionSchemaRejects(t *testing.T) {
	t.Parallel()
	s := loadActionSchema(t)
	tests := []struct {
		name, yaml, want string
	}{
		{"no runs", "name: x\ndescription: y\n", "runs"},
		{"bad colour", "name: x\ndescription: y\nruns: {using: docker, image: D}\n" +
			"branding: {icon: box, color: pink}\n", "pink"},
		{"omitted icon", "name: x\ndescription: y\nruns: {using: docker, image: D}\n" +
			"branding: {icon: coffee, color: blue}\n", "coffee"},
		{"boolean default", "name: x\ndescription: y\nruns: {using: docker, image: D}\n" +
			"inputs: {a: {description: d, default: true}}\n", "default"},
		{
			"unknown key",
			"name: x\ndescription: y\nruns: {using: docker, image: D}\nicon: x\n",
			"icon",
		},
	}
	for _, tt := range tests {
		var doc yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(tt.yaml), &doc))
		err := s.validate(doc.Content[0], "action-root-strict", "action.yml")
		require.ErrorContains(t, err, tt.want, tt.name)
	}
}

// TestDockerfile checks the Dockerfile with BuildKit's parser against what
// GitHub requires of a container action, and that it builds mlci with the
// flags of `make build`.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	ast, err := parser.Parse(f)
	require.NoError(t, err)
	require.NotEmpty(t, ast.AST.Children)
	assert.Equal(t, "from", strings.ToLower(ast.AST.Children[0].Value),
		"GitHub: the first instruction is FROM")

	stages, _, err := instructions.Parse(ast.AST, nil)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(stages), 2, "a build stage and a small final one")
	final := stages[len(stages)-1]
	assert.Contains(t, final.BaseName, "-slim")

	var entry *instructions.EntrypointCommand
	var runs []string
	for _, st := range stages {
		for _, cmd := range st.Commands {
			_, isUser := cmd.(*instructions.UserCommand)
			assert.False(t, isUser, "GitHub: an action runs as root, no USER")
		}
	}
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.EntrypointCommand:
			entry = c
		case *instructions.WorkdirCommand:
			t.Errorf("GitHub sets the working directory; WORKDIR %s is not wanted", c.Path)
		case *instructions.RunCommand:
			runs = append(runs, strings.Join(c.CmdLine, " "))
		}
	}
	require.NotNil(t, entry, "the final stage has an ENTRYPOINT")
	assert.False(t, entry.PrependShell, "the ENTRYPOINT is in exec form")
	assert.Equal(t, []string{"mlci"}, entry.CmdLine)
	assert.Contains(
		t,
		strings.Join(runs, "\n"),
		"safe.directory",
		"git trusts the mounted workspace",
	)
	assert.Contains(t, strings.Join(runs, "\n"), " git ", "git is installed")

	docker := goBuildIn(t, stages[0])
	assert.Equal(t, makeBuild(t), docker, "the Dockerfile builds with the flags of make build")
}

// goBuild is a `go build` command line reduced to what must match.
type goBuild struct {
	Env     []string
	Flags   []string
	LDFlags []string
	Package string
}

func goBuildIn(t *testing.T, st instructions.Stage) goBuild {
	t.Helper()
	for _, cmd := range st.Commands {
		if run, ok := cmd.(*instructions.RunCommand); ok {
			line := strings.Join(run.CmdLine, " ")
			if strings.Contains(line, "go build") {
				return parseGoBuild(t, line, nil)
			}
		}
	}
	t.Fatal("the build stage has no go build")
	return goBuild{}
}

// makeBuild reads the build target's recipe and LDFLAGS from the Makefile.
func makeBuild(t *testing.T) goBuild {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	require.NoError(t, err)
	vars := map[string]string{}
	var recipe string
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if m := regexp.MustCompile(`^(\w+)\s*[:?]?=\s*(.*)$`).FindStringSubmatch(l); m != nil {
			vars[m[1]] = m[2]
		}
		if strings.HasPrefix(l, "build:") && i+1 < len(lines) {
			recipe = strings.TrimSpace(lines[i+1])
		}
	}
	require.NotEmpty(t, recipe, "the Makefile has a build target")
	return parseGoBuild(t, recipe, vars)
}

var makeVar = regexp.MustCompile(`\$\((\w+)\)|\$\{(\w+)\}`)

// parseGoBuild splits a go build line, expanding the variables in vars and
// writing the others as $VAR, so that make's and the shell's forms compare.
func parseGoBuild(t *testing.T, line string, vars map[string]string) goBuild {
	t.Helper()
	for range 3 {
		line = makeVar.ReplaceAllStringFunc(line, func(v string) string {
			m := makeVar.FindStringSubmatch(v)
			name := m[1] + m[2]
			if x, ok := vars[name]; ok && name != "VERSION" && name != "COMMIT" {
				return x
			}
			return "$" + name
		})
	}
	words, err := shellWords(line)
	require.NoError(t, err)

	var b goBuild
	i := slices.Index(words, "build")
	require.Positive(t, i, "a go build line: %s", line)
	b.Env = append(b.Env, words[:i-1]...)
	for j := i + 1; j < len(words); j++ {
		switch w := words[j]; {
		case w == "-ldflags" && j+1 < len(words):
			b.LDFlags = strings.Fields(words[j+1])
			j++
		case w == "-o" && j+1 < len(words):
			j++
		case strings.HasPrefix(w, "-"):
			b.Flags = append(b.Flags, w)
		default:
			b.Package = w
		}
	}
	return b
}

// actionSchema is GitHub's template schema for action files: named
// definitions of mappings, sequences, strings and allowed values.
type actionSchema struct {
	defs map[string]actionDef
}

type actionDef struct {
	Mapping *struct {
		Properties     map[string]json.RawMessage `json:"properties"`
		LooseKeyType   string                     `json:"loose-key-type"`
		LooseValueType string                     `json:"loose-value-type"`
	} `json:"mapping"`
	Sequence *struct {
		ItemType string `json:"item-type"`
	} `json:"sequence"`
	String *struct {
		RequireNonEmpty bool `json:"require-non-empty"`
	} `json:"string"`
	Boolean       *struct{} `json:"boolean"`
	Number        *struct{} `json:"number"`
	Null          *struct{} `json:"null"`
	OneOf         []string  `json:"one-of"`
	AllowedValues []string  `json:"allowed-values"`
}

type actionProp struct {
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

func loadActionSchema(t *testing.T) *actionSchema {
	t.Helper()
	data, err := os.ReadFile("testdata/action/action-v1.0.min.json")
	require.NoError(t, err)
	var s struct {
		Definitions map[string]actionDef `json:"definitions"`
	}
	require.NoError(t, json.Unmarshal(data, &s))
	return &actionSchema{defs: s.Definitions}
}

// validate checks node against the definition named def.
func (s *actionSchema) validate(n *yaml.Node, def, at string) error {
	switch def {
	case "any":
		return nil
	case "string":
		return scalar(n, "!!str", at)
	case "boolean":
		return scalar(n, "!!bool", at)
	}
	d, ok := s.defs[def]
	if !ok {
		return fmt.Errorf("%s: the schema has no definition %q", at, def)
	}

	if len(d.OneOf) > 0 {
		var errs []string
		for _, alt := range d.OneOf {
			err := s.validate(n, alt, at)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches none of %v: %s", at, d.OneOf, strings.Join(errs, "; "))
	}
	if d.AllowedValues != nil {
		if n.Kind != yaml.ScalarNode || !slices.Contains(d.AllowedValues, n.Value) {
			return fmt.Errorf("%s: %q is not an allowed value", at, n.Value)
		}
		return nil
	}

	switch {
	case n.Kind == yaml.MappingNode && d.Mapping != nil:
		return s.mapping(n, d, at)
	case n.Kind == yaml.SequenceNode && d.Sequence != nil:
		for i, item := range n.Content {
			path := fmt.Sprintf("%s[%d]", at, i)
			if err := s.validate(item, d.Sequence.ItemType, path); err != nil {
				return err
			}
		}
		return nil
	case n.Kind == yaml.ScalarNode && d.String != nil && n.Tag == "!!str":
		if d.String.RequireNonEmpty && n.Value == "" {
			return fmt.Errorf("%s: must not be empty", at)
		}
		return nil
	case n.Kind == yaml.ScalarNode && d.Boolean != nil && n.Tag == "!!bool",
		n.Kind == yaml.ScalarNode && d.Number != nil && (n.Tag == "!!int" || n.Tag == "!!float"),
		n.Kind == yaml.ScalarNode && d.Null != nil && n.Tag == "!!null":
		return nil
	}
	return fmt.Errorf("%s (line %d): %s %q does not fit %s", at, n.Line, n.Tag, n.Value, def)
}

func (s *actionSchema) mapping(n *yaml.Node, d actionDef, at string) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		seen[key.Value] = true
		where := at + "." + key.Value
		if raw, ok := d.Mapping.Properties[key.Value]; ok {
			if err := s.validate(val, propOf(raw).Type, where); err != nil {
				return err
			}
			continue
		}
		if d.Mapping.LooseValueType == "" {
			return fmt.Errorf("%s (line %d): unknown key", where, key.Line)
		}
		if err := s.validate(key, d.Mapping.LooseKeyType, where); err != nil {
			return err
		}
		if err := s.validate(val, d.Mapping.LooseValueType, where); err != nil {
			return err
		}
	}
	for name, raw := range d.Mapping.Properties {
		if propOf(raw).Required && !seen[name] {
			return fmt.Errorf("%s: %s is required", at, name)
		}
	}
	return nil
}

// propOf reads a property, written as its type's name or as an object.
func propOf(raw json.RawMessage) actionProp {
	var p actionProp
	if json.Unmarshal(raw, &p.Type) == nil {
		return p
	}
	_ = json.Unmarshal(raw, &p)
	return p
}

func scalar(n *yaml.Node, tag, at string) error {
	if n.Kind != yaml.ScalarNode || n.Tag != tag {
		return fmt.Errorf("%s (line %d): want %s", at, n.Line, tag)
	}
	return nil
}

package github

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/mlci-dev/mlci/internal/exit"
)

// Inputs are the action's inputs as action.yml declares them. Outside the
// action they take their defaults.
type Inputs struct {
	// Command is the mlci command the action runs, "ci" by default.
	Command string
	// Config is the configuration file; empty means mlci.yaml, else dvc.yaml.
	Config string
	// Token is the API token, the workflow's GITHUB_TOKEN by default.
	Token string
	// Base is the ref to compare against; empty means the event's base.
	Base string
	// Stages limits the run to these stages; empty means the affected ones.
	Stages []string
	// Comment, Check and Promote turn the pull-request comment, the check
	// run and promotion on or off; all are on by default.
	Comment bool
	Check   bool
	Promote bool
	// WorkingDirectory is the repository's folder in the workspace.
	WorkingDirectory string
	// LogLevel is debug, info, warn or error.
	LogLevel string
}

// InputNames are the inputs the code reads, in action.yml's order; a test
// holds action.yml to the same list.
var InputNames = []string{
	"command", "config", "token", "base", "stages", "comment", "check", "promote",
	"working_directory", "log_level",
}

// OutputNames are the step outputs action.yml declares, for the flow to set
// through SetOutputs.
var OutputNames = []string{
	"code_changed", "data_changed", "params_changed", "pipeline_changed", "stages", "passed",
	"report_path", "model", "version", "promoted_to", "commit", "outcome", "tag", "previous",
	"artifact_path", "artifact_md5", "triggered", "retrain_branch", "proposal_url",
}

// ReadInputs reads the action's inputs from INPUT_* variables. A boolean
// input that is not true or false is a usage error naming the input.
func ReadInputs(getenv func(string) string) (Inputs, error) {
	a := githubactions.New(githubactions.WithGetenv(getenv))
	in := Inputs{
		Command:          orDefault(a.GetInput("command"), "ci"),
		Config:           a.GetInput("config"),
		Token:            a.GetInput("token"),
		Base:             a.GetInput("base"),
		Stages:           splitList(a.GetInput("stages")),
		WorkingDirectory: orDefault(a.GetInput("working_directory"), "."),
		LogLevel:         orDefault(a.GetInput("log_level"), "info"),
	}
	for name, dst := range map[string]*bool{
		"comment": &in.Comment, "check": &in.Check, "promote": &in.Promote,
	} {
		v, err := readBool(a.GetInput(name))
		if err != nil {
			return Inputs{}, exit.Usagef("input %s: %v", name, err)
		}
		*dst = v
	}
	return in, nil
}

// readBool reads a boolean input the way YAML 1.2's core schema writes
// one; empty is true, the inputs' default.
func readBool(s string) (bool, error) {
	switch s {
	case "", "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// splitList splits a list input written with commas, spaces or new lines.
func splitList(s string) []string {
	list := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(list) == 0 {
		return nil
	}
	return list
}

// Args returns the mlci command line the inputs stand for: the global
// flags the inputs set, then the command's words (split like a shell does,
// with single and double quotes). cmd/mlci runs it in place of the
// action's `ci` argument when the command input names another command,
// such as `report --post --from report.json`.
func (in Inputs) Args() ([]string, error) {
	words, err := shellWords(in.Command)
	if err != nil {
		return nil, exit.Usagef("input command: %v", err)
	}
	if len(words) == 0 {
		return nil, exit.Usagef("input command is empty")
	}
	args := []string{"--repo", in.WorkingDirectory, "--log-level", in.LogLevel}
	if in.Config != "" {
		args = append(args, "--config", in.Config)
	}
	return append(args, words...), nil
}

// shellWords splits s into words at unquoted white space.
func shellWords(s string) ([]string, error) {
	var (
		words []string
		word  strings.Builder
		quote rune
		in    bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		default:
			word.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%s: unclosed quote %c", strconv.Quote(s), quote)
	}
	if in {
		words = append(words, word.String())
	}
	return words, nil
}

// Promotes reports whether the action may promote models (its promote input).
func (c *Client) Promotes() bool { return c.in.Promote }

package github

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
)

// outputDelimiter is the line go-githubactions ends a multi-line output
// with; a value holding it would end early and set outputs of its own.
const outputDelimiter = "_GitHubActionsFileCommandDelimeter_"

// SetOutputs sets the step's outputs (GITHUB_OUTPUT), multi-line values
// included. Outside a workflow run it does nothing. A name action.yml does
// not declare is set too but logged, since a workflow cannot read it.
func (c *Client) SetOutputs(values map[string]string) error {
	if c.getenv("GITHUB_OUTPUT") == "" {
		return nil
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)

	for _, k := range names {
		v := values[k]
		if holdsLine(v, outputDelimiter) {
			return exit.Externalf("output %s holds the line %s, which would end it early",
				k, outputDelimiter)
		}
		if !slices.Contains(OutputNames, k) {
			c.log.Warn("setting an output action.yml does not declare", "name", k)
		}
		err := actionsDo(fmt.Sprintf("setting output %s", k), func() { c.actions.SetOutput(k, v) })
		if err != nil {
			return exit.With(exit.External, err)
		}
	}
	return nil
}

func holdsLine(s, line string) bool {
	return slices.ContainsFunc(strings.Split(s, "\n"), func(l string) bool {
		return strings.TrimSuffix(l, "\r") == line
	})
}

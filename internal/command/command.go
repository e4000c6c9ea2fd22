// Package command reads the commands people write in pull-request comments
// (`/mlci promote MODEL STAGE`, `/mlci retrain`, `/mlci report`, `/mlci help`)
// and holds the rule that says who may give them.
//
// It is platform-neutral: GitHub and GitLab hand it a comment's body and the
// commenter's permission. It does not act on a command; the flow does.
package command

import (
	"errors"
	"fmt"
	"strings"
)

// Prefix starts every command line.
const Prefix = "/mlci"

// The commands.
const (
	Promote = "promote"
	Retrain = "retrain"
	Report  = "report"
	Help    = "help"
)

// ErrNoCommand is returned for a comment that holds no command.
var ErrNoCommand = errors.New("no /mlci command in the comment")

// Command is one command read from a comment.
type Command struct {
	// Name is Promote, Retrain, Report or Help.
	Name string `json:"name"`
	// Model, Stage and Version are promote's arguments; Version is empty
	// for the model's latest version.
	Model   string `json:"model,omitempty"`
	Stage   string `json:"stage,omitempty"`
	Version string `json:"version,omitempty"`
	// Line is the command line as written.
	Line string `json:"line"`
}

// String returns the command in its canonical form.
func (c *Command) String() string {
	s := Prefix + " " + c.Name
	if c.Name == Promote {
		s += " " + c.Model + " " + c.Stage
		if c.Version != "" {
			s += " --version " + c.Version
		}
	}
	return s
}

// UsageError is a command line that names a command wrongly or gives it
// the wrong arguments.
type UsageError struct {
	Line string
	Msg  string
}

// Error says what is wrong and how the command is written.
func (e *UsageError) Error() string {
	return fmt.Sprintf("%q: %s", e.Line, e.Msg)
}

// Parse finds the first command line in a comment's body and reads it. A
// command line starts with /mlci at the start of a line; lines in fenced
// code blocks and quoted lines (a reply quoting an earlier command) are not
// commands. It returns ErrNoCommand when there is none and a *UsageError
// when the line is wrong.
func Parse(body string) (*Command, error) {
	line, ok := findLine(body)
	if !ok {
		return nil, ErrNoCommand
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return nil, &UsageError{Line: line, Msg: "no command; " + usage}
	}

	c := &Command{Name: strings.ToLower(fields[1]), Line: line}
	args := fields[2:]
	switch c.Name {
	case Promote:
		return c, c.readPromote(args)
	case Retrain, Report, Help:
		if len(args) > 0 {
			return nil, &UsageError{Line: line, Msg: c.Name + " takes no arguments"}
		}
		return c, nil
	default:
		return nil, &UsageError{
			Line: line,
			Msg:  fmt.Sprintf("unknown command %q; %s", c.Name, usage),
		}
	}
}

const usage = "the commands are " +
	"promote MODEL STAGE [--version V], retrain, report and help"

// findLine returns the first command line outside code blocks and quotes.
func findLine(body string) (string, bool) {
	fenced := false
	for _, raw := range strings.Split(body, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if f := strings.Fields(line); len(f) > 0 && strings.EqualFold(f[0], Prefix) {
			return line, true
		}
	}
	return "", false
}

// readPromote reads promote's arguments: MODEL STAGE [--version V].
func (c *Command) readPromote(args []string) error {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--version" && i+1 < len(args):
			c.Version = args[i+1]
			i++
		case strings.HasPrefix(a, "--version=") && len(a) > len("--version="):
			c.Version = strings.TrimPrefix(a, "--version=")
		case a == "--version" || a == "--version=":
			return &UsageError{Line: c.Line, Msg: "--version needs a value; " + promoteUsage}
		case strings.HasPrefix(a, "-"):
			return &UsageError{Line: c.Line, Msg: "unknown flag " + a + "; " + promoteUsage}
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return &UsageError{Line: c.Line, Msg: promoteUsage}
	}
	c.Model, c.Stage = pos[0], pos[1]
	return nil
}

const promoteUsage = "write /mlci promote MODEL STAGE [--version V]"

// HelpText is the reply to /mlci help, in Markdown.
const HelpText = "**mlci commands** — write one at the start of a comment line:\n\n" +
	"| command | does |\n" +
	"|---|---|\n" +
	"| `/mlci promote MODEL STAGE [--version V]` | promotes the model's version " +
	"(the latest by default) to the stage, under the promotion policy |\n" +
	"| `/mlci retrain` | runs the pipeline again on the pull request's head |\n" +
	"| `/mlci report` | posts the report again |\n" +
	"| `/mlci help` | shows this help |\n"

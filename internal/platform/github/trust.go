package github

import (
	"fmt"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// privileged are the events whose token may write to the repository even
// when the pull request comes from a fork.
var privileged = map[string]bool{
	"pull_request_target": true,
	"workflow_run":        true,
	"issue_comment":       true,
}

// UntrustedError refuses to run a fork's code under an event whose token
// may write to the repository.
type UntrustedError struct {
	Event  string
	Number int
	Head   string
}

// Error says what was refused and what to do instead.
func (e *UntrustedError) Error() string {
	return fmt.Sprintf("refusing to run the code of pull request #%d (%.7s) from a fork "+
		"under %s, whose token may write to the repository; run mlci on pull_request "+
		"and post its report from a workflow_run workflow with "+
		"`mlci report --post --from report.json` (see docs/github.md, Forks)",
		e.Number, e.Head, e.Event)
}

// Trusted returns nil when mlci may run the repository's code at ev.Head
// (stages, tests) with the token at hand. It refuses, with an
// *UntrustedError and exit code 2, a fork's pull request under
// pull_request_target, workflow_run or issue_comment: their token writes to
// the base repository, and the fork's code must never see it. The flow
// calls it before it runs anything; posting a report needs no trust.
func (c *Client) Trusted(ev *platform.Event) error {
	if !ev.Fork || !privileged[c.eventName] {
		return nil
	}
	return exit.With(
		exit.Usage,
		&UntrustedError{Event: c.eventName, Number: ev.Number, Head: ev.Head},
	)
}

// readOnly reports whether the token cannot write for this event: there is
// none, or the event is a fork's pull request under pull_request, whose
// token GitHub makes read-only. Other refusals are learnt from a 403.
func (c *Client) readOnly(ev *platform.Event) bool {
	return !c.hasToken || ev.Fork && c.eventName == "pull_request"
}

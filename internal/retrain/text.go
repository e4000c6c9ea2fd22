package retrain

import (
	"fmt"
	"io"
	"strings"
)

// Summary says in one line what a run found and did: "data unchanged since
// v1.2.0, drift 0.03 below 0.10, model 12 days old, within 30 days: no
// retraining". check says the run only checked the triggers.
func Summary(o *Outcome, check bool) string {
	if len(o.Triggers) == 0 {
		return "no triggers are configured (triggers: in mlci.yaml): no retraining"
	}
	why := summaries(o, o.Fired)
	switch {
	case !o.Fired:
		return why + ": no retraining"
	case check:
		return why + ": retraining is due"
	case o.Branch == "" || o.Report == nil:
		return why + ": retraining"
	}

	head := fmt.Sprintf("retrained on %s (%s)", o.Branch, why)
	switch {
	case !o.Passed:
		reasons := o.Report.Verdict.Reasons
		if len(reasons) > 0 {
			return fmt.Sprintf("%s: failed, %s; no pull request", head, reasons[0])
		}
		return head + ": failed; no pull request"
	case o.Commit == "":
		return head + ": nothing changed against the default branch; no pull request"
	case o.ProposalURL != "":
		return fmt.Sprintf("%s: passed; proposed in %s", head, o.ProposalURL)
	default:
		return head + ": passed; push the branch and open a pull request to propose it"
	}
}

// summaries joins the summaries of the triggers that fired (fired) or of
// all of them.
func summaries(o *Outcome, fired bool) string {
	var parts []string
	for _, t := range o.Triggers {
		if t.Fired || !fired {
			parts = append(parts, t.Summary)
		}
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the outcome for people: each trigger with what it
// found, then what was done.
func WriteText(w io.Writer, o *Outcome) error {
	var b strings.Builder
	for _, t := range o.Triggers {
		word := "quiet"
		if t.Fired {
			word = "FIRED"
		}
		fmt.Fprintf(&b, "%-8s %-6s %s\n", t.Name, word, t.Summary)
	}
	if o.Reference != "" {
		fmt.Fprintf(&b, "compared with %s\n", o.Reference)
	}
	if o.Commit != "" {
		fmt.Fprintf(&b, "branch   %s at %s\n", o.Branch, short(o.Commit))
	}
	if o.ProposalURL != "" {
		fmt.Fprintf(&b, "proposal %s\n", o.ProposalURL)
	}
	fmt.Fprintf(&b, "\n%s\n", o.Summary)
	_, err := io.WriteString(w, b.String())
	return err
}

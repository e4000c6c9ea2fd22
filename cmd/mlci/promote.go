package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/gitlab"
	"github.com/mlci-dev/mlci/internal/registry"
)

func init() {
	register(newPromoteCmd)
	register(newRollbackCmd)
}

// promoteFlags are the flags promote and rollback share.
type promoteFlags struct {
	dryRun bool
	push   bool
	remote string
}

func (f *promoteFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "say what would happen and why; write nothing")
	cmd.Flags().BoolVar(&f.push, "push", false, "fetch the remote's tags and run records first, "+
		"and push the new tags to it atomically")
	cmd.Flags().StringVar(&f.remote, "remote", "origin", "`remote` that --push uses")
}

func newPromoteCmd(g *globals) *cobra.Command {
	var f promoteFlags
	var version, commit, bump, approver string
	cmd := &cobra.Command{
		Use:   "promote MODEL STAGE",
		Short: "Put a model version in a stage, under the promotion policy",
		Long: `promote assigns a version of MODEL to STAGE with a GTO tag (MODEL#STAGE#N),
if the model's policy in mlci.yaml allows it:

  - the version's run record (git notes, refs/notes/mlci) shows it passed its
    gates; no record, or a failed verdict, is refused;
  - a stage after the first takes only the version the stage before holds,
    after the successful runs (after_runs) and the time (after) its rule asks;
  - a rule "on: approval" needs an approver: --approved-by USER, given by the
    CI flow once it checked USER's permission, or MLCI_APPROVED_BY, which the
    manual job of a protected environment sets.

Without --version or --commit, the first stage takes HEAD's version and a
later stage the version the stage before holds. A commit without a version is
registered first, in the same push, as the greatest version so far bumped by
--bump: minor by default (v1.4.0 → v1.5.0), major (→ v2.0.0) or patch
(→ v1.4.1); the first version is v0.0.0 bumped, v0.1.0 by default.

With --push, the tags go to the remote in one atomic push; when another
promotion got there first, mlci reads the registry again and retries with the
next counter. A refusal exits with 1 and writes nothing.`,
		Example: `  mlci promote churn staging                # HEAD's version, registered if new
  mlci promote churn production --dry-run   # what the policy says
  mlci promote churn production --approved-by alice --push
  mlci promote churn staging --commit 1a2b3c4 --bump major`,
		Args: promoteArgs("promote"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != "" && commit != "" {
				return exit.Usagef("--version and --commit name the version two ways; give one")
			}
			o, err := promoteOptions(cmd.Context(), g, args, f)
			if err != nil {
				return err
			}
			o.Version, o.Commit, o.Bump, o.Approver = version, commit, bump, approver
			if o.Approver == "" {
				o.Approver = g.getenv("MLCI_APPROVED_BY")
			}
			p, err := registry.Promote(cmd.Context(), o)
			return printPromotion(g, p, err, f)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&version, "version", "", "registered `version` to promote (v1.2.0)")
	cmd.Flags().StringVar(&commit, "commit", "", "`commit` whose version to promote")
	cmd.Flags().StringVar(&bump, "bump", registry.BumpMinor, "how a new version's number grows: "+
		"major, minor or patch")
	cmd.Flags().StringVar(&approver, "approved-by", "", "`user` who approved, their permission "+
		"checked (default $MLCI_APPROVED_BY)")
	return cmd
}

func newRollbackCmd(g *globals) *cobra.Command {
	var f promoteFlags
	cmd := &cobra.Command{
		Use:   "rollback MODEL STAGE",
		Short: "Move a stage back to the version it held before",
		Long: `rollback assigns STAGE again to the version it held before its current one,
with a new tag (MODEL#STAGE#N): the history is kept, as GTO keeps it, and a
second rollback undoes the first. A stage that held no other version is
refused with exit code 1.`,
		Example: `  mlci rollback churn production --dry-run
  mlci rollback churn production --push`,
		Args: promoteArgs("rollback"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := promoteOptions(cmd.Context(), g, args, f)
			if err != nil {
				return err
			}
			p, err := registry.Rollback(cmd.Context(), o)
			return printPromotion(g, p, err, f)
		},
	}
	f.add(cmd)
	return cmd
}

func promoteArgs(name string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 2 {
			return exit.Usagef("%s takes a model and a stage (mlci %s MODEL STAGE), got %q",
				name, name, args)
		}
		return nil
	}
}

// promoteOptions fills what promote and rollback share.
func promoteOptions(ctx context.Context, g *globals, args []string,
	f promoteFlags) (registry.PromoteOptions, error) {
	root, err := g.root()
	if err != nil {
		return registry.PromoteOptions{}, err
	}
	cfg, err := g.load()
	if err != nil {
		return registry.PromoteOptions{}, err
	}
	o := registry.PromoteOptions{Repo: git.Repo{Dir: root}, Config: cfg, Model: args[0],
		Stage: args[1], DryRun: f.dryRun, RunURL: promoteRunURL(g.getenv)}
	if f.push {
		o.Remote = f.remote
	}
	if f.push && f.remote == "origin" && gitlab.Detect(g.getenv) {
		// The job token the checkout was cloned with may not push.
		p, err := gitlab.New(ctx, g.getenv, gitlab.Options{Log: g.log, Dir: root})
		if err != nil {
			return registry.PromoteOptions{}, err
		}
		o.Repo, o.Remote = platform.PushTarget(p, o.Repo, o.Remote)
	}
	return o, nil
}

// promoteRunURL links the CI run mlci runs in, "" outside CI.
func promoteRunURL(getenv func(string) string) string {
	if u := getenv("CI_JOB_URL"); u != "" {
		return u
	}
	server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"),
		getenv("GITHUB_RUN_ID")
	if server != "" && repo != "" && id != "" {
		return server + "/" + repo + "/actions/runs/" + id
	}
	return ""
}

// printPromotion prints what a promotion did; a refusal is printed and
// ends with exit code 1.
func printPromotion(g *globals, p *registry.Promotion, err error, f promoteFlags) error {
	var refused *registry.RefusedError
	if p == nil || err != nil && !errors.As(err, &refused) {
		return err
	}
	if perr := g.print(p, func(w io.Writer) error { return writePromotion(w, p, f) }); perr != nil {
		return perr
	}
	if err != nil {
		return exit.With(exit.Failed, errReported)
	}
	return nil
}

func writePromotion(w io.Writer, p *registry.Promotion, f promoteFlags) error {
	fmt.Fprintln(w, promotionTitle(p))
	for _, r := range p.Refusals {
		fmt.Fprintf(w, "  ✗ %s\n", r)
	}
	for _, r := range p.Reasons {
		fmt.Fprintf(w, "  ✓ %s\n", r)
	}
	tags := nonEmptyTags(p.Registered, p.Tag)
	switch {
	case p.DryRun || len(tags) == 0 || p.Outcome == registry.Refused ||
		p.Outcome == registry.Unchanged:
	case p.Pushed:
		fmt.Fprintf(w, "pushed %s to %s\n", strings.Join(tags, " "), f.remote)
	default:
		fmt.Fprintf(w, "to share it: git push %s %s\n", f.remote, strings.Join(tags, " "))
	}
	return nil
}

func promotionTitle(p *registry.Promotion) string {
	what := p.Model + " " + p.Version
	if p.Version == "" && len(p.Commit) >= 7 {
		what = p.Model + " at " + p.Commit[:7]
	}
	was := ""
	if p.Previous != "" {
		was = ", was " + p.Previous
	}
	switch {
	case p.Outcome == registry.Refused:
		return fmt.Sprintf("%s may not enter %s:", what, p.Stage)
	case p.Outcome == registry.Unchanged:
		return fmt.Sprintf("%s: nothing to do", what)
	case p.DryRun:
		return fmt.Sprintf("%s would enter %s (%s)%s", what, p.Stage, p.Tag, was)
	case p.Outcome == registry.RolledBack:
		return fmt.Sprintf("%s rolled back to %s (%s)%s", p.Stage, what, p.Tag, was)
	default:
		return fmt.Sprintf("%s entered %s (%s)%s", what, p.Stage, p.Tag, was)
	}
}

func nonEmptyTags(tags ...string) []string {
	var out []string
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

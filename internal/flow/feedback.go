package flow

import (
	"context"
	"fmt"
	"strings"

	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/registry"
	"github.com/mlci-dev/mlci/internal/report"
)

// PromotionNotifier is a platform that reports a promotion back on the pull
// request the promoted commit was merged from, so that the people who made
// the change see where their model went. GitHub's and GitLab's platforms
// have it.
type PromotionNotifier interface {
	// MergedPullRequests returns the numbers of the merged pull requests
	// that brought commit into the repository.
	MergedPullRequests(ctx context.Context, commit string) ([]int, error)
	// CommentOnce posts body on pull request number, or updates the comment
	// of mlci's there that holds mark, so that a rerun adds nothing.
	CommentOnce(ctx context.Context, number int, mark, body string) error
}

// notifyPromotion tells the pull requests a promoted version was merged
// from, one comment per promotion. The pull request a comment command came
// from is left out, since the command's reply says it there. A failure is
// a warning: the promotion stands, and the comment is not worth failing the
// job that made it.
func (s *state) notifyPromotion(ctx context.Context, p *registry.Promotion) {
	n, ok := s.opts.Platform.(PromotionNotifier)
	if !ok || p.Outcome != registry.Promoted || p.DryRun || p.Commit == "" {
		return
	}
	prs, err := n.MergedPullRequests(ctx, p.Commit)
	if err != nil {
		s.opts.Log.Warn("the promotion is not reported on its pull request",
			"model", p.Model, "version", p.Version, "err", err)
		return
	}

	mark, body := promotionMarker(p), s.promotionNotice(p)
	for _, number := range prs {
		if s.event.Kind == platform.Comment && number == s.event.Number {
			continue
		}
		if err := n.CommentOnce(ctx, number, mark, body); err != nil {
			s.opts.Log.Warn("the promotion is not reported on its pull request",
				"model", p.Model, "version", p.Version, "pull_request", number, "err", err)
			continue
		}
		s.opts.Printer.Infof("%s %s: reported on pull request #%d", p.Model, p.Version, number)
	}
}

// promotionMarker is the hidden line that finds a promotion's comment
// again: one per model, version and stage.
func promotionMarker(p *registry.Promotion) string {
	return fmt.Sprintf("<!-- mlci:promotion model=%s version=%s stage=%s -->",
		report.SanitizeKey(p.Model), report.SanitizeKey(p.Version), report.SanitizeKey(p.Stage))
}

// promotionNotice is the comment that tells a pull request where the model
// it merged went: model, version, stage, what the stage held before, why it
// was allowed, and the run that did it.
func (s *state) promotionNotice(p *registry.Promotion) string {
	var b strings.Builder
	fmt.Fprintf(&b, "🚀 **%s %s was promoted to %s**", report.Code(p.Model),
		report.Code(p.Version), report.Code(p.Stage))
	if p.Previous != "" {
		fmt.Fprintf(&b, ", in place of %s", report.Code(p.Previous))
	}
	fmt.Fprintf(&b, ". It is the model of commit %s, which brought this pull request in.\n\n",
		report.Code(short(p.Commit)))

	if len(p.Reasons) > 0 {
		b.WriteString("Why it was allowed:\n\n")
		for _, r := range p.Reasons {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(r))
		}
		b.WriteString("\n")
	}

	var refs []string
	if u := report.URL(s.event.RunURL); u != "" {
		refs = append(refs, fmt.Sprintf("[The run that promoted it](%s)", u))
	}
	if p.Tag != "" {
		refs = append(refs, "registry tag "+report.Code(p.Tag))
	}
	if len(refs) > 0 {
		b.WriteString(strings.Join(refs, " · ") + "\n")
	}
	return b.String()
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/registry"
	"github.com/mlci-dev/mlci/internal/report"
)

// runComment acts on a `/mlci` command in a pull-request comment: nothing
// happens before the commenter's permission is checked.
func runComment(ctx context.Context, s *state) error {
	if s.event.Comment == nil {
		return fmt.Errorf("the comment event carries no comment")
	}
	cmd, err := command.Parse(s.event.Comment.Body)
	if errors.Is(err, command.ErrNoCommand) {
		s.opts.Log.Info("the comment holds no /mlci command")
		return nil
	}
	commander, ok := s.opts.Platform.(platform.Commander)
	if !ok {
		return fmt.Errorf("the %s platform takes no comment commands", s.opts.Platform.Name())
	}
	if err := commander.Acknowledge(ctx, s.event); err != nil {
		s.opts.Log.Warn("acknowledging the comment", "err", err)
	}
	var usage *command.UsageError
	if errors.As(err, &usage) {
		return commander.Reply(ctx, s.event, "⚠️ "+report.Markdown(usage.Error()))
	}

	if cmd.Name == command.Help {
		// Help acts on nothing, so anyone may ask for it.
		return commander.Reply(ctx, s.event, command.HelpText)
	}

	if err := (loadConfig{}).run(ctx, s); err != nil {
		return err
	}
	author := s.event.Comment.Author
	if _, err := command.Authorize(ctx, commander, author,
		s.cfg.Platform.CommandPermissions); err != nil {
		var denied *command.DeniedError
		if errors.As(err, &denied) {
			return commander.Reply(ctx, s.event, "⛔ "+report.Markdown(denied.Error()))
		}
		return err
	}

	reply, err := s.act(ctx, cmd, author)
	if err != nil {
		return err
	}
	return commander.Reply(ctx, s.event, reply)
}

// act carries a permitted command out and returns the reply.
func (s *state) act(ctx context.Context, cmd *command.Command, author string) (string, error) {
	switch cmd.Name {
	case command.Promote:
		return s.promote(ctx, cmd, author)
	case command.Report, command.Retrain:
		// The pull request's flow, again; retrain runs its stages even where
		// their outputs could be restored.
		s.event.Kind = platform.PullRequest
		s.force = cmd.Name == command.Retrain
		if err := runSteps(ctx, s, pullRequest[1:]); err != nil {
			return "", err
		}
		return "📝 The report is up to date: " + report.Markdown(report.Title(s.view)), nil
	default:
		return "", fmt.Errorf("unknown command %q", cmd.Name)
	}
}

// promote promotes under the policy, with the commenter as the approver.
func (s *state) promote(ctx context.Context, cmd *command.Command, author string) (
	string, error) {
	repo, remote := s.pushTarget(ctx)
	p, err := registry.Promote(ctx, registry.PromoteOptions{
		Repo: repo, Config: s.cfg, Model: cmd.Model, Stage: cmd.Stage,
		Version: cmd.Version, Approver: author, Remote: remote, RunURL: s.event.RunURL,
	})
	var refused *registry.RefusedError
	switch {
	case errors.As(err, &refused):
		return "⛔ " + report.Markdown(refusal(p, err)), nil
	case isConfigError(err):
		return "⚠️ " + report.Markdown(err.Error()), nil
	case err != nil:
		return "", err
	}
	if err := s.delivered(ctx, p); err != nil {
		return "", err
	}
	return fmt.Sprintf("🚀 %s, approved by @%s.", report.Markdown(promotionMessage(p)),
		report.Markdown(author)), nil
}

func refusal(p *registry.Promotion, err error) string {
	if p == nil || len(p.Refusals) == 0 {
		return err.Error()
	}
	msg := fmt.Sprintf("%s was not promoted:", p.Model)
	for _, r := range p.Refusals {
		msg += " " + r + "."
	}
	return msg
}

func isConfigError(err error) bool {
	var cerr *config.Error
	return errors.As(err, &cerr) || exitCode(err) == 2
}

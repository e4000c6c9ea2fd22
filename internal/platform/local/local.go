// Package local is the platform mlci uses when no CI is detected: on a laptop,
// and in `mlci demo`. It describes the event from the repository itself and
// publishes by printing the report; the report files are written by the flow.
package local

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"

	"github.com/mlci-dev/mlci/internal/platform"
)

// Platform publishes reports to a writer, normally the terminal.
type Platform struct {
	// Dir is the repository.
	Dir string
	// Out receives the Markdown report.
	Out io.Writer
	// Base, when set, is the ref to compare against; else the default branch.
	Base string

	outputs map[string]string
}

var (
	_ platform.Platform = (*Platform)(nil)
	_ platform.Outputs  = (*Platform)(nil)
)

// New returns the local platform for the repository in dir.
func New(dir string, out io.Writer) *Platform {
	return &Platform{Dir: dir, Out: out}
}

// Name returns "local".
func (p *Platform) Name() string { return "local" }

// Event describes the work tree's HEAD as a pull request against the default
// branch, so that a laptop run answers what CI would.
func (p *Platform) Event(ctx context.Context) (*platform.Event, error) {
	head, err := p.git(ctx, "rev-parse", "HEAD")
	if err != nil {
		return nil, fmt.Errorf("reading HEAD: %w", err)
	}
	branch, _ := p.git(ctx, "rev-parse", "--abbrev-ref", "HEAD")
	ev := &platform.Event{
		Kind:    platform.Local,
		Head:    head,
		HeadRef: branch,
		BaseRef: p.Base,
		Job:     "local",
	}
	if ev.BaseRef == "" {
		ev.BaseRef = p.defaultBranch(ctx)
	}
	ev.DefaultBranch = p.defaultBranch(ctx)
	return ev, nil
}

// defaultBranch is origin's HEAD, else main or master, whichever exists.
func (p *Platform) defaultBranch(ctx context.Context) string {
	if ref, err := p.git(ctx, "symbolic-ref", "--short", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(ref, "origin/")
	}
	for _, b := range []string{"main", "master"} {
		if _, err := p.git(ctx, "rev-parse", "--verify", "--quiet", "refs/heads/"+b); err == nil {
			return b
		}
	}
	return "main"
}

// Publish prints the Markdown report.
func (p *Platform) Publish(_ context.Context, _ *platform.Event, r *platform.Report) error {
	if p.Out == nil {
		return nil
	}
	if _, err := io.WriteString(p.Out, r.Markdown); err != nil {
		return fmt.Errorf("printing the report: %w", err)
	}
	if !strings.HasSuffix(r.Markdown, "\n") {
		fmt.Fprintln(p.Out)
	}
	return nil
}

// SetOutputs keeps the outputs; Outputs returns them.
func (p *Platform) SetOutputs(values map[string]string) error {
	if p.outputs == nil {
		p.outputs = map[string]string{}
	}
	for k, v := range values {
		p.outputs[k] = v
	}
	return nil
}

// Outputs returns the outputs set so far, sorted by name, as `name=value` lines.
func (p *Platform) Outputs() []string {
	lines := make([]string, 0, len(p.outputs))
	for k, v := range p.outputs {
		lines = append(lines, k+"="+v)
	}
	sort.Strings(lines)
	return lines
}

func (p *Platform) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", p.Dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

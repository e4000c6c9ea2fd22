// Package progress shows long steps as they start, finish or are skipped, with
// their times, in a way that folds in CI logs: `::group::` on GitHub Actions,
// collapsible sections on GitLab CI, and plain timed lines in a terminal.
//
// It writes to one io.Writer (stderr in the command) and is safe for use by
// several goroutines. It does not decide what is logged; callers do.
package progress

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Style is the way groups are marked in the output.
type Style int

// The styles of output.
const (
	// Plain prints timed lines for a terminal or an unknown CI.
	Plain Style = iota
	// GitHub prints ::group:: and ::endgroup:: workflow commands.
	GitHub
	// GitLab prints section_start and section_end markers.
	GitLab
)

// Detect returns the style for the environment getenv reads.
func Detect(getenv func(string) string) Style {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		return GitHub
	case getenv("GITLAB_CI") == "true":
		return GitLab
	default:
		return Plain
	}
}

// Printer writes groups and lines.
type Printer struct {
	mu    sync.Mutex
	w     io.Writer
	style Style
	now   func() time.Time
	color bool
}

// SetColor turns colour on or off for the outcome marks; it is off by default.
func (p *Printer) SetColor(on bool) { p.color = on }

// New returns a Printer that writes to w in the given style.
func New(w io.Writer, style Style) *Printer {
	return &Printer{w: w, style: style, now: time.Now}
}

// Discard returns a Printer that writes nothing.
func Discard() *Printer { return New(io.Discard, Plain) }

// Group is one started step.
type Group struct {
	p     *Printer
	name  string
	title string
	start time.Time
}

// Start begins a step named name (a stage name, say) shown with title.
func (p *Printer) Start(name, title string) *Group {
	g := &Group{p: p, name: name, title: title, start: p.now()}

	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.style {
	case GitHub:
		fmt.Fprintf(p.w, "::group::%s\n", oneLine(title))
	case GitLab:
		fmt.Fprintf(p.w, "\x1b[0Ksection_start:%d:%s[collapsed=true]\r\x1b[0K%s\n",
			g.start.Unix(), sectionName(name), oneLine(title))
	default:
		fmt.Fprintf(p.w, "▶ %s\n", oneLine(title))
	}
	return g
}

// Write writes output that belongs to the group, such as a command's output.
func (g *Group) Write(b []byte) (int, error) {
	g.p.mu.Lock()
	defer g.p.mu.Unlock()
	return g.p.w.Write(b)
}

// Linef writes one line of the group's output.
func (g *Group) Linef(format string, args ...any) {
	g.p.mu.Lock()
	defer g.p.mu.Unlock()
	fmt.Fprintf(g.p.w, format+"\n", args...)
}

// End closes the group and prints its outcome (ran, failed, restored) and time.
// It returns the time the step took.
func (g *Group) End(outcome string) time.Duration {
	p := g.p
	took := p.now().Sub(g.start)

	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.style {
	case GitHub:
		fmt.Fprintln(p.w, "::endgroup::")
	case GitLab:
		fmt.Fprintf(p.w, "\x1b[0Ksection_end:%d:%s\r\x1b[0K\n", p.now().Unix(), sectionName(g.name))
	}
	fmt.Fprintf(p.w, "%s %s: %s in %s\n", p.mark(outcome), g.name, outcome, Duration(took))
	return took
}

// Skipped prints a step that did not run, with the reason.
func (p *Printer) Skipped(name, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s: skipped, %s\n", p.mark("skipped"), name, oneLine(reason))
}

// Infof prints a line outside any group.
func (p *Printer) Infof(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// Duration formats d for people: 850ms, 4.2s, 1m 02s, 1h 03m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// mark is the sign shown before an outcome, green, red or dim in colour.
func (p *Printer) mark(outcome string) string {
	sign, code := "✓", "32"
	switch outcome {
	case "failed":
		sign, code = "✗", "31"
	case "skipped":
		sign, code = "–", "2"
	}
	if !p.color {
		return sign
	}
	return "\x1b[" + code + "m" + sign + "\x1b[0m"
}

var notSection = regexp.MustCompile(`[^a-z0-9_.-]+`)

// sectionName makes name valid as a GitLab section name.
func sectionName(name string) string {
	return notSection.ReplaceAllString(strings.ToLower(name), "_")
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ")
}

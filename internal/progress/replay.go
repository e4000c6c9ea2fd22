package progress

import (
	"fmt"
	"time"
)

// Replay prints a whole group at once: a step that ran while another held
// the output (a stage run in parallel, say), with its buffered output, its
// outcome and the time it took.
func (p *Printer) Replay(name, title string, output []byte, outcome string, took time.Duration) {
	start := p.now().Add(-took)

	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.style {
	case GitHub:
		fmt.Fprintf(p.w, "::group::%s\n", oneLine(title))
	case GitLab:
		fmt.Fprintf(p.w, "\x1b[0Ksection_start:%d:%s[collapsed=true]\r\x1b[0K%s\n",
			start.Unix(), sectionName(name), oneLine(title))
	default:
		fmt.Fprintf(p.w, "▶ %s\n", oneLine(title))
	}
	p.w.Write(output)
	if len(output) > 0 && output[len(output)-1] != '\n' {
		fmt.Fprintln(p.w)
	}
	switch p.style {
	case GitHub:
		fmt.Fprintln(p.w, "::endgroup::")
	case GitLab:
		fmt.Fprintf(p.w, "\x1b[0Ksection_end:%d:%s\r\x1b[0K\n", p.now().Unix(), sectionName(name))
	}
	fmt.Fprintf(p.w, "%s %s: %s in %s\n", p.mark(outcome), name, outcome, Duration(took))
}

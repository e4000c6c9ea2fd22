package changes

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/params"
)

// Outputs returns the result as values for later CI steps or jobs (GitHub
// step outputs, a GitLab dotenv file): CLASS_changed ("true" or "false")
// for the standard classes and every class that changed, stages and
// changed as JSON arrays, tests ("true" when the pipeline tests are
// affected), base and head. Keys hold only lower-case letters, digits and
// underscores.
func (r *Result) Outputs() map[string]string {
	out := map[string]string{
		"stages":  jsonList(r.Stages),
		"changed": jsonList(r.Changed),
		"tests":   strconv.FormatBool(r.Tests),
		"base":    r.Base,
		"head":    r.Head,
	}
	for _, c := range []string{Code, Data, Params, Pipeline, Docs, Other} {
		out[c+"_changed"] = "false"
	}
	for _, c := range r.Changed {
		out[outputKey(c)+"_changed"] = "true"
	}
	return out
}

func jsonList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func outputKey(class string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		default:
			return '_'
		}
	}, class)
}

// maxListed bounds the files listed per class in the text summary.
const maxListed = 5

// WriteText writes a short summary for people: the classes with their
// counts and first files, params old → new, the affected stages with why.
func (r *Result) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	if r.Base == "" {
		ew.printf("Changes in %s, every file counted as added (%s)\n", short(r.Head), r.describe())
	} else {
		ew.printf("Changes %s..%s (%s)\n", short(r.Base), short(r.Head), r.describe())
	}
	if len(r.Files) == 0 {
		ew.printf("  nothing changed\n")
	}
	for _, class := range r.Changed {
		r.writeClass(ew, class)
	}
	if len(r.Params) > 0 {
		ew.printf("\nParams\n")
		for _, p := range r.Params {
			ew.printf("  %s %s: %s → %s\n", p.File, p.Key, formatParam(p.Base),
				formatParam(p.Head))
		}
	}
	r.writeStages(ew)
	return ew.err
}

func (r *Result) describe() string {
	if r.MergeBase {
		return "from the merge base, via " + r.Source
	}
	return "via " + r.Source
}

func (r *Result) writeClass(ew *errWriter, class string) {
	ew.printf("  %-9s %s\n", class, plural(r.Counts[class], "file", "files"))
	listed := 0
	for _, f := range r.Files {
		if f.Class != class {
			continue
		}
		if listed == maxListed {
			ew.printf("            … and %d more\n", r.Counts[class]-listed)
			return
		}
		ew.printf("            %s\n", f.describe())
		listed++
	}
}

func (f File) describe() string {
	s := f.Path + " (" + f.Status
	switch {
	case f.OldPath != "":
		s += " from " + f.OldPath
	case f.Via != "":
		s += ", recorded in " + f.Via
	}
	if f.Mode != "" {
		s += ", mode " + f.Mode
	}
	if f.Submodule {
		s += ", submodule"
	}
	return s + ")"
}

func (r *Result) writeStages(ew *errWriter) {
	if len(r.Stages) == 0 {
		ew.printf("\nNo stage affected\n")
	} else {
		ew.printf("\nStages affected\n")
	}
	width := 0
	for _, s := range r.Stages {
		width = max(width, len(s))
	}
	for _, s := range r.Stages {
		ew.printf("  %-*s  %s\n", width, s, strings.Join(r.Reasons[s], "; "))
	}
	if r.Tests {
		ew.printf("Pipeline tests affected (code changed)\n")
	}
}

func formatParam(v any) string {
	if v == nil {
		return "(none)"
	}
	return params.Format(v)
}

// errWriter keeps the first write error so that printing reads straight.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

package report

import (
	"slices"
	"strings"
)

// cuts are the details a report leaves out, in order, when it is longer than
// its limit: the least important first. Each names what it leaves out and the
// flag that leaves it out.
var cuts = []cutStep{
	{"the models' params", func(o *omit) *bool { return &o.ModelParams }},
	{"charts", func(o *omit) *bool { return &o.Plots }},
	{"the list of changed files", func(o *omit) *bool { return &o.Files }},
	{"data columns and schema issues", func(o *omit) *bool { return &o.DataColumns }},
	{"logs of failed tests and stages", func(o *omit) *bool { return &o.Logs }},
	{"changed params", func(o *omit) *bool { return &o.Params }},
	{"the stage table", func(o *omit) *bool { return &o.Stages }},
	{"metrics no gate judges", func(o *omit) *bool { return &o.Metrics }},
	{"gates that passed", func(o *omit) *bool { return &o.PassedGates }},
	{"everything but the verdict", func(o *omit) *bool { return &o.Minimal }},
}

// cutStep is one detail a report can leave out.
type cutStep struct {
	what string
	flag func(*omit) *bool
}

// fit renders v, leaving details out until the report is at most limit
// bytes (no limit when limit <= 0). Once it fits, the details left out on
// the way are put back, most important first, where they still fit: a huge
// file list should not cost the charts. When even the verdict alone is too
// long, the text is cut at a line and the marker, if any, kept last.
func fit(v *view, limit int, render func() ([]byte, error)) ([]byte, error) {
	out, err := render()
	if err != nil || limit <= 0 || len(out) <= limit {
		return out, err
	}

	for i, c := range cuts {
		*c.flag(&v.Omit) = true
		if out, err = render(); err != nil {
			return nil, err
		}
		if len(out) <= limit {
			return putBack(v, limit, i, render)
		}
	}
	v.Omitted = omitted(v.Omit)
	out, err = render()
	if err != nil {
		return nil, err
	}
	return cut(out, limit, v.Summary, v.Key), nil
}

// putBack tries the cuts before the last one made (last) again, most
// important first, keeping each that still fits, and renders the result
// with the notes of what stayed out.
func putBack(v *view, limit, last int, render func() ([]byte, error)) ([]byte, error) {
	for j := last - 1; j >= 0; j-- {
		flag := cuts[j].flag(&v.Omit)
		*flag = false
		try, err := render()
		if err != nil {
			return nil, err
		}
		if len(try) > limit {
			*flag = true
		}
	}

	// The notes make the text longer; drop details until it fits again.
	for {
		v.Omitted = omitted(v.Omit)
		out, err := render()
		if err != nil || len(out) <= limit {
			return out, err
		}
		next := slices.IndexFunc(cuts, func(c cutStep) bool { return !*c.flag(&v.Omit) })
		if next < 0 {
			return cut(out, limit, v.Summary, v.Key), nil
		}
		*cuts[next].flag(&v.Omit) = true
	}
}

// omitted names what o leaves out, in the order of cuts.
func omitted(o omit) []string {
	var names []string
	for _, c := range cuts {
		if *c.flag(&o) {
			names = append(names, c.what)
		}
	}
	return names
}

// cut shortens a minimal report to limit bytes at a line boundary, says it
// was cut, and ends it with the marker for the comment format.
func cut(out []byte, limit int, summary bool, key string) []byte {
	tail := "\n\n*(cut to fit the size limit)*\n"
	if !summary {
		tail += "\n" + Marker(key) + "\n"
	}
	keep := max(0, limit-len(tail))
	s := string(out[:min(keep, len(out))])
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	} else {
		s = ""
	}
	return []byte(strings.TrimRight(s, "\n") + tail)
}

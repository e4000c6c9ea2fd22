package registry

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// StageOrder returns the stages to show for m: those of order first, in
// that order, then any other stage m uses, by name.
func StageOrder(m *Model, order []string) []string {
	stages := slices.Clone(order)
	var more []string
	for s := range m.Stages {
		if !slices.Contains(stages, s) {
			more = append(more, s)
		}
	}
	slices.Sort(more)
	return append(stages, more...)
}

// WriteText writes models for people: per model, the version each stage
// holds, then its active versions, newest first. order gives each model's
// stages in policy order (by model name); other stages follow by name.
func WriteText(w io.Writer, models []*Model, order map[string][]string) error {
	if len(models) == 0 {
		_, err := fmt.Fprintln(w, "no models in the registry")
		return err
	}
	for i, m := range models {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := writeModel(w, m, StageOrder(m, order[m.Name])); err != nil {
			return err
		}
	}
	return nil
}

func writeModel(w io.Writer, m *Model, stages []string) error {
	title := m.Name
	if m.Latest != "" {
		title += "  latest " + m.Latest
	}
	if m.Deprecated {
		title += "  (deprecated)"
	}
	fmt.Fprintln(w, title)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range stages {
		fmt.Fprintf(tw, "  %s\t%s\n", s, dash(shortName(m.Stages[s])))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  version\tcommit\tcreated\tverdict\tstages")
	for _, v := range m.Versions {
		if !v.Active {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", shortName(v.Version), short(v.Commit),
			v.Created.UTC().Format("2006-01-02 15:04Z"), dash(v.Verdict),
			dash(joinStages(v.Stages, stages)))
	}
	return tw.Flush()
}

// joinStages lists held stages in display order.
func joinStages(held, order []string) string {
	out := ""
	for _, s := range order {
		if slices.Contains(held, s) {
			if out != "" {
				out += ", "
			}
			out += s
		}
	}
	return out
}

// shortName abbreviates a version named by a commit id.
func shortName(v string) string {
	if CheckVersion(v) == nil {
		return v
	}
	return short(v)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

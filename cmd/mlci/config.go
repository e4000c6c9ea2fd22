package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
)

func init() { register(newConfigCmd) }

func newConfigCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the configuration as mlci resolves it",
		Long: `Config loads mlci.yaml (or dvc.yaml alone), applies the defaults, expands
foreach and matrix stages and ${...} expressions, checks the whole and prints
the result: stages, change classes in match order, tests, models with their
gates and promotion policy, data sets, triggers and report options.

It is also the quickest way to check a configuration: every error is printed
with its file, line and column, and the exit code is 2.`,
		Example: `  mlci config                        # the resolved configuration, for people
  mlci config --format json          # the same as JSON
  mlci config --config ci/mlci.yaml  # another configuration file`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			return g.print(cfg, func(w io.Writer) error { return writeConfig(w, cfg) })
		},
	}
}

// writeConfig writes the configuration for people.
func writeConfig(w io.Writer, cfg *config.Config) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "configuration\t%s\n", orNone(cfg.File))
	if cfg.PipelineFile != "" {
		fmt.Fprintf(tw, "pipeline\t%s (lock file %s)\n", cfg.PipelineFile, cfg.LockFile)
	}
	writeStages(tw, cfg.Stages)
	writeChanges(tw, cfg.Changes)
	writeTests(tw, cfg.Tests)
	writeModels(tw, cfg.Models)
	writeData(tw, cfg.Data)
	writeOptions(tw, cfg)
	return tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func writeStages(w io.Writer, stages []*config.Stage) {
	fmt.Fprintf(w, "\nstages (%d)\n", len(stages))
	for _, s := range stages {
		fmt.Fprintf(w, "  %s\t%s\n", s.Name, strings.Join(s.Cmd, " && "))
		line := func(what string, items []string) {
			if len(items) > 0 {
				fmt.Fprintf(w, "  \t%s: %s\n", what, strings.Join(items, ", "))
			}
		}
		if s.Wdir != "." {
			line("wdir", []string{s.Wdir})
		}
		line("deps", s.Deps)
		line("outs", outPaths(s.Outs))
		line("metrics", outPaths(s.Metrics))
		line("plots", plotPaths(s.Plots))
		line("params", paramRefs(s.Params))
		line("flags", stageFlags(s))
	}
}

func outPaths(outs []config.Out) []string {
	var out []string
	for _, o := range outs {
		p := o.Path
		if !o.Cache {
			p += " (in git)"
		}
		out = append(out, p)
	}
	return out
}

func plotPaths(plots []config.Plot) []string {
	var out []string
	for _, p := range plots {
		out = append(out, p.Path)
	}
	return out
}

func paramRefs(refs []config.ParamRef) []string {
	var out []string
	for _, r := range refs {
		if len(r.Keys) == 0 {
			out = append(out, r.File+" (whole file)")
			continue
		}
		out = append(out, r.File+": "+strings.Join(r.Keys, " "))
	}
	return out
}

func stageFlags(s *config.Stage) []string {
	var out []string
	if s.Frozen {
		out = append(out, "frozen")
	}
	if s.AlwaysChanged {
		out = append(out, "always changed")
	}
	if s.Timeout > 0 {
		out = append(out, "timeout "+config.FormatDuration(s.Timeout))
	}
	if len(s.RunsOn) > 0 {
		out = append(out, "runs on "+strings.Join(s.RunsOn, " "))
	}
	return out
}

func writeChanges(w io.Writer, classes []config.ChangeClass) {
	fmt.Fprintf(w, "\nchange classes (first match wins; anything else is %s)\n", config.ClassOther)
	for _, c := range classes {
		fmt.Fprintf(w, "  %s\t%s\n", c.Name, strings.Join(c.Globs, " "))
	}
}

func writeTests(w io.Writer, tests []config.Test) {
	if len(tests) == 0 {
		return
	}
	fmt.Fprintf(w, "\ntests\n")
	for _, t := range tests {
		fmt.Fprintf(w, "  %s\t%s\n", t.Name, t.Cmd)
	}
}

func writeModels(w io.Writer, models []*config.Model) {
	for _, m := range models {
		fmt.Fprintf(w, "\nmodel %s\t%s\n", m.Name, m.Path)
		if len(m.Metrics) > 0 {
			fmt.Fprintf(w, "  metrics\t%s\n", strings.Join(m.Metrics, ", "))
		}
		if m.Predictions != "" {
			fmt.Fprintf(w, "  predictions\t%s\n", m.Predictions)
		}
		for _, g := range m.Gates {
			fmt.Fprintf(w, "  gate %s\t%s\n", g.Metric, gateRules(g))
		}
		fmt.Fprintf(w, "  promote\t%s\n", promotion(m.Promote))
		if m.Serve != nil {
			fmt.Fprintf(w, "  serve\t%s\n", m.Serve.Cmd)
			for _, g := range m.Serve.Gates {
				fmt.Fprintf(w, "  serve gate %s\t%s\n", g.Metric, gateRules(g))
			}
		}
	}
}

// gateRules writes a gate's rules as they are set in mlci.yaml.
func gateRules(g config.Gate) string {
	var parts []string
	num := func(name string, v *float64) {
		if v != nil {
			parts = append(parts, name+" "+strconv.FormatFloat(*v, 'g', -1, 64))
		}
	}
	num("min", g.Min)
	num("max", g.Max)
	num("max_drop", g.MaxDrop)
	num("max_rise", g.MaxRise)
	num("max_drop_pct", g.MaxDropPct)
	num("max_rise_pct", g.MaxRisePct)
	num("min_improvement", g.MinImprovement)
	num("significance", g.Significance)
	num("margin", g.Margin)
	if g.SliceBy != "" {
		parts = append(parts, fmt.Sprintf("per %s (n ≥ %d)", g.SliceBy, g.MinSliceSize))
	}
	if g.HigherIsBetter != nil {
		parts = append(parts, "higher_is_better "+strconv.FormatBool(*g.HigherIsBetter))
	}
	return strings.Join(parts, ", ") + " [" + g.Severity + "]"
}

func promotion(p config.Promote) string {
	var parts []string
	for _, s := range p.Stages {
		r := p.Rules[s]
		part := s + " on " + r.On
		if r.AfterRuns > 0 {
			part += fmt.Sprintf(" after %d runs", r.AfterRuns)
		}
		if r.After > 0 {
			part += " after " + config.FormatDuration(r.After)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

func writeData(w io.Writer, data []*config.DataSet) {
	for _, d := range data {
		fmt.Fprintf(w, "\ndata %s\t%s (%s)\n", d.Name, d.Path, d.Format)
		if d.Label != "" || d.ID != "" {
			fmt.Fprintf(w, "  columns\tlabel %s, id %s\n", orNone(d.Label), orNone(d.ID))
		}
		fmt.Fprintf(w, "  drift\tat a share of %g drifted columns [%s]\n",
			d.Drift.Share, d.Drift.Severity)
	}
}

func writeOptions(w io.Writer, cfg *config.Config) {
	t := cfg.Triggers
	if t.Data != nil || t.Drift != nil || t.MaxAge > 0 || t.Metric != nil {
		fmt.Fprintf(w, "\ntriggers\n")
		if t.Data != nil {
			fmt.Fprintf(w, "  data\trefresh with %s\n", orNone(t.Data.Refresh))
		}
		if t.Drift != nil {
			fmt.Fprintf(w, "  drift\tabove %g\n", t.Drift.Threshold)
		}
		if t.MaxAge > 0 {
			fmt.Fprintf(w, "  max age\t%s\n", config.FormatDuration(t.MaxAge))
		}
		if t.Metric != nil {
			fmt.Fprintf(w, "  metric\t%s\n", t.Metric.Metric)
		}
	}
	fmt.Fprintf(w, "\nreport\t%d decimals\n", cfg.Report.Precision)
	if cfg.Remote.URL != "" {
		fmt.Fprintf(w, "remote\t%s\n", cfg.Remote.URL)
	}
}

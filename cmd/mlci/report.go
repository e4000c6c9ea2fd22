package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/report"
)

func init() { register(newReportCmd) }

// defaultReportJSON is where the run's report.json is read from when neither
// --from nor buildReport gives the data, relative to the repository.
var defaultReportJSON = filepath.Join(".mlci", "reports", "report.json")

// buildReport makes the report of the repository as it stands (what `mlci ci`
// would report). The flow wiring sets it; while it is nil, `mlci report`
// renders a report.json (--from, else .mlci/reports/report.json).
var buildReport func(ctx context.Context, g *globals) (*report.Data, error)

// postReport publishes the report where people read it: the sticky
// pull-request comment, the check run or commit status and the job summary of
// the CI platform at hand. The platform wiring sets it; while it is nil,
// --post is a usage error.
var postReport func(ctx context.Context, g *globals, d *report.Data, opts report.Options) error

// reportFlags are the flags of mlci report; its --format is the global flag,
// with the report's own values.
type reportFlags struct {
	from      string
	out       string
	post      bool
	limit     int
	precision int
	template  string
}

func newReportCmd(g *globals) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render the report as Markdown, a job summary, JSON or HTML; post it",
		Long: `report renders what a run found: the verdict first, then what changed, which
stages ran or were restored and why, metrics and gates against the baseline,
data checks, charts (Mermaid in Markdown, SVG in HTML) and links.

It reads the report's data from --from, a report.json as written by a run
(default .mlci/reports/report.json), and prints one format to stdout:
md (the pull-request comment, ending in its hidden sticky marker), summary (the
CI job summary), json (everything, for machines) or html (a self-contained
page). With --out it writes report.md, summary.md, report.json and report.html
into a folder instead, each file atomically, and prints their paths (as a JSON
object with --format json).

Templates come from the binary; report.template in mlci.yaml (or --template)
names a folder whose *.tmpl files replace the embedded ones by name. Numbers
have report.precision decimals (or --precision). --limit caps the Markdown's
length: the least important details are left out first, and the report says
what was left out.

--post publishes the report on the CI platform (GitHub or GitLab): the comment
is updated in place on every push, never duplicated.`,
		Example: `  mlci report                            # the last run's comment, as Markdown
  mlci report --format html > report.html
  mlci report --from build/report.json --out build/report
  mlci report --limit 65536              # what fits in a GitHub comment
  mlci report --post                     # publish on the pull request`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{"formats": "md, summary, json, html (default md)"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), g, f, cmp.Or(g.format, report.MD))
		},
	}

	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "read the report from this report.json `file` "+
		"(default .mlci/reports/report.json)")
	fl.StringVar(&f.out, "out", "", "write every format into `dir` instead of printing one")
	fl.BoolVar(&f.post, "post", false, "publish the report on the CI platform")
	fl.IntVar(&f.limit, "limit", 0, "most `characters` of the Markdown (0: no limit)")
	fl.IntVar(
		&f.precision,
		"precision",
		0,
		"`decimals` of numbers (default report.precision, else 4)",
	)
	fl.StringVar(&f.template, "template", "", "`dir` of templates replacing the embedded ones")
	return cmd
}

func runReport(ctx context.Context, g *globals, f reportFlags, format string) error {
	if !slices.Contains(report.Formats, format) {
		return exit.Usagef("--format: %q is not one of %s", format,
			strings.Join(report.Formats, ", "))
	}
	if f.limit < 0 || f.precision < 0 {
		return exit.Usagef("--limit and --precision cannot be negative")
	}
	opts, err := reportOptions(g, f)
	if err != nil {
		return err
	}
	d, err := reportData(ctx, g, f.from)
	if err != nil {
		return err
	}

	if f.post {
		if postReport == nil {
			return exit.Usagef("posting needs a CI platform (GitHub or GitLab): " +
				"--post works in a CI job; render with --format or --out instead")
		}
		if err := postReport(ctx, g, d, opts); err != nil {
			return err
		}
	}
	if f.out != "" {
		return writeReport(g, d, opts, f.out)
	}
	if f.post {
		return nil
	}
	return printReport(g.stdout, format, d, opts)
}

// reportOptions merges the flags with mlci.yaml's report options.
func reportOptions(g *globals, f reportFlags) (report.Options, error) {
	opts := report.Options{Limit: f.limit, Precision: f.precision, TemplateDir: f.template}
	root, err := g.root()
	if err != nil {
		return opts, err
	}
	if g.config == "" && !fileExists(filepath.Join(root, "mlci.yaml")) &&
		!fileExists(filepath.Join(root, "mlci.yml")) {
		return opts, nil // no configuration: the defaults
	}

	cfg, err := g.load()
	if err != nil {
		return opts, err
	}
	if opts.Precision == 0 {
		opts.Precision = cfg.Report.Precision
	}
	if opts.TemplateDir == "" && cfg.Report.Template != "" {
		opts.TemplateDir = under(cfg.Root, cfg.Report.Template)
	}
	return opts, nil
}

// reportData reads the report's data from a report.json, or builds it.
func reportData(ctx context.Context, g *globals, from string) (*report.Data, error) {
	if from == "" && buildReport != nil {
		return buildReport(ctx, g)
	}
	if from == "" {
		root, err := g.root()
		if err != nil {
			return nil, err
		}
		from = filepath.Join(root, defaultReportJSON)
		if !fileExists(from) {
			return nil, exit.Usagef("no report at %s: run mlci ci (or mlci demo) first, "+
				"or name a report.json with --from", from)
		}
	}

	data, err := os.ReadFile(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, exit.Usagef("--from %s: no such file", from)
	}
	if err != nil {
		return nil, exit.Externalf("reading %s: %w", from, err)
	}
	d, err := report.Decode(data)
	if err != nil {
		return nil, exit.Usagef("%s: %w", from, err)
	}
	return d, nil
}

func writeReport(g *globals, d *report.Data, opts report.Options, dir string) error {
	paths, err := report.WriteFiles(dir, d, opts)
	if err != nil {
		return templateExit(err)
	}
	names := make([]string, 0, len(paths))
	for _, format := range report.Formats {
		names = append(names, report.FileName(format))
	}
	return g.print(paths, func(w io.Writer) error {
		for _, name := range names {
			if _, err := fmt.Fprintln(w, paths[name]); err != nil {
				return err
			}
		}
		return nil
	})
}

func printReport(w io.Writer, format string, d *report.Data, opts report.Options) error {
	out, err := report.Render(format, d, opts)
	if err != nil {
		return templateExit(err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// templateExit makes a broken report template a configuration error.
func templateExit(err error) error {
	var te *report.TemplateError
	if errors.As(err, &te) {
		return exit.With(exit.Usage, err)
	}
	return exit.With(exit.External, err)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

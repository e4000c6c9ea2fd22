package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/flow"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/local"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/report"
)

// Options configure a demo run.
type Options struct {
	// Dir is an empty or missing folder the demo works in.
	Dir string
	// Version is mlci's version, shown in the report.
	Version string
	// Report receives the final Markdown report; Printer shows progress.
	Report  io.Writer
	Printer *progress.Printer
	Log     *slog.Logger
}

// Outcome is what the demo produced.
type Outcome struct {
	*flow.Outcome
	// Repo is the demo's repository; ReportDir holds the pull request's
	// report files.
	Repo      string
	ReportDir string
}

// demo is one run of the demo.
type demo struct {
	o     Options
	repo  *Repo
	cache string
	runs  int
}

// Run plays a pull request on the example project as CI would see it: the
// baseline is trained on main and registered by main's CI; the pull request
// is pushed twice, each push running `mlci ci` in a fresh clone that shares
// main's cache, as CI runners share one; then it is merged, and main's CI
// registers the new model and promotes it to staging. The pull request's
// report, with the promotion, is the one printed.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	d := &demo{o: o, cache: filepath.Join(o.Dir, "cache")}

	if err := d.baseline(ctx); err != nil {
		return nil, err
	}
	pr, err := d.pullRequest(ctx)
	if err != nil {
		return nil, err
	}
	merged, err := d.merge(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.finalReport(pr, merged); err != nil {
		return nil, err
	}
	return pr, nil
}

// baseline creates the repository, trains the baseline and commits its lock
// file, as a data scientist does with `mlci run`; main's CI then records and
// registers it.
func (d *demo) baseline(ctx context.Context) error {
	r, err := Create(ctx, filepath.Join(d.o.Dir, "repo"))
	if err != nil {
		return err
	}
	d.repo = r

	if err := r.trainBaseline(ctx, d.o, d.cache); err != nil {
		return err
	}

	d.o.Printer.Infof("\n=== main's CI: record and register the baseline")
	_, err = d.mainCI(ctx, "")
	return err
}

// trainBaseline runs the whole pipeline and commits its lock file, as a data
// scientist does with `mlci run`, filling the cache.
func (r *Repo) trainBaseline(ctx context.Context, o Options, cache string) error {
	o.Printer.Infof("=== main: train the baseline")
	cfg, err := config.Load(r.Dir, "")
	if err != nil {
		return fmt.Errorf("loading the example's configuration: %w", err)
	}
	p, err := pipeline.New(cfg, pipeline.Options{CacheDir: cache, Printer: o.Printer, Log: o.Log})
	if err != nil {
		return err
	}
	if _, err := p.Run(ctx, pipeline.RunOptions{Printer: o.Printer}); err != nil {
		return fmt.Errorf("training the baseline: %w", err)
	}
	return r.CommitAll(ctx, "Record the baseline run")
}

// pullRequest makes the pull request's commits in two pushes and runs CI on
// each; it returns the last push's outcome.
func (d *demo) pullRequest(ctx context.Context) (*Outcome, error) {
	commits, err := Commits()
	if err != nil {
		return nil, err
	}
	if err := d.repo.Branch(ctx, Branch); err != nil {
		return nil, err
	}
	var last *Outcome
	pushes := [][]Commit{commits[:2], commits[2:]}
	for i, push := range pushes {
		if err := d.repo.Checkout(ctx, Branch); err != nil {
			return nil, err
		}
		for _, c := range push {
			if err := d.repo.Apply(ctx, c); err != nil {
				return nil, err
			}
		}
		// origin's HEAD stays on main, as a hosted repository's default branch.
		if err := d.repo.Checkout(ctx, "main"); err != nil {
			return nil, err
		}
		d.o.Printer.Infof("\n=== push %d of %d to %s", i+1, len(pushes), Branch)
		if last, err = d.ci(ctx, Branch, nil); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// merge merges the pull request into main and runs main's CI on the merge.
func (d *demo) merge(ctx context.Context) (*Outcome, error) {
	before, err := d.repo.rev(ctx, "main")
	if err != nil {
		return nil, err
	}
	if err := d.repo.git(ctx, "merge", "-q", "--no-ff", "-m",
		"Merge pull request #1 from "+Branch, Branch); err != nil {
		return nil, err
	}
	d.o.Printer.Infof("\n=== main's CI after the merge")
	return d.mainCI(ctx, before)
}

// mainCI runs CI for a push to main from the commit before.
func (d *demo) mainCI(ctx context.Context, before string) (*Outcome, error) {
	head, err := d.repo.rev(ctx, "main")
	if err != nil {
		return nil, err
	}
	return d.ci(ctx, "main", &platform.Event{
		Kind: platform.Push, Base: before, Head: head,
		BaseRef: "main", HeadRef: "main", DefaultBranch: "main", Job: "main",
	})
}

// ci clones the repository at branch into a fresh work tree, as a CI
// checkout is, and runs the flow there.
func (d *demo) ci(ctx context.Context, branch string, ev *platform.Event) (*Outcome, error) {
	d.runs++
	work := filepath.Join(d.o.Dir, fmt.Sprintf("ci-%d", d.runs))
	if err := clone(ctx, d.repo.Dir, work, branch); err != nil {
		return nil, err
	}

	reportDir := filepath.Join(d.o.Dir, fmt.Sprintf("report-%d", d.runs))
	out, err := flow.Run(ctx, flow.Options{
		Root:      work,
		Platform:  local.New(work, nil),
		Event:     ev,
		ReportDir: reportDir,
		CacheDir:  d.cache,
		Version:   d.o.Version,
		Printer:   d.o.Printer,
		Log:       d.o.Log,
	})
	if err != nil {
		return nil, err
	}
	return &Outcome{Outcome: out, Repo: d.repo.Dir, ReportDir: reportDir}, nil
}

// finalReport updates the pull request's report with what the merge
// promoted, as the platforms update the comment, and prints it.
func (d *demo) finalReport(pr, merged *Outcome) error {
	if merged.Report != nil && merged.Report.Promotion != nil {
		pr.Report.Promotion = merged.Report.Promotion
	}
	md, err := report.Render("md", pr.Report, report.Options{})
	if err != nil {
		return fmt.Errorf("rendering the pull request's report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(pr.ReportDir, "report.md"), md, 0o644); err != nil {
		return fmt.Errorf("writing the pull request's report: %w", err)
	}
	if d.o.Report != nil {
		if _, err := d.o.Report.Write(md); err != nil {
			return fmt.Errorf("printing the report: %w", err)
		}
	}
	return nil
}

// rev returns the commit a ref names.
func (r *Repo) rev(ctx context.Context, ref string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", "rev-parse", ref)
	cmd.Dir = r.Dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("reading %s in %s: %w", ref, r.Dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// clone makes a clone of src at branch in dst, with origin's HEAD pointing at
// main as a CI checkout has it.
func clone(ctx context.Context, src, dst, branch string) error {
	cmd := exec.CommandContext(ctx, "git", "clone", "-q", "--branch", branch, src, dst)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cloning the demo repository: %w: %s", err, out)
	}
	return nil
}

package demo

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mlci-dev/mlci"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/local"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/registry"
	"github.com/mlci-dev/mlci/internal/retrain"
)

// RetrainTriggers are the triggers the retraining demo adds to the example:
// the refresh command copies the customer feed (a folder beside the
// repository, standing for a warehouse export) into the data.
const RetrainTriggers = `
# Added by the retraining demo: continuous training.
triggers:
  data: {refresh: "cp ../feed/customers.csv data/raw/customers.csv"}
  drift: {threshold: 0.1}
  max_age: 30d
`

// newData is the demo's new customer data: the table of the data commit.
const newData = "testdata/demo/pr/2-data/data/raw/customers.csv"

// RetrainOutcome is what the retraining demo produced.
type RetrainOutcome struct {
	*retrain.Outcome
	// Repo is the demo's repository (origin); Work the clone that
	// retrained, whose checked-out branch holds the new model.
	Repo string
	Work string
	// ReportDir holds the retraining report's files.
	ReportDir string
}

// Retrain plays continuous training on the example project: the baseline
// is trained on main, recorded and registered by main's CI, and promoted to
// production; a scheduled run then finds nothing to do; new data lands in
// the feed, and the next scheduled run refreshes it, sees the triggers
// fire, retrains on mlci/retrain/churn, validates the model against the
// production version and prints the report that CI would open the pull
// request with. Each run works in a fresh clone that shares main's cache,
// as CI runners do.
func Retrain(ctx context.Context, o Options) (*RetrainOutcome, error) {
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	d := &demo{o: o, cache: filepath.Join(o.Dir, "cache")}
	feed := filepath.Join(o.Dir, "feed", "customers.csv")

	if err := d.baseline(ctx); err != nil {
		return nil, err
	}
	if err := d.setUpRetraining(ctx, feed); err != nil {
		return nil, err
	}

	o.Printer.Infof("\n=== scheduled run 1: the feed holds the data production learnt from")
	if _, err := d.retrain(ctx, nil); err != nil {
		return nil, err
	}

	o.Printer.Infof("\n=== new data lands in the feed: 13 fixed rows and 500 new customers " +
		"after a price increase")
	if err := copyBundled(newData, feed); err != nil {
		return nil, err
	}
	o.Printer.Infof("\n=== scheduled run 2")
	return d.retrain(ctx, o.Report)
}

// setUpRetraining promotes the registered baseline to production, adds the
// triggers on main and fills the feed with the data production learnt from.
func (d *demo) setUpRetraining(ctx context.Context, feed string) error {
	repo := git.Repo{Dir: d.repo.Dir, Env: identity}
	reg, err := registry.Read(ctx, repo)
	if err != nil {
		return err
	}
	m := reg.Model("churn")
	if m == nil || m.Latest == "" {
		return fmt.Errorf("main's CI registered no version of churn")
	}
	d.o.Printer.Infof("\n=== a maintainer promotes churn %s to production", m.Latest)
	if _, err := registry.Assign(ctx, repo, "churn", "production", m.Latest, ""); err != nil {
		return err
	}

	f, err := os.OpenFile(filepath.Join(d.repo.Dir, "mlci.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("adding the triggers: %w", err)
	}
	_, err = f.WriteString(RetrainTriggers)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("adding the triggers: %w", err)
	}
	if err := d.repo.CommitAll(ctx, "Retrain when the customer feed brings new data"); err != nil {
		return err
	}
	return copyBundled("testdata/example/data/raw/customers.csv", feed)
}

// identity is the fixed identity the demo's tags are made with.
var identity = []string{
	"GIT_AUTHOR_NAME=Dana Scientist", "GIT_AUTHOR_EMAIL=dana@example.com",
	"GIT_COMMITTER_NAME=Dana Scientist", "GIT_COMMITTER_EMAIL=dana@example.com",
}

// retrain runs a scheduled retraining in a fresh clone of main, as a CI
// job would; the local platform prints the report to out, if any.
func (d *demo) retrain(ctx context.Context, out io.Writer) (*RetrainOutcome, error) {
	d.runs++
	work := filepath.Join(d.o.Dir, fmt.Sprintf("retrain-%d", d.runs))
	if err := clone(ctx, d.repo.Dir, work, "main"); err != nil {
		return nil, err
	}
	cfg, err := config.Load(work, "")
	if err != nil {
		return nil, fmt.Errorf("loading the demo's configuration: %w", err)
	}

	reportDir := filepath.Join(d.o.Dir, fmt.Sprintf("retrain-report-%d", d.runs))
	res, err := retrain.Run(ctx, retrain.Options{
		Root:      work,
		Config:    cfg,
		Platform:  local.New(work, out),
		Event:     &platform.Event{Kind: platform.Schedule, DefaultBranch: "main", Job: "retrain"},
		CacheDir:  d.cache,
		ReportDir: reportDir,
		Version:   d.o.Version,
		Printer:   d.o.Printer,
		Log:       d.o.Log,
	})
	if err != nil {
		return nil, err
	}
	return &RetrainOutcome{Outcome: res, Repo: d.repo.Dir, Work: work, ReportDir: reportDir}, nil
}

// copyBundled writes a bundled file to dst, making its folder.
func copyBundled(name, dst string) error {
	data, err := fs.ReadFile(mlci.Example, name)
	if err != nil {
		return fmt.Errorf("reading bundled %s: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(dst), err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

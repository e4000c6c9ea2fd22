package gate

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/metrics"
)

// Options are what Validate needs besides the configuration.
type Options struct {
	// Baseline chooses the baseline.
	Baseline metrics.Options
	// Models limits the models validated; all when empty.
	Models []string
	// Evaluator runs the gates.
	Evaluator Evaluator
}

// Validate evaluates the gates of cfg's models: it checks them (a
// configuration error has exit code 2), chooses the baseline, reads both
// sides' metrics and predictions, and evaluates every gate.
func Validate(ctx context.Context, cfg *config.Config, o Options) (*Verdict, error) {
	models, err := selectModels(cfg, o.Models)
	if err != nil {
		return nil, err
	}
	if o.Baseline.LockFile == "" {
		o.Baseline.LockFile = cfg.LockFile
	}
	b, err := metrics.Lookup(ctx, cfg.Root, o.Baseline)
	if err != nil {
		return nil, err
	}

	files := metrics.FilesOf(cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(cfg.Root), files)
	if err != nil {
		return nil, exit.With(exit.Failed, fmt.Errorf("reading the candidate's metrics: %w", err))
	}
	var base *metrics.Side
	if b.Exists() {
		if base, err = metrics.ReadSide(ctx, b, files); err != nil {
			return nil, exit.With(
				exit.Failed,
				fmt.Errorf("reading the baseline's metrics: %w", err),
			)
		}
	}

	var results []Result
	for _, m := range models {
		preds, err := readPredictions(ctx, cfg, b, m)
		if err != nil {
			return nil, err
		}
		r := o.Evaluator.Evaluate(
			m,
			base.ModelMetrics(m, files),
			head.ModelMetrics(m, files),
			preds,
		)
		results = append(results, r...)
	}
	v := NewVerdict(b, results)
	v.Notes = missingNotes(b, base, head)
	return v, nil
}

// selectModels checks the gates of the models asked for and returns them.
func selectModels(cfg *config.Config, names []string) ([]*config.Model, error) {
	var models []*config.Model
	var errs []error
	for _, m := range cfg.Models {
		if len(names) > 0 && !slices.Contains(names, m.Name) {
			continue
		}
		models = append(models, m)
		if err := Check(m); err != nil {
			errs = append(errs, err)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(cfg.Models, func(m *config.Model) bool { return m.Name == n }) {
			errs = append(errs, fmt.Errorf("no model %q in the configuration", n))
		}
	}
	if len(errs) > 0 {
		return nil, exit.With(exit.Usage, errors.Join(errs...))
	}
	return models, nil
}

// readPredictions reads a model's predictions on both sides. A file that
// cannot be parsed fails validation (exit code 1), since the gates that need
// it cannot be decided.
func readPredictions(ctx context.Context, cfg *config.Config, b *metrics.Baseline,
	m *config.Model) (*Predictions, error) {
	head, err := metrics.ReadModelPredictions(ctx, metrics.WorkTree(cfg.Root), m)
	if err != nil {
		return nil, exit.With(exit.Failed, fmt.Errorf("candidate of %s: %w", m.Name, err))
	}
	p := &Predictions{Head: head}
	if b.Exists() {
		if p.Base, err = metrics.ReadModelPredictions(ctx, b, m); err != nil {
			return nil, exit.With(exit.Failed, fmt.Errorf("baseline of %s: %w", m.Name, err))
		}
	}
	return p, nil
}

func missingNotes(b *metrics.Baseline, base, head *metrics.Side) []string {
	var notes []string
	if !b.Exists() {
		notes = append(notes, "no baseline ("+b.Note+"): rules of change were not checked")
	}
	for _, f := range head.Missing {
		notes = append(notes, f+" is missing in the work tree (has the pipeline run?)")
	}
	if base != nil {
		for _, f := range base.Missing {
			notes = append(notes, fmt.Sprintf("%s is not in the baseline %s", f, b))
		}
	}
	return notes
}

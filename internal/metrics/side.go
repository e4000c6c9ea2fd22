package metrics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/params"
)

// Files are the files a comparison reads, as the configuration names them.
type Files struct {
	// Metrics are the metrics files of the stages and the models.
	Metrics []string
	// Params are the params files the stages read, with the keys they read
	// (nil for the whole file).
	Params map[string][]string
	// Plots are the stages' plots.
	Plots []config.Plot
}

// FilesOf returns the metrics, params and plots files that cfg names, each
// once, in the order the configuration gives them.
func FilesOf(cfg *config.Config) Files {
	f := Files{Params: map[string][]string{}}
	whole := map[string]bool{}
	for _, s := range cfg.Stages {
		for _, m := range s.Metrics {
			f.Metrics = appendNew(f.Metrics, m.Path)
		}
		for _, ref := range s.Params {
			file := ref.File
			if file == "" {
				file = params.DefaultFile
			}
			file = path.Clean(file)
			whole[file] = whole[file] || len(ref.Keys) == 0
			f.Params[file] = append(f.Params[file], ref.Keys...)
		}
		f.Plots = append(f.Plots, s.Plots...)
	}
	for _, m := range cfg.Models {
		for _, file := range m.Metrics {
			f.Metrics = appendNew(f.Metrics, file)
		}
	}
	for file := range whole {
		if whole[file] {
			f.Params[file] = nil
		}
	}
	return f
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// Side is what one side of a comparison measured.
type Side struct {
	// Metrics are the numbers of each metrics file, by file and key.
	Metrics map[string]map[string]float64
	// Params are each params file's values, nested as params.Parse gives them.
	Params map[string]map[string]any
	// Missing are the files this side does not have, in the order read.
	Missing []string
}

// ReadSide reads the metrics and params files of one side. A file the side
// lacks is listed in Missing; a file that cannot be parsed is an error.
func ReadSide(ctx context.Context, src Source, f Files) (*Side, error) {
	s := &Side{Metrics: map[string]map[string]float64{}, Params: map[string]map[string]any{}}
	for _, file := range f.Metrics {
		data, ok, err := s.read(ctx, src, file)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		if s.Metrics[file], err = Read(file, data); err != nil {
			return nil, err
		}
	}
	for _, file := range sortedKeys(f.Params) {
		data, ok, err := s.read(ctx, src, file)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		if s.Params[file], err = params.Parse(file, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Side) read(ctx context.Context, src Source, file string) ([]byte, bool, error) {
	data, err := src.ReadFile(ctx, file)
	if errors.Is(err, fs.ErrNotExist) {
		s.Missing = append(s.Missing, file)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", file, err)
	}
	return data, true, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ModelMetrics returns a model's metrics by key: the keys of its metrics
// files, or of every metrics file when it names none. A key also answers as
// "file:key"; when two files hold the same key, the first file's wins.
// It returns nil for a nil side (no baseline).
func (s *Side) ModelMetrics(m *config.Model, f Files) map[string]float64 {
	if s == nil {
		return nil
	}
	files := m.Metrics
	if len(files) == 0 {
		files = f.Metrics
	}
	out := map[string]float64{}
	for _, file := range slices.Backward(files) {
		for k, v := range s.Metrics[file] {
			out[k] = v
			out[file+":"+k] = v
		}
	}
	return out
}

// ReadPredictions reads a model's predictions from src, or returns nil when
// the model names no predictions file or src does not hold it.
func ReadModelPredictions(ctx context.Context, src Source, m *config.Model) (*Predictions, error) {
	if m.Predictions == "" {
		return nil, nil
	}
	data, err := src.ReadFile(ctx, m.Predictions)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.Predictions, err)
	}
	return ReadPredictions(m.Predictions, data)
}

// ReadPlots reads the plots files src holds; those it lacks are left out.
func ReadPlots(ctx context.Context, src Source, f Files) ([]*Plot, error) {
	var out []*Plot
	for _, cfg := range f.Plots {
		data, err := src.ReadFile(ctx, cfg.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", cfg.Path, err)
		}
		p, err := ReadPlot(cfg, data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Comparison is the metrics and params of the candidate against the baseline.
type Comparison struct {
	Baseline *Baseline      `json:"baseline"`
	Metrics  []MetricChange `json:"metrics"`
	Params   []ParamChange  `json:"params"`
}

// Compare diffs two sides file by file. A nil base means no baseline. Params
// are limited to the keys the stages read.
func Compare(base, head *Side, f Files, b *Baseline) *Comparison {
	if base == nil {
		base = &Side{}
	}
	c := &Comparison{Baseline: b, Metrics: []MetricChange{}, Params: []ParamChange{}}
	for _, file := range f.Metrics {
		c.Metrics = append(c.Metrics, Diff(base.Metrics[file], head.Metrics[file], file)...)
	}
	for _, file := range sortedKeys(f.Params) {
		for _, p := range DiffParams(base.Params[file], head.Params[file], file) {
			if tracked(f.Params[file], p.Key) {
				c.Params = append(c.Params, p)
			}
		}
	}
	return c
}

// tracked reports whether key is one of keys or under one of them; every key
// is when keys is nil.
func tracked(keys []string, key string) bool {
	if keys == nil {
		return true
	}
	for _, k := range keys {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// Changed returns the comparison without what is unchanged.
func (c *Comparison) Changed() *Comparison {
	out := &Comparison{Baseline: c.Baseline, Metrics: []MetricChange{}, Params: []ParamChange{}}
	for _, m := range c.Metrics {
		if m.Changed() {
			out.Metrics = append(out.Metrics, m)
		}
	}
	for _, p := range c.Params {
		if p.Changed() {
			out.Params = append(out.Params, p)
		}
	}
	return out
}

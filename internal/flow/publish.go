package flow

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
	"github.com/mlci-dev/mlci/internal/serve"
)

// commentLimits are the most characters a platform's comment takes.
var commentLimits = map[string]int{
	"github": 65536,
	"gitlab": 1000000,
}

// reportFiles are the formats written, by file name.
var reportFiles = []struct{ name, format string }{
	{"report.md", "md"},
	{"summary.md", "summary"},
	{"report.json", "json"},
	{"report.html", "html"},
}

type buildReport struct{}

func (buildReport) name() string { return "report" }

func (buildReport) run(ctx context.Context, s *state) error {
	d, err := s.buildView(ctx)
	if err != nil {
		return err
	}
	s.view = d
	s.files, err = writeReports(s.opts.ReportDir, d, s.renderOptions(0))
	if err != nil {
		return err
	}
	s.outputs["passed"] = fmt.Sprint(len(s.failures) == 0)
	s.outputs["report_path"] = s.relative(s.opts.ReportDir)
	return nil
}

// relative is path relative to the repository when it lies inside it, as
// later CI steps and jobs, which may run elsewhere, need it.
func (s *state) relative(path string) string {
	rel, err := filepath.Rel(s.opts.Root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return path
	}
	return rel
}

// renderOptions are the report's options with a character limit.
func (s *state) renderOptions(limit int) report.Options {
	return report.Options{
		Precision:   s.cfg.Report.Precision,
		TemplateDir: s.templateDir(),
		Limit:       limit,
	}
}

func (s *state) templateDir() string {
	if s.cfg.Report.Template == "" {
		return ""
	}
	return filepath.Join(s.cfg.Root, s.cfg.Report.Template)
}

// writeReports renders every format into dir and returns the paths by name.
func writeReports(dir string, d *report.Data, opts report.Options) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	files := map[string]string{}
	for _, f := range reportFiles {
		body, err := report.Render(f.format, d, opts)
		if err != nil {
			return nil, fmt.Errorf("rendering the %s report: %w", f.format, err)
		}
		path := filepath.Join(dir, f.name)
		if err := writeAtomic(path, body); err != nil {
			return nil, err
		}
		files[f.name] = path
	}
	return files, nil
}

// writeAtomic writes data to path through a temporary file in the same
// folder, so a reader never sees half a report.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

type publish struct{}

func (publish) name() string { return "publish" }

func (publish) run(ctx context.Context, s *state) error {
	p := s.opts.Platform
	limit := commentLimits[p.Name()]
	md, err := report.Render("md", s.view, s.renderOptions(limit))
	if err != nil {
		return fmt.Errorf("rendering the comment: %w", err)
	}
	summary, err := report.Render("summary", s.view, s.renderOptions(1<<20-1024))
	if err != nil {
		return fmt.Errorf("rendering the job summary: %w", err)
	}

	r := &platform.Report{
		Key:         s.view.Key,
		Title:       report.Title(s.view),
		Markdown:    string(md),
		Summary:     string(summary),
		State:       report.PlatformState(s.view.Verdict.State),
		Annotations: s.annotations(),
		Files:       s.files,
	}
	if a, ok := p.(platform.Artefacts); ok {
		set, err := s.artefacts(ctx)
		if err != nil {
			return err
		}
		if err := a.WriteArtefacts(set); err != nil {
			return fmt.Errorf("writing the %s report artefacts: %w", p.Name(), err)
		}
	}
	if err := p.Publish(ctx, s.event, r); err != nil {
		return err
	}

	if out, ok := p.(platform.Outputs); ok {
		if err := out.SetOutputs(s.outputs); err != nil {
			return fmt.Errorf("setting the outputs: %w", err)
		}
	}
	return nil
}

// artefacts are the gates' JUnit XML and the candidate's metrics, by model
// and metrics file, then its serving figures; no metrics when a test or a
// stage failed, since the files then hold what an earlier run measured.
func (s *state) artefacts(ctx context.Context) (platform.ArtefactSet, error) {
	var set platform.ArtefactSet
	if s.verdict != nil {
		junit, err := s.verdict.JUnit()
		if err != nil {
			return set, err
		}
		set.JUnit = junit
	}
	if s.halt != "" || len(s.cfg.Models) == 0 {
		return set, nil
	}

	files := metrics.FilesOf(s.cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(s.cfg.Root), files)
	if err != nil {
		return set, fmt.Errorf("reading the candidate's metrics: %w", err)
	}
	for _, m := range s.cfg.Models {
		own := m.Metrics
		if len(own) == 0 {
			own = files.Metrics
		}
		for _, file := range own {
			values := head.Metrics[file]
			for _, key := range slices.Sorted(maps.Keys(values)) {
				set.Metrics = append(set.Metrics, platform.MetricValue{
					Model: m.Name, File: file, Key: key, Value: values[key],
				})
			}
		}
	}
	set.Metrics = append(set.Metrics, servingMetrics(s.serving)...)
	return set, nil
}

// ServingFile is the file label of the serving figures among the metrics.
const ServingFile = "serve-check"

// servingMetrics are the candidate services' figures, named serve_ and the
// serving gate's metric name (serve_latency_p99_ms): names fixed once, as
// GitLab compares each with the target branch's report. Peak memory is left
// out where it was not measured.
func servingMetrics(results []*serve.Result) []platform.MetricValue {
	var out []platform.MetricValue
	for _, r := range results {
		figures := r.Candidate.Metrics()
		if r.Candidate.PeakRSSMB == 0 {
			delete(figures, serve.MetricPeakRSS)
		}
		for _, key := range slices.Sorted(maps.Keys(figures)) {
			out = append(out, platform.MetricValue{Model: r.Model, File: ServingFile,
				Key: "serve_" + key, Value: figures[key]})
		}
	}
	return out
}

// annotations point at the mlci.yaml lines of failing gates.
func (s *state) annotations() []platform.Annotation {
	if s.verdict == nil {
		return nil
	}
	var out []platform.Annotation
	for _, g := range s.verdict.Gates {
		if g.Passed || g.Pos.File == "" {
			continue
		}
		level := "failure"
		if !g.Fails() {
			level = "warning"
		}
		out = append(out, platform.Annotation{
			Path:    g.Pos.File,
			Line:    g.Pos.Line,
			Level:   level,
			Title:   fmt.Sprintf("gate %s/%s failed", g.Model, g.Metric),
			Message: g.Message,
		})
	}
	return out
}

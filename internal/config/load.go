package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/exit"
)

// Load reads the configuration of the repository at root: mlci.yaml (or
// file, relative to root, when it is given) and the pipeline it names, or
// dvc.yaml alone when there is no mlci.yaml. It applies the defaults,
// expands foreach and matrix stages, and checks the whole.
//
// Every error names the file, line and column and what was expected; the
// error returned holds them all (an Errors, whose items are *Error) and
// ends the process with exit code 2.
func Load(root, file string) (*Config, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, exit.With(exit.Usage, fmt.Errorf("repository %s: %w", root, err))
	}
	cfg, err := newLoader(abs).load(file)
	if err != nil {
		return nil, exit.With(exit.Usage, err)
	}
	return cfg, nil
}

// loader holds the state of one Load.
type loader struct {
	root  string
	errs  Errors
	steps int
	files *paramsFiles
	cfg   *Config
	pipe  *pipeline

	userChanges []ChangeClass
	hasModels   bool
}

func newLoader(root string) *loader {
	l := &loader{root: root}
	l.files = newParamsFiles(root, l.decoder(""))
	l.cfg = &Config{Root: root, Report: ReportOptions{Precision: DefaultPrecision}}
	return l
}

func (l *loader) decoder(file string) *decoder { return newDecoder(file, &l.errs, &l.steps) }

func (l *loader) load(file string) (*Config, error) {
	name, err := l.configFile(file)
	if err != nil {
		return nil, err
	}
	l.cfg.File = name

	var top fields
	if name != "" {
		d := l.decoder(name)
		node, ok := l.parse(d, name)
		if !ok {
			return nil, l.errs.sorted()
		}
		top, _ = d.fields(node, "", mlciKeys...)
	}
	if err := l.readPipeline(top); err != nil {
		return nil, err
	}
	if top != nil {
		l.readMLCI(l.decoder(name), top)
	}
	l.finish()

	if len(l.errs) > 0 {
		return nil, l.errs.sorted()
	}
	return l.cfg, nil
}

// configFile returns the configuration file to read, relative to the root
// where it lies inside it: file when given, else mlci.yaml when present.
func (l *loader) configFile(file string) (string, error) {
	if file == "" {
		for _, name := range []string{"mlci.yaml", "mlci.yml"} {
			if l.exists(name) {
				return name, nil
			}
		}
		return "", nil
	}
	name := filepath.ToSlash(filepath.Clean(file))
	if filepath.IsAbs(file) {
		if rel, err := filepath.Rel(l.root, file); err == nil && !outside(filepath.ToSlash(rel)) {
			name = filepath.ToSlash(rel)
		}
	}
	if !l.exists(name) {
		return "", Errors{{Pos: Pos{File: name}, Msg: "configuration file not found"}}
	}
	return name, nil
}

// abs returns the file system path of a file named relative to the root.
func (l *loader) abs(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(l.root, filepath.FromSlash(name))
}

func (l *loader) exists(name string) bool {
	fi, err := os.Stat(l.abs(name))
	return err == nil && !fi.IsDir()
}

// parse reads a YAML file whose top is a mapping (or empty).
func (l *loader) parse(d *decoder, name string) (*yaml.Node, bool) {
	data, err := os.ReadFile(l.abs(name))
	if err != nil {
		d.errorAt(Pos{File: name}, "", "reading: %v", unwrapPath(err))
		return nil, false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d.syntaxError(err)
		return nil, false
	}
	top := deref(&doc)
	if !isNull(top) && top.Kind != yaml.MappingNode {
		d.errorf(top, "", "expected a mapping at the top, got %s", describe(top))
		return nil, false
	}
	return top, true
}

// unwrapPath drops the path from a file system error, which the message
// names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readPipeline reads the stages: inline in mlci.yaml, from the file its
// `pipeline` names, or from dvc.yaml at the root.
func (l *loader) readPipeline(top fields) error {
	d := l.decoder(l.cfg.File)
	switch {
	case top.has("stages"):
		l.inlineStages(d, top)
	case top.has("vars"):
		d.errorf(top["vars"].key, "vars", "vars only go with stages written inline in %s",
			l.cfg.File)
	case top.has("pipeline"):
		name, ok := d.nonEmpty(top.val("pipeline"), "pipeline")
		if !ok {
			return nil
		}
		name = path.Clean(filepath.ToSlash(name))
		if !l.exists(name) {
			d.errorf(top.val("pipeline"), "pipeline", "pipeline file %q not found", name)
			return nil
		}
		l.readDVC(name)
	case l.exists("dvc.yaml"):
		l.readDVC("dvc.yaml")
	case l.cfg.File == "":
		return fmt.Errorf("%w in %s", ErrNoConfig, l.root)
	}
	return nil
}

// inlineStages reads stages written in mlci.yaml with dvc.yaml's schema.
func (l *loader) inlineStages(d *decoder, top fields) {
	if top.has("pipeline") {
		d.errorf(top["pipeline"].key, "pipeline",
			"set pipeline (a dvc.yaml to read) or stages (written here), not both")
		return
	}
	beside := path.Join(path.Dir(l.cfg.File), "dvc.yaml")
	if l.exists(beside) {
		d.errorf(top["stages"].key, "stages", "%s is beside %s and both would use the same "+
			"dvc.lock; move these stages into %s or set pipeline: %s", beside, l.cfg.File,
			beside, beside)
		return
	}
	pf := fields{}
	for _, k := range []string{"vars", "stages"} {
		if f, ok := top[k]; ok {
			pf[k] = f
		}
	}
	l.runPipeline(d, l.cfg.File, pf)
}

// readDVC reads a dvc.yaml file.
func (l *loader) readDVC(name string) {
	d := l.decoder(name)
	node, ok := l.parse(d, name)
	if !ok {
		return
	}
	fs, _ := d.fields(node, "", dvcKeys...)
	l.runPipeline(d, name, fs)
}

func (l *loader) runPipeline(d *decoder, name string, fs fields) {
	p := newPipeline(d, l.root, name, l.files)
	p.read(fs)
	l.pipe = p
	l.cfg.PipelineFile = name
	l.cfg.LockFile = path.Join(path.Dir(name), "dvc.lock")
	l.cfg.Stages = p.stages
	l.cfg.Metrics = p.metrics
	l.cfg.ParamsFiles = p.paramsFiles
	l.cfg.Plots = p.plots
}

// finish applies the defaults that depend on more than one section.
func (l *loader) finish() {
	if !l.hasModels && l.pipe != nil {
		l.cfg.Models = l.pipe.artifacts
	}
	metrics := l.pipelineMetrics()
	for _, m := range l.cfg.Models {
		if len(m.Metrics) == 0 {
			m.Metrics = metrics
		}
	}
	l.cfg.Changes = mergeChanges(l.userChanges, l.defaultChanges())
}

// pipelineMetrics returns every metrics file the pipeline names.
func (l *loader) pipelineMetrics() []string {
	var out []string
	add := func(p string) {
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	for _, m := range l.cfg.Metrics {
		add(m)
	}
	for _, s := range l.cfg.Stages {
		for _, m := range s.Metrics {
			add(m.Path)
		}
	}
	return out
}

// defaultChanges returns the default classes, with the params files the
// pipeline reads and the pipeline's own files added.
func (l *loader) defaultChanges() []ChangeClass {
	var params []string
	for _, s := range l.cfg.Stages {
		for _, r := range s.Params {
			params = append(params, r.File)
		}
	}
	params = append(params, l.cfg.ParamsFiles...)
	if l.pipe != nil {
		params = append(params, sortedKeys(l.pipe.scope.imports)...)
	}
	out := DefaultChanges(params)
	for _, f := range []string{l.cfg.File, l.cfg.PipelineFile, l.cfg.LockFile} {
		if f != "" && !contains(out[0].Globs, f) && !strings.HasPrefix(f, "/") {
			out[0].Globs = append(out[0].Globs, f)
		}
	}
	return out
}

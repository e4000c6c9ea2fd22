package config

import (
	"gopkg.in/yaml.v3"
)

// topPlotKeys are the options of a top-level plot.
var topPlotKeys = []string{"x", "y", "template", "title", "x_label", "y_label"}

// artifactKeys are the fields of an artifact in dvc.yaml.
var artifactKeys = []string{"path", "type", "desc", "labels", "meta"}

// readTop reads the top-level metrics, params, plots and artifacts of
// dvc.yaml, which may use ${...} like stages do.
func (p *pipeline) readTop(top fields) {
	r := &resolver{d: p.d, scope: p.scope.values, parsing: p.parsing}
	resolve := func(name string) *yaml.Node {
		n := top.val(name)
		if n == nil {
			return nil
		}
		rn, ok := r.node(n, "", name, 0)
		if !ok {
			return nil
		}
		return rn
	}
	if n := resolve("metrics"); n != nil {
		p.metrics = p.deps(n, p.dir, "metrics")
	}
	if n := resolve("params"); n != nil {
		p.paramsFiles = p.deps(n, p.dir, "params")
	}
	if n := resolve("plots"); n != nil {
		p.plots = p.topPlots(n)
	}
	if n := resolve("artifacts"); n != nil {
		p.artifacts = p.readArtifacts(n)
	}
}

// topPlots decodes top-level plots: a path, or an ID with options whose y
// (and x) may map data files to their columns.
func (p *pipeline) topPlots(n *yaml.Node) []Plot {
	items, _ := p.d.list(n, "plots")
	var out []Plot
	for i, item := range items {
		at := index("plots", i)
		name, opts, ok := p.entryOf(item, at)
		if !ok {
			continue
		}
		pl := Plot{Path: name, Cache: true, Pos: p.d.pos(deref(item))}
		fs, _ := p.d.fields(opts, at, topPlotKeys...)
		p.plotAxes(&pl, fs, at)
		p.plotOptions(&pl, fs, at)
		if pl.YFiles == nil {
			pl.Path = p.join(p.dir, name)
		}
		out = append(out, pl)
	}
	return out
}

// plotAxes decodes x and y of a top-level plot.
func (p *pipeline) plotAxes(pl *Plot, fs fields, at string) {
	if y := deref(fs.val("y")); y != nil && y.Kind == yaml.MappingNode {
		pl.YFiles = map[string][]string{}
		ps, _ := p.d.pairs(y, key(at, "y"))
		for _, f := range ps {
			cols, _ := p.d.strs(f.val, key(key(at, "y"), f.name))
			pl.YFiles[p.join(p.dir, f.name)] = cols
		}
	} else if y != nil && !isNull(y) {
		pl.Y, _ = p.d.strs(y, key(at, "y"))
	}
	if x := deref(fs.val("x")); x != nil && x.Kind == yaml.MappingNode {
		pl.XFiles = map[string]string{}
		ps, _ := p.d.pairs(x, key(at, "x"))
		for _, f := range ps {
			col, _ := p.d.str(f.val, key(key(at, "x"), f.name))
			pl.XFiles[p.join(p.dir, f.name)] = col
		}
	} else if x != nil && !isNull(x) {
		pl.X, _ = p.d.str(x, key(at, "x"))
	}
}

// readArtifacts decodes the artifacts of dvc.yaml of type model (or of no
// type) as models.
func (p *pipeline) readArtifacts(n *yaml.Node) []*Model {
	ps, _ := p.d.pairs(n, "artifacts")
	var out []*Model
	for _, a := range ps {
		at := key("artifacts", a.name)
		fs, ok := p.d.fields(a.val, at, artifactKeys...)
		if !ok || !p.d.require(a.key, fs, at, "path") {
			continue
		}
		m := &Model{Name: a.name, Type: "model", Threshold: DefaultThreshold, Pos: p.d.pos(a.key)}
		m.Promote = defaultPromote(m.Pos)
		if s, ok := p.d.nonEmpty(fs.val("path"), key(at, "path")); ok {
			m.Path = p.join(p.dir, s)
		}
		if v := fs.val("type"); v != nil && !isNull(v) {
			m.Type, _ = p.d.str(v, key(at, "type"))
		}
		if m.Type != "model" {
			continue // data sets and other artifacts are not models
		}
		out = append(out, m)
	}
	return out
}

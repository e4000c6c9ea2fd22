package config

import (
	"errors"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// mlciKeys are the top-level keys of mlci.yaml.
var mlciKeys = []string{"pipeline", "stages", "vars", "changes", "tests", "models", "data",
	"triggers", "report", "remote", "platform", "runs_on"}

// Keys of the sections of mlci.yaml.
var (
	testKeys  = []string{"name", "cmd", "timeout"}
	modelKeys = []string{"path", "metrics", "predictions", "threshold", "positive_class",
		"gates", "promote", "serve"}
	gateKeys = []string{"metric", "higher_is_better", "min", "max", "max_drop", "max_rise",
		"max_drop_pct", "max_rise_pct", "min_improvement", "significance", "margin", "slice_by",
		"min_slice_size", "severity"}
	gateRules = []string{"min", "max", "max_drop", "max_rise", "max_drop_pct", "max_rise_pct",
		"min_improvement", "significance"}
	ruleKeys  = []string{"on", "after_runs", "after", "approvers"}
	serveKeys = []string{"cmd", "ready", "ready_timeout", "method", "path", "body", "rows",
		"answer", "tolerance", "requests", "duration", "concurrency", "gates"}
	dataKeys        = []string{"path", "format", "label", "id", "schema", "drift"}
	driftKeys       = []string{"share", "severity", "columns"}
	driftColumnKeys = []string{"test", "threshold", "ignore"}
	triggerKeys     = []string{"data", "drift", "max_age", "metric"}
	metricTrigKeys  = []string{"file", "cmd", "metric", "min", "max"}
	reportKeys      = []string{"precision", "template", "key"}
	remoteKeys      = []string{"url", "endpoint", "region"}
	platformKeys    = []string{"command_permissions"}
)

// Allowed values.
var (
	severities = []string{"error", "warning"}
	promoteOn  = []string{"merge", "approval", "manual"}
	formats    = []string{"csv", "tsv", "jsonl", "parquet"}
	// driftTests are the tests internal/datacheck runs (which imports this
	// package, so it cannot give the list).
	driftTests  = []string{"ks", "wasserstein", "psi", "chisquare", "jensenshannon", "linf"}
	httpMethods = []string{"GET", "POST", "PUT"}
	permissions = []string{"read", "triage", "write", "maintain", "admin",
		"guest", "reporter", "developer", "maintainer", "owner"}
)

// readMLCI decodes mlci's own sections into cfg.
func (l *loader) readMLCI(d *decoder, top fields) {
	if v := top.val("changes"); v != nil {
		l.userChanges = d.changes(v)
	}
	if v := top.val("tests"); v != nil {
		l.cfg.Tests = d.tests(v)
	}
	if top.has("models") {
		l.cfg.Models = d.models(top.val("models"))
		l.hasModels = true
	}
	if v := top.val("data"); v != nil {
		l.cfg.Data = d.dataSets(v)
	}
	if v := top.val("triggers"); v != nil {
		l.cfg.Triggers = d.triggers(v)
	}
	if v := top.val("report"); v != nil {
		l.cfg.Report = d.report(v)
	}
	if v := top.val("remote"); v != nil {
		l.cfg.Remote = d.remote(v)
	}
	if v := top.val("runs_on"); v != nil {
		d.runsOn(v, l.cfg.Stages)
	}
	if v := top.val("platform"); v != nil {
		fs, _ := d.fields(v, "platform", platformKeys...)
		if v := fs.val("command_permissions"); v != nil {
			l.cfg.Platform.CommandPermissions = d.enumList(v, "platform.command_permissions",
				"permission", permissions)
		}
	}
}

// enumList decodes a list of strings from a fixed set.
func (d *decoder) enumList(n *yaml.Node, at, what string, allowed []string) []string {
	list, ok := d.strs(n, at)
	if !ok {
		return nil
	}
	for i, s := range list {
		if !contains(allowed, s) {
			d.errorf(itemNode(n, i), at, "%s", unknownValue(what, s, allowed))
		}
	}
	return list
}

// itemNode returns the i-th item of a list node, or the node itself for a
// single value.
func itemNode(n *yaml.Node, i int) *yaml.Node {
	n = deref(n)
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

// changes decodes the change classes mlci.yaml sets, in its order.
func (d *decoder) changes(n *yaml.Node) []ChangeClass {
	ps, _ := d.pairs(n, "changes")
	var out []ChangeClass
	for _, p := range ps {
		at := key("changes", p.name)
		if !contains(Classes, p.name) {
			d.errorf(p.key, "changes", "%s", unknownValue("change class", p.name, Classes))
			continue
		}
		var globs []string
		if !isNull(p.val) {
			globs, _ = d.strs(p.val, at)
		}
		for i, g := range globs {
			if _, err := path.Match(g, ""); errors.Is(err, path.ErrBadPattern) || g == "" {
				d.errorf(itemNode(p.val, i), at, "%q is not a valid glob", g)
			}
		}
		out = append(out, ChangeClass{Name: p.name, Globs: globs})
	}
	return out
}

// tests decodes the pipeline tests.
func (d *decoder) tests(n *yaml.Node) []Test {
	items, _ := d.list(n, "tests")
	var out []Test
	names := map[string]bool{}
	for i, item := range items {
		at := index("tests", i)
		fs, ok := d.fields(item, at, testKeys...)
		if !ok || !d.require(item, fs, at, "name", "cmd") {
			continue
		}
		t := Test{Pos: d.pos(deref(item))}
		t.Name, _ = d.nonEmpty(fs.val("name"), key(at, "name"))
		t.Cmd, _ = d.nonEmpty(fs.val("cmd"), key(at, "cmd"))
		if v := fs.val("timeout"); v != nil {
			t.Timeout, _ = d.duration(v, key(at, "timeout"))
		}
		if names[t.Name] {
			d.errorf(fs.val("name"), key(at, "name"), "test %q is named twice", t.Name)
		}
		names[t.Name] = true
		out = append(out, t)
	}
	return out
}

// models decodes the models in file order.
func (d *decoder) models(n *yaml.Node) []*Model {
	ps, _ := d.pairs(n, "models")
	var out []*Model
	for _, p := range ps {
		if m := d.model(p); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func (d *decoder) model(p field) *Model {
	at := key("models", p.name)
	fs, ok := d.fields(p.val, at, modelKeys...)
	if !ok || !d.require(p.key, fs, at, "path") {
		return nil
	}
	m := &Model{Name: p.name, Type: "model", Pos: d.pos(p.key)}
	m.Path, _ = d.nonEmpty(fs.val("path"), key(at, "path"))
	if v := fs.val("metrics"); v != nil {
		m.Metrics, _ = d.strs(v, key(at, "metrics"))
	}
	if v := fs.val("predictions"); v != nil {
		m.Predictions, _ = d.nonEmpty(v, key(at, "predictions"))
	}
	m.Threshold = d.threshold(fs.val("threshold"), key(at, "threshold"), m.Predictions != "")
	if v := fs.val("positive_class"); v != nil {
		m.PositiveClass, _ = d.nonEmpty(v, key(at, "positive_class"))
		if m.Predictions == "" {
			d.errorf(v, key(at, "positive_class"), "positive_class needs the model's "+
				"predictions file (set predictions: beside it)")
		}
	}
	if v := fs.val("gates"); v != nil {
		m.Gates = d.gates(v, key(at, "gates"), m.Predictions != "")
	}
	m.Promote = d.promote(fs.val("promote"), key(at, "promote"))
	if v := fs.val("serve"); v != nil {
		m.Serve = d.serve(v, key(at, "serve"))
	}
	return m
}

// threshold decodes a model's decision threshold: a score in the predictions
// file at or above it predicts class 1. It is DefaultThreshold when absent.
func (d *decoder) threshold(n *yaml.Node, at string, withPredictions bool) float64 {
	if n == nil {
		return DefaultThreshold
	}
	if !withPredictions {
		d.errorf(n, at, "threshold needs the model's predictions file "+
			"(set predictions: beside it)")
	}
	t, ok := d.float(n, at)
	if ok && (t <= 0 || t >= 1) {
		d.errorf(n, at, "expected a score between 0 and 1, got %v", t)
	}
	return t
}

// gates decodes a list of gates. withPredictions says whether rules that
// need the predictions file (significance, slices) can be computed.
func (d *decoder) gates(n *yaml.Node, at string, withPredictions bool) []Gate {
	items, _ := d.list(n, at)
	var out []Gate
	for i, item := range items {
		if g, ok := d.gate(item, index(at, i), withPredictions); ok {
			out = append(out, g)
		}
	}
	return out
}

func (d *decoder) gate(n *yaml.Node, at string, withPredictions bool) (Gate, bool) {
	fs, ok := d.fields(n, at, gateKeys...)
	if !ok || !d.require(n, fs, at, "metric") {
		return Gate{}, false
	}
	g := Gate{Severity: "error", Pos: d.pos(deref(n))}
	g.Metric, _ = d.nonEmpty(fs.val("metric"), key(at, "metric"))
	if v := fs.val("higher_is_better"); v != nil && !isNull(v) {
		if b, ok := d.bool(v, key(at, "higher_is_better")); ok {
			g.HigherIsBetter = &b
		}
	}
	d.gateBounds(&g, fs, at)
	if v := fs.val("slice_by"); v != nil {
		g.SliceBy, _ = d.nonEmpty(v, key(at, "slice_by"))
	}
	if v := fs.val("min_slice_size"); v != nil {
		g.MinSliceSize, _ = d.count(v, key(at, "min_slice_size"))
	}
	if v := fs.val("severity"); v != nil {
		g.Severity, _ = d.oneOf(v, key(at, "severity"), severities...)
	}
	d.checkGate(&g, n, fs, at, withPredictions)
	return g, true
}

// gateBounds decodes a gate's numeric rules.
func (d *decoder) gateBounds(g *Gate, fs fields, at string) {
	num := func(k string, nonNegative bool) *float64 {
		v := d.floatPtr(fs.val(k), key(at, k))
		if v != nil && nonNegative && *v < 0 {
			d.errorf(fs.val(k), key(at, k), "expected 0 or more, got %v", *v)
		}
		return v
	}
	g.Min, g.Max = num("min", false), num("max", false)
	g.MaxDrop, g.MaxRise = num("max_drop", true), num("max_rise", true)
	g.MaxDropPct, g.MaxRisePct = num("max_drop_pct", true), num("max_rise_pct", true)
	g.MinImprovement = num("min_improvement", false)
	g.Significance, g.Margin = num("significance", false), num("margin", true)
	if s := g.Significance; s != nil && (*s <= 0 || *s >= 1) {
		d.errorf(fs.val("significance"), key(at, "significance"),
			"expected a level between 0 and 1 (0.05 for 95%% confidence), got %v", *s)
	}
}

// checkGate checks that a gate has a rule and that its rules agree.
func (d *decoder) checkGate(g *Gate, n *yaml.Node, fs fields, at string, withPredictions bool) {
	hasRule := false
	for _, k := range gateRules {
		hasRule = hasRule || fs.has(k)
	}
	if !hasRule {
		d.errorf(n, at, "gate on %q has no rule; set one of %s", g.Metric,
			strings.Join(gateRules, ", "))
	}
	if g.Min != nil && g.Max != nil && *g.Min > *g.Max {
		d.errorf(fs.val("min"), key(at, "min"), "min %v is above max %v: no value can pass",
			*g.Min, *g.Max)
	}
	if g.Margin != nil && g.Significance == nil {
		d.errorf(fs.val("margin"), key(at, "margin"), "margin needs significance")
	}
	if fs.has("min_slice_size") && g.SliceBy == "" {
		d.errorf(fs.val("min_slice_size"), key(at, "min_slice_size"),
			"min_slice_size needs slice_by")
	}
	if g.SliceBy != "" && g.MinSliceSize == 0 {
		g.MinSliceSize = DefaultMinSliceSize
	}
	for _, k := range []string{"significance", "slice_by"} {
		if fs.has(k) && !withPredictions {
			d.errorf(fs.val(k), key(at, k), "%s needs the model's predictions file "+
				"(set predictions: beside metrics)", k)
		}
	}
}

// defaultPromote is the promotion policy of a model that sets none.
func defaultPromote(pos Pos) Promote {
	p := Promote{Stages: append([]string(nil), DefaultPromoteStages...),
		Rules: map[string]PromoteRule{}}
	for i, s := range p.Stages {
		p.Rules[s] = PromoteRule{On: defaultOn(i), Pos: pos}
	}
	return p
}

// promote decodes a promotion policy: the stages in order, then a rule per
// stage. A stage without a rule takes the default: merge for the first,
// approval for the others.
func (d *decoder) promote(n *yaml.Node, at string) Promote {
	p := Promote{Stages: append([]string(nil), DefaultPromoteStages...),
		Rules: map[string]PromoteRule{}}
	ps, _ := d.pairs(n, at)
	for _, f := range ps {
		if f.name == "stages" {
			p.Stages = d.promoteStages(f.val, key(at, "stages"))
		}
	}
	for _, f := range ps {
		if f.name == "stages" {
			continue
		}
		if !contains(p.Stages, f.name) {
			d.errorf(f.key, at, "%s", unknownKey(f.name, append([]string{"stages"}, p.Stages...)))
			continue
		}
		p.Rules[f.name] = d.rule(f, key(at, f.name))
	}
	for i, s := range p.Stages {
		if _, ok := p.Rules[s]; !ok {
			p.Rules[s] = PromoteRule{On: defaultOn(i), Pos: d.pos(n)}
		}
	}
	return p
}

func defaultOn(i int) string {
	if i == 0 {
		return "merge"
	}
	return "approval"
}

// promoteStages decodes the names of the promotion stages.
func (d *decoder) promoteStages(n *yaml.Node, at string) []string {
	list, ok := d.strs(n, at)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	for i, s := range list {
		if s == "" || strings.ContainsAny(s, "#@ \t/") {
			d.errorf(itemNode(n, i), at, "invalid stage name %q: it may not be empty "+
				"nor hold # @ / or spaces", s)
		}
		if seen[s] {
			d.errorf(itemNode(n, i), at, "stage %q is named twice", s)
		}
		seen[s] = true
	}
	if len(list) == 0 {
		d.errorf(n, at, "expected at least one stage")
	}
	return list
}

// rule decodes when a version may enter one stage.
func (d *decoder) rule(f field, at string) PromoteRule {
	fs, _ := d.fields(f.val, at, ruleKeys...)
	r := PromoteRule{On: "approval", Pos: d.pos(f.key)}
	if v := fs.val("on"); v != nil {
		r.On, _ = d.oneOf(v, key(at, "on"), promoteOn...)
	}
	if v := fs.val("after_runs"); v != nil {
		r.AfterRuns, _ = d.count(v, key(at, "after_runs"))
	}
	if v := fs.val("after"); v != nil {
		r.After, _ = d.duration(v, key(at, "after"))
	}
	if v := fs.val("approvers"); v != nil {
		r.Approvers = d.enumList(v, key(at, "approvers"), "permission", permissions)
	}
	return r
}

// serve decodes how to start and query a model's prediction service.
func (d *decoder) serve(n *yaml.Node, at string) *Serve {
	fs, ok := d.fields(n, at, serveKeys...)
	if !ok || !d.require(n, fs, at, "cmd") {
		return nil
	}
	s := &Serve{Method: "POST", Path: "/", ReadyTimeout: DefaultReadyTimeout, Concurrency: 1,
		Pos: d.pos(deref(n))}
	strs := map[string]*string{"cmd": &s.Cmd, "ready": &s.Ready, "path": &s.Path,
		"body": &s.Body, "rows": &s.Rows, "answer": &s.Answer}
	for _, k := range sortedKeys(strs) {
		if v := fs.val(k); v != nil {
			*strs[k], _ = d.str(v, key(at, k))
		}
	}
	if v := fs.val("method"); v != nil {
		s.Method, _ = d.oneOf(v, key(at, "method"), httpMethods...)
	}
	d.serveLoad(s, fs, at)
	if v := fs.val("gates"); v != nil {
		s.Gates = d.gates(v, key(at, "gates"), false)
	}
	return s
}

// serveLoad decodes the timing and load of a serving check.
func (d *decoder) serveLoad(s *Serve, fs fields, at string) {
	if v := fs.val("ready_timeout"); v != nil {
		s.ReadyTimeout, _ = d.duration(v, key(at, "ready_timeout"))
	}
	if v := fs.val("duration"); v != nil {
		s.Duration, _ = d.duration(v, key(at, "duration"))
	}
	if v := fs.val("tolerance"); v != nil {
		s.Tolerance, _ = d.float(v, key(at, "tolerance"))
		if s.Tolerance < 0 {
			d.errorf(v, key(at, "tolerance"), "expected 0 or more, got %v", s.Tolerance)
		}
	}
	if v := fs.val("requests"); v != nil {
		s.Requests, _ = d.count(v, key(at, "requests"))
	}
	if v := fs.val("concurrency"); v != nil {
		if s.Concurrency, _ = d.count(v, key(at, "concurrency")); s.Concurrency == 0 {
			d.errorf(v, key(at, "concurrency"), "expected 1 or more")
		}
	}
}

// dataSets decodes the data sets: a path, or a path with options.
func (d *decoder) dataSets(n *yaml.Node) []*DataSet {
	ps, _ := d.pairs(n, "data")
	var out []*DataSet
	for _, p := range ps {
		if ds := d.dataSet(p); ds != nil {
			out = append(out, ds)
		}
	}
	return out
}

func (d *decoder) dataSet(p field) *DataSet {
	at := key("data", p.name)
	ds := &DataSet{Name: p.name, Pos: d.pos(p.key), Drift: Drift{Share: DefaultDriftShare,
		Severity: "warning"}}
	if v := deref(p.val); v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
		ds.Path, _ = d.nonEmpty(v, at)
		ds.Format = d.guessFormat(v, ds.Path, at)
		return ds
	}
	fs, ok := d.fields(p.val, at, dataKeys...)
	if !ok || !d.require(p.key, fs, at, "path") {
		return nil
	}
	ds.Path, _ = d.nonEmpty(fs.val("path"), key(at, "path"))
	strs := map[string]*string{"label": &ds.Label, "id": &ds.ID, "schema": &ds.Schema}
	for _, k := range sortedKeys(strs) {
		if v := fs.val(k); v != nil {
			*strs[k], _ = d.nonEmpty(v, key(at, k))
		}
	}
	if v := fs.val("format"); v != nil {
		ds.Format, _ = d.oneOf(v, key(at, "format"), formats...)
	} else {
		ds.Format = d.guessFormat(fs.val("path"), ds.Path, at)
	}
	if v := fs.val("drift"); v != nil {
		d.drift(&ds.Drift, v, key(at, "drift"))
	}
	return ds
}

// guessFormat returns the format a data file's extension says.
func (d *decoder) guessFormat(n *yaml.Node, p, at string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".csv":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".parquet", ".pq":
		return "parquet"
	}
	if p != "" {
		d.errorf(n, at, "cannot tell the format of %q from its extension; set format to one of %s",
			p, strings.Join(formats, ", "))
	}
	return ""
}

// drift decodes drift detection options.
func (d *decoder) drift(dr *Drift, n *yaml.Node, at string) {
	fs, _ := d.fields(n, at, driftKeys...)
	if v := fs.val("share"); v != nil {
		dr.Share, _ = d.float(v, key(at, "share"))
		if dr.Share <= 0 || dr.Share > 1 {
			d.errorf(v, key(at, "share"), "expected a share above 0 and at most 1, got %v",
				dr.Share)
		}
	}
	if v := fs.val("severity"); v != nil {
		dr.Severity, _ = d.oneOf(v, key(at, "severity"), severities...)
	}
	ps, _ := d.pairs(fs.val("columns"), key(at, "columns"))
	for _, p := range ps {
		if dr.Columns == nil {
			dr.Columns = map[string]DriftColumn{}
		}
		dr.Columns[p.name] = d.driftColumn(p, key(key(at, "columns"), p.name))
	}
}

func (d *decoder) driftColumn(p field, at string) DriftColumn {
	fs, _ := d.fields(p.val, at, driftColumnKeys...)
	c := DriftColumn{Pos: d.pos(p.key)}
	if v := fs.val("test"); v != nil {
		c.Test, _ = d.oneOf(v, key(at, "test"), driftTests...)
	}
	c.Threshold = d.floatPtr(fs.val("threshold"), key(at, "threshold"))
	if c.Threshold != nil && *c.Threshold < 0 {
		d.errorf(fs.val("threshold"), key(at, "threshold"), "expected 0 or more, got %v",
			*c.Threshold)
	}
	if v := fs.val("ignore"); v != nil {
		c.Ignore, _ = d.bool(v, key(at, "ignore"))
	}
	return c
}

// triggers decodes when continuous training retrains.
func (d *decoder) triggers(n *yaml.Node) Triggers {
	fs, _ := d.fields(n, "triggers", triggerKeys...)
	var t Triggers
	if v := fs.val("data"); v != nil {
		dfs, _ := d.fields(v, "triggers.data", "refresh")
		t.Data = &DataTrigger{}
		if r := dfs.val("refresh"); r != nil {
			t.Data.Refresh, _ = d.nonEmpty(r, "triggers.data.refresh")
		}
	}
	if v := fs.val("drift"); v != nil {
		dfs, _ := d.fields(v, "triggers.drift", "threshold")
		t.Drift = &DriftTrigger{Threshold: DefaultDriftShare}
		if r := dfs.val("threshold"); r != nil {
			t.Drift.Threshold, _ = d.float(r, "triggers.drift.threshold")
		}
	}
	if v := fs.val("max_age"); v != nil {
		t.MaxAge, _ = d.duration(v, "triggers.max_age")
	}
	if v := fs.val("metric"); v != nil {
		t.Metric = d.metricTrigger(v, "triggers.metric")
	}
	return t
}

func (d *decoder) metricTrigger(n *yaml.Node, at string) *MetricTrigger {
	fs, ok := d.fields(n, at, metricTrigKeys...)
	if !ok || !d.require(n, fs, at, "metric") {
		return nil
	}
	m := &MetricTrigger{Pos: d.pos(deref(n))}
	m.Metric, _ = d.nonEmpty(fs.val("metric"), key(at, "metric"))
	if v := fs.val("file"); v != nil {
		m.File, _ = d.nonEmpty(v, key(at, "file"))
	}
	if v := fs.val("cmd"); v != nil {
		m.Cmd, _ = d.nonEmpty(v, key(at, "cmd"))
	}
	m.Min = d.floatPtr(fs.val("min"), key(at, "min"))
	m.Max = d.floatPtr(fs.val("max"), key(at, "max"))
	switch {
	case m.File == "" && m.Cmd == "":
		d.errorf(n, at, "set file (a metrics file) or cmd (a command printing metrics as JSON)")
	case m.Min == nil && m.Max == nil:
		d.errorf(n, at, "set min or max: the bound below or above which to retrain")
	case m.Min != nil && m.Max != nil && *m.Min > *m.Max:
		d.errorf(fs.val("min"), key(at, "min"), "min %v is above max %v", *m.Min, *m.Max)
	}
	return m
}

// report decodes the report's options.
func (d *decoder) report(n *yaml.Node) ReportOptions {
	fs, _ := d.fields(n, "report", reportKeys...)
	r := ReportOptions{Precision: DefaultPrecision}
	if v := fs.val("precision"); v != nil {
		r.Precision, _ = d.count(v, "report.precision")
		if r.Precision > 12 {
			d.errorf(v, "report.precision", "expected at most 12 decimals, got %d", r.Precision)
		}
	}
	if v := fs.val("template"); v != nil {
		r.Template, _ = d.nonEmpty(v, "report.template")
	}
	if v := fs.val("key"); v != nil {
		r.Key, _ = d.nonEmpty(v, "report.key")
	}
	return r
}

// remote decodes the shared cache: a URL, or a URL with its endpoint and
// region.
func (d *decoder) remote(n *yaml.Node) Remote {
	if v := deref(n); v != nil && v.Kind == yaml.ScalarNode {
		url, _ := d.nonEmpty(v, "remote")
		return Remote{URL: url}
	}
	fs, ok := d.fields(n, "remote", remoteKeys...)
	if !ok || !d.require(n, fs, "remote", "url") {
		return Remote{}
	}
	var r Remote
	r.URL, _ = d.nonEmpty(fs.val("url"), "remote.url")
	if v := fs.val("endpoint"); v != nil {
		r.Endpoint, _ = d.nonEmpty(v, "remote.endpoint")
	}
	if v := fs.val("region"); v != nil {
		r.Region, _ = d.nonEmpty(v, "remote.region")
	}
	return r
}

// runsOn decodes the runner labels mlci.yaml gives stages (stage name to
// labels) into stages. A stage written with foreach or matrix is named by
// its base name for all its instances, or by an instance's full name, which
// wins. It is how a repository whose dvc.yaml DVC also reads, and so may
// not hold runs_on, labels its stages.
func (d *decoder) runsOn(n *yaml.Node, stages []*Stage) {
	ps, _ := d.pairs(n, "runs_on")
	var names []string
	own := map[*Stage]bool{}
	for _, s := range stages {
		names = append(names, s.Name)
		own[s] = len(s.RunsOn) > 0
	}

	exact := map[*Stage]bool{}
	for _, p := range ps {
		at := key("runs_on", p.name)
		labels, ok := d.strs(p.val, at)
		if !ok {
			continue
		}
		matched := false
		for _, s := range stages {
			isExact := s.Name == p.name
			if !isExact && baseName(s.Name) != p.name {
				continue
			}
			matched = true
			switch {
			case own[s]:
				d.errorf(p.key, at, "stage %s has runs_on in its own definition (%s); "+
					"set it in one place", s.Name, s.Pos)
			case isExact || !exact[s]:
				s.RunsOn, exact[s] = labels, isExact
			}
		}
		if !matched {
			d.errorf(p.key, at, "%s", unknownValue("stage", p.name, names))
		}
	}
}

// baseName is the name of a foreach or matrix stage without its instance
// ("train" of "train@small").
func baseName(name string) string {
	base, _, _ := strings.Cut(name, "@")
	return base
}

package metrics

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
)

// The plot templates mlci draws, named as dvc.yaml names them.
const (
	Linear    = "linear"
	Simple    = "simple"
	Scatter   = "scatter"
	Smooth    = "smooth"
	Confusion = "confusion"
	// ConfusionNormalized is the confusion template with rows summing to one.
	ConfusionNormalized = "confusion_normalized"
)

// Plot is a plots file read into what a chart draws.
type Plot struct {
	Path     string `json:"path"`
	Title    string `json:"title"`
	Template string `json:"template"`
	XLabel   string `json:"x_label"`
	YLabel   string `json:"y_label"`
	// Series are the lines or point sets, one per y field.
	Series []Series `json:"series,omitempty"`
	// Confusion is the matrix of the confusion templates, else nil.
	Confusion *ConfusionMatrix `json:"confusion,omitempty"`
}

// Series is one line or set of points.
type Series struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
}

// ConfusionMatrix counts examples by actual class (rows) and predicted class
// (columns), the labels sorted as numbers when they all are, else as text.
type ConfusionMatrix struct {
	Labels []string `json:"labels"`
	Counts [][]int  `json:"counts"`
}

// ReadPlot reads a plots file as cfg declares it. Files are CSV, TSV, JSON or
// YAML; JSON and YAML hold a list of records or an object with one such list.
// The x field defaults to each record's index (named "step"), the y fields to
// the last field that is not x. The confusion templates take x as the actual
// class and the first y as the predicted one.
func ReadPlot(cfg config.Plot, data []byte) (*Plot, error) {
	t, err := readRecords(cfg.Path, data)
	if err != nil {
		return nil, err
	}
	p := &Plot{Path: cfg.Path, Title: cfg.Title, Template: cfg.Template,
		XLabel: cfg.XLabel, YLabel: cfg.YLabel}
	if p.Template == "" {
		p.Template = Linear
	}
	if p.Title == "" {
		p.Title = cfg.Path
	}

	x, ys, err := plotFields(cfg, t)
	if err != nil {
		return nil, err
	}
	if p.XLabel == "" {
		p.XLabel = x
	}
	if p.YLabel == "" {
		p.YLabel = strings.Join(ys, ", ")
	}

	if strings.HasPrefix(p.Template, Confusion) {
		p.Confusion = confusion(t, t.column(x), t.column(ys[0]))
		return p, nil
	}
	for _, y := range ys {
		s, err := series(cfg.Path, t, x, y)
		if err != nil {
			return nil, err
		}
		p.Series = append(p.Series, s)
	}
	return p, nil
}

// step is the x field of a plot that names none: the record's index.
const step = "step"

func plotFields(cfg config.Plot, t *table) (x string, ys []string, err error) {
	x, ys = cfg.X, cfg.Y
	if x == "" {
		x = step
	}
	if len(ys) == 0 {
		for i := len(t.header) - 1; i >= 0 && len(ys) == 0; i-- {
			if t.header[i] != x {
				ys = []string{t.header[i]}
			}
		}
	}
	if len(ys) == 0 {
		return "", nil, &FormatError{File: cfg.Path, Msg: "no field to plot"}
	}
	for _, f := range append([]string{x}, ys...) {
		if t.column(f) < 0 && !(f == step && cfg.X == "") {
			return "", nil, &FormatError{File: cfg.Path, Line: 1, Msg: fmt.Sprintf(
				"no field %q (fields: %s)", f, strings.Join(t.header, ", "))}
		}
	}
	return x, ys, nil
}

func series(path string, t *table, x, y string) (Series, error) {
	s := Series{Name: y, X: make([]float64, len(t.rows)), Y: make([]float64, len(t.rows))}
	xi, yi := t.column(x), t.column(y)
	for r, row := range t.rows {
		s.X[r] = float64(r)
		if xi >= 0 {
			v, err := plotNumber(path, t, r, x, row[xi])
			if err != nil {
				return Series{}, err
			}
			s.X[r] = v
		}
		v, err := plotNumber(path, t, r, y, row[yi])
		if err != nil {
			return Series{}, err
		}
		s.Y[r] = v
	}
	return s, nil
}

func plotNumber(path string, t *table, r int, field, cell string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(cell), 64)
	if err == nil {
		return v, nil
	}
	msg := fmt.Sprintf("%s: %q is not a number", field, cell)
	if t.lines[r] == 0 {
		msg = fmt.Sprintf("record %d: %s", r+1, msg)
	}
	return 0, &FormatError{File: path, Line: t.lines[r], Msg: msg}
}

func confusion(t *table, actual, predicted int) *ConfusionMatrix {
	index := map[string]int{}
	var labels []string
	for _, row := range t.rows {
		for _, v := range []string{row[actual], row[predicted]} {
			if _, ok := index[v]; !ok {
				index[v] = 0
				labels = append(labels, v)
			}
		}
	}
	sortLabels(labels)
	for i, l := range labels {
		index[l] = i
	}

	counts := make([][]int, len(labels))
	for i := range counts {
		counts[i] = make([]int, len(labels))
	}
	for _, row := range t.rows {
		counts[index[row[actual]]][index[row[predicted]]]++
	}
	return &ConfusionMatrix{Labels: labels, Counts: counts}
}

// sortLabels sorts class labels as numbers when all of them are, else as text.
func sortLabels(labels []string) {
	nums := make(map[string]float64, len(labels))
	for _, l := range labels {
		f, err := strconv.ParseFloat(l, 64)
		if err != nil {
			slices.Sort(labels)
			return
		}
		nums[l] = f
	}
	slices.SortFunc(labels, func(a, b string) int { return cmpFloat(nums[a], nums[b]) })
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readRecords reads a plots file into a table of text cells.
func readRecords(path string, data []byte) (*table, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".tsv":
		return readTable(path, data, ext == ".tsv")
	}
	tree, err := parseTree(path, data)
	if err != nil {
		return nil, err
	}
	list, ok := recordList(tree)
	if !ok {
		return nil, &FormatError{File: path,
			Msg: "expected a list of records, or an object holding one list of records"}
	}
	return recordsTable(path, list)
}

// recordList finds the records: the document itself, or its one list value.
func recordList(tree any) ([]any, bool) {
	if list, ok := tree.([]any); ok {
		return list, true
	}
	m, ok := tree.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, false
	}
	for _, v := range m {
		list, ok := v.([]any)
		return list, ok
	}
	return nil, false
}

func recordsTable(path string, list []any) (*table, error) {
	t := &table{}
	for i, item := range list {
		rec, ok := item.(map[string]any)
		if !ok {
			return nil, &FormatError{File: path,
				Msg: fmt.Sprintf("record %d is not an object of fields", i+1)}
		}
		for k := range rec {
			if t.column(k) < 0 {
				t.header = append(t.header, k)
			}
		}
	}
	slices.Sort(t.header)
	for _, item := range list {
		rec := item.(map[string]any)
		row := make([]string, len(t.header))
		for c, h := range t.header {
			row[c] = cellText(rec[h])
		}
		t.rows = append(t.rows, row)
		t.lines = append(t.lines, 0)
	}
	return t, nil
}

func cellText(v any) string {
	if f, ok := number(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Merge draws several plots as one: the files of one plot, or the baseline's
// and the candidate's versions of it. names[i] labels plots[i]; each series is
// named "name: series". The first plot gives the title, template and labels;
// a confusion matrix is kept from the first plot that has one.
func Merge(names []string, plots []*Plot) *Plot {
	if len(plots) == 0 {
		return nil
	}
	out := *plots[0]
	out.Series = nil
	for i, p := range plots {
		for _, s := range p.Series {
			s.Name = names[i] + ": " + s.Name
			out.Series = append(out.Series, s)
		}
		if out.Confusion == nil {
			out.Confusion = p.Confusion
		}
	}
	return &out
}

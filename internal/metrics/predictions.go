package metrics

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/stats"
)

// Predictions are a model's per-example predictions on its test set: a CSV
// or TSV file with an id and a label column and a score (the probability of
// the positive class), a prediction (a class, or a regression's value), or
// both.
type Predictions struct {
	File string
	IDs  []string
	// Label are the labels; with Classes, each is a class's index in it.
	Label []float64
	// Classes name the classes in order when labels are text ("setosa"),
	// and are nil when labels are numbers. Labels and predictions are then
	// indexes into Classes.
	Classes []string
	// Score is nil when the file has no score column.
	Score []float64
	// Prediction is nil when the file has no prediction column.
	Prediction []float64
	// Columns hold every column as text by header name, for slices.
	Columns map[string][]string
	// Lines are each example's line in the file.
	Lines []int
}

// The columns predictions are read from, with the other names they go by.
var (
	idColumns         = []string{"id", "example_id", "row_id"}
	labelColumns      = []string{"label", "y_true", "target", "actual"}
	scoreColumns      = []string{"score", "probability", "proba", "y_score"}
	predictionColumns = []string{"prediction", "predicted", "y_pred", "pred"}
)

// ReadPredictions reads a predictions file. Scores must be numbers. Labels
// and predictions are numbers, or classes named by text in both columns
// (see Predictions.Classes). Ids must be unique.
func ReadPredictions(path string, data []byte) (*Predictions, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".tsv" {
		return nil, &FormatError{File: path, Msg: "predictions must be a .csv or .tsv file"}
	}
	t, err := readTable(path, data, ext == ".tsv")
	if err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, &FormatError{File: path, Line: 1, Msg: "no predictions under the header"}
	}

	p := &Predictions{File: path, Lines: t.lines, Columns: map[string][]string{}}
	for c, name := range t.header {
		col := make([]string, len(t.rows))
		for r, row := range t.rows {
			col[r] = strings.TrimSpace(row[c])
		}
		p.Columns[name] = col
	}
	if err := p.readColumns(t); err != nil {
		return nil, err
	}
	return p, p.checkIDs()
}

func (p *Predictions) readColumns(t *table) error {
	id, label := findColumn(t, idColumns), findColumn(t, labelColumns)
	score, pred := findColumn(t, scoreColumns), findColumn(t, predictionColumns)
	switch {
	case id == "" || label == "":
		return &FormatError{File: p.File, Line: 1, Msg: fmt.Sprintf(
			"expected an id and a label column (columns: %s)", strings.Join(t.header, ", "))}
	case score == "" && pred == "":
		return &FormatError{File: p.File, Line: 1, Msg: fmt.Sprintf(
			"expected a score or a prediction column (columns: %s)", strings.Join(t.header, ", "))}
	}

	var err error
	p.IDs = p.Columns[id]
	if score != "" {
		if p.Score, err = p.numbers(score); err != nil {
			return err
		}
	}
	if p.textClasses(label) {
		return p.readClasses(label, pred)
	}
	if p.Label, err = p.numbers(label); err != nil {
		return err
	}
	if pred != "" {
		p.Prediction, err = p.numbers(pred)
	}
	return err
}

// textClasses reports whether the label column names its classes by text:
// no cell of it is a number. A column of numbers with a stray word in it is
// read as numbers, and the word is an error.
func (p *Predictions) textClasses(label string) bool {
	for _, c := range p.Columns[label] {
		if _, err := strconv.ParseFloat(c, 64); err == nil {
			return false
		}
	}
	return true
}

// readClasses reads text labels and predictions as indexes into Classes,
// the sorted names found in either column.
func (p *Predictions) readClasses(label, pred string) error {
	cols := []string{label}
	if pred != "" {
		cols = append(cols, pred)
	}
	seen := map[string]bool{}
	for _, col := range cols {
		for i, c := range p.Columns[col] {
			if c == "" {
				return &FormatError{File: p.File, Line: p.Lines[i],
					Msg: fmt.Sprintf("%s: empty, where a class was expected", col)}
			}
			seen[c] = true
		}
	}
	p.Classes = slices.Sorted(maps.Keys(seen))
	p.Label = p.codes(p.Columns[label])
	if pred != "" {
		p.Prediction = p.codes(p.Columns[pred])
	}
	return nil
}

// codes returns each class name's index in p.Classes.
func (p *Predictions) codes(names []string) []float64 {
	out := make([]float64, len(names))
	for i, n := range names {
		j, _ := slices.BinarySearch(p.Classes, n)
		out[i] = float64(j)
	}
	return out
}

// Binary returns p with labels and predictions 1 for the class named
// positive and 0 for every other, for the metrics of two classes. p's
// classes must be named by text.
func (p *Predictions) Binary(positive string) (*Predictions, error) {
	k, found := slices.BinarySearch(p.Classes, positive)
	if !found {
		named := p.Classes[:min(len(p.Classes), 5)]
		return nil, fmt.Errorf("%s: positive_class %q is not one of its classes (%s)", p.File,
			positive, strings.Join(named, ", "))
	}
	binary := func(v float64) float64 {
		if int(v) == k {
			return 1
		}
		return 0
	}
	out := *p
	out.Classes = nil
	out.Label, out.Prediction = mapColumn(p.Label, binary), mapColumn(p.Prediction, binary)
	return &out, nil
}

// mapColumn returns f of each value of col; nil for a column the file does
// not have.
func mapColumn(col []float64, f func(float64) float64) []float64 {
	if col == nil {
		return nil
	}
	out := make([]float64, len(col))
	for i, v := range col {
		out[i] = f(v)
	}
	return out
}

// LabelText returns example i's label as written.
func (p *Predictions) LabelText(i int) string {
	if p.Classes != nil {
		return p.Classes[int(p.Label[i])]
	}
	return strconv.FormatFloat(p.Label[i], 'g', -1, 64)
}

func findColumn(t *table, names []string) string {
	for _, n := range names {
		for _, h := range t.header {
			if strings.EqualFold(h, n) {
				return h
			}
		}
	}
	return ""
}

func (p *Predictions) numbers(column string) ([]float64, error) {
	cells := p.Columns[column]
	out := make([]float64, len(cells))
	for i, c := range cells {
		v, err := strconv.ParseFloat(c, 64)
		if err != nil {
			return nil, &FormatError{File: p.File, Line: p.Lines[i],
				Msg: fmt.Sprintf("%s: %q is not a number", column, c)}
		}
		out[i] = v
	}
	return out, nil
}

func (p *Predictions) checkIDs() error {
	seen := make(map[string]int, len(p.IDs))
	for i, id := range p.IDs {
		if first, ok := seen[id]; ok {
			return &FormatError{File: p.File, Line: p.Lines[i], Msg: fmt.Sprintf(
				"id %q repeats the one on line %d", id, p.Lines[first])}
		}
		seen[id] = i
	}
	return nil
}

// Input returns the column a metric reads (see stats.Metric.Input): scores;
// regression values; or classes, from the prediction column or else, when
// the labels are 0 and 1, from the score: class 1 at or above threshold (0.5
// when threshold is not above 0).
func (p *Predictions) Input(in stats.Input, threshold float64) ([]float64, error) {
	switch {
	case in == stats.Score && p.Score == nil:
		return nil, fmt.Errorf("%s: no score column", p.File)
	case in == stats.Score:
		return p.Score, nil
	case p.Prediction != nil:
		return p.Prediction, nil
	case in == stats.Value:
		return nil, fmt.Errorf("%s: no prediction column", p.File)
	case p.Classes != nil:
		return nil, fmt.Errorf("%s: no prediction column, which classes named by text need",
			p.File)
	}
	for i, y := range p.Label {
		if y != 0 && y != 1 {
			return nil, fmt.Errorf("%s:%d: label %v, but a score gives classes 0 and 1 only: "+
				"write the predicted class in a prediction column", p.File, p.Lines[i], y)
		}
	}
	if threshold <= 0 {
		threshold = 0.5
	}
	classes := make([]float64, len(p.Score))
	for i, s := range p.Score {
		if s >= threshold {
			classes[i] = 1
		}
	}
	return classes, nil
}

// MismatchError says that two predictions files do not hold the same test set.
type MismatchError struct {
	Base, Head string
	Msg        string
}

// Error returns the message naming both files.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s (candidate) and %s (baseline) are not the same test set: %s",
		e.Head, e.Base, e.Msg)
}

// Pair returns the examples base and head both hold, in head's order, for a
// paired comparison when the test set grew or shrank between them (new data
// landed, say). note says how many examples were left out, "" when none.
// Examples whose labels differ, or no example in common, are a
// *MismatchError: the sets are not the same test set.
func Pair(base, head *Predictions) (b, h *Predictions, note string, err error) {
	if base, head, err = shareClasses(base, head); err != nil {
		return nil, nil, "", err
	}
	at := make(map[string]int, len(base.IDs))
	for i, id := range base.IDs {
		at[id] = i
	}
	var baseIdx, headIdx []int
	for i, id := range head.IDs {
		j, ok := at[id]
		if !ok {
			continue
		}
		if base.Label[j] != head.Label[i] {
			return nil, nil, "", &MismatchError{Base: base.File, Head: head.File,
				Msg: fmt.Sprintf("id %q has label %s on line %d but %s in the baseline (line %d)",
					id, head.LabelText(i), head.Lines[i], base.LabelText(j), base.Lines[j])}
		}
		baseIdx, headIdx = append(baseIdx, j), append(headIdx, i)
	}
	if len(headIdx) == 0 {
		return nil, nil, "", &MismatchError{Base: base.File, Head: head.File,
			Msg: "no example id is in both"}
	}

	headOnly, baseOnly := len(head.IDs)-len(headIdx), len(base.IDs)-len(baseIdx)
	if headOnly > 0 || baseOnly > 0 {
		note = fmt.Sprintf("paired on the ids both files hold (%d); the candidate has %d more, "+
			"the baseline %d more", len(headIdx), headOnly, baseOnly)
	}
	return base.reorder(baseIdx), head.reorder(headIdx), note, nil
}

// shareClasses returns base and head with one list of classes, so that a
// class has the same index in both: the union of their classes, sorted.
// Files with numeric labels are returned as they are.
func shareClasses(base, head *Predictions) (*Predictions, *Predictions, error) {
	switch {
	case base.Classes == nil && head.Classes == nil:
		return base, head, nil
	case base.Classes == nil || head.Classes == nil:
		kind := func(p *Predictions) string {
			if p.Classes == nil {
				return "numbers"
			}
			return "classes named by text"
		}
		return nil, nil, &MismatchError{Base: base.File, Head: head.File, Msg: fmt.Sprintf(
			"the candidate's labels are %s, the baseline's %s", kind(head), kind(base))}
	}
	classes := slices.Concat(base.Classes, head.Classes)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	return base.recoded(classes), head.recoded(classes), nil
}

// recoded returns p with its classes' indexes into classes, a superset of
// p.Classes.
func (p *Predictions) recoded(classes []string) *Predictions {
	if slices.Equal(p.Classes, classes) {
		return p
	}
	out := *p
	out.Classes = classes
	remap := func(v float64) float64 {
		j, _ := slices.BinarySearch(classes, p.Classes[int(v)])
		return float64(j)
	}
	out.Label, out.Prediction = mapColumn(p.Label, remap), mapColumn(p.Prediction, remap)
	return &out
}

func (base *Predictions) reorder(order []int) *Predictions {
	pick := func(col []float64) []float64 {
		if col == nil {
			return nil
		}
		out := make([]float64, len(order))
		for i, j := range order {
			out[i] = col[j]
		}
		return out
	}
	out := &Predictions{File: base.File, Label: pick(base.Label), Score: pick(base.Score),
		Prediction: pick(base.Prediction), Classes: base.Classes, Columns: map[string][]string{},
		IDs: make([]string, len(order)), Lines: make([]int, len(order))}
	for i, j := range order {
		out.IDs[i], out.Lines[i] = base.IDs[j], base.Lines[j]
	}
	for name, col := range base.Columns {
		c := make([]string, len(order))
		for i, j := range order {
			c[i] = col[j]
		}
		out.Columns[name] = c
	}
	return out
}

package metrics

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/stats"
)

// Predictions are a model's per-example predictions on its test set: a CSV
// or TSV file with an id and a label column and a score (the probability of
// the positive class), a prediction (a class, or a regression's value), or
// both.
type Predictions struct {
	File  string
	IDs   []string
	Label []float64
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

// ReadPredictions reads a predictions file. Labels, scores and predictions
// must be numbers; class labels are 0 and 1 (1 the positive class) for every
// metric but accuracy. Ids must be unique.
//
// TODO: classes named by text ("churned") need a label order shared by the
// baseline's and the candidate's files; until then labels must be numbers.
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
	if p.Label, err = p.numbers(label); err != nil {
		return err
	}
	if score != "" {
		if p.Score, err = p.numbers(score); err != nil {
			return err
		}
	}
	if pred != "" {
		p.Prediction, err = p.numbers(pred)
	}
	return err
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

// AlignTo returns base's examples in head's order, for a paired comparison.
// It fails unless both hold the same ids with the same labels.
func (base *Predictions) AlignTo(head *Predictions) (*Predictions, error) {
	mismatch := func(format string, args ...any) error {
		return &MismatchError{Base: base.File, Head: head.File, Msg: fmt.Sprintf(format, args...)}
	}
	at := make(map[string]int, len(base.IDs))
	for i, id := range base.IDs {
		at[id] = i
	}
	order := make([]int, len(head.IDs))
	for i, id := range head.IDs {
		j, ok := at[id]
		if !ok {
			return nil, mismatch("id %q on line %d is not in the baseline", id, head.Lines[i])
		}
		if base.Label[j] != head.Label[i] {
			return nil, mismatch("id %q has label %v on line %d but %v in the baseline (line %d)",
				id, head.Label[i], head.Lines[i], base.Label[j], base.Lines[j])
		}
		order[i] = j
	}
	if len(base.IDs) != len(head.IDs) {
		return nil, mismatch("the baseline has %d examples, the candidate %d",
			len(base.IDs), len(head.IDs))
	}
	return base.reorder(order), nil
}

// Pair returns the examples base and head both hold, in head's order, for a
// paired comparison when the test set grew or shrank between them (new data
// landed, say). note says how many examples were left out, "" when none.
// Examples whose labels differ, or no example in common, are a
// *MismatchError: the sets are not the same test set.
func Pair(base, head *Predictions) (b, h *Predictions, note string, err error) {
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
				Msg: fmt.Sprintf("id %q has label %v on line %d but %v in the baseline (line %d)",
					id, head.Label[i], head.Lines[i], base.Label[j], base.Lines[j])}
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
		Prediction: pick(base.Prediction), Columns: map[string][]string{},
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

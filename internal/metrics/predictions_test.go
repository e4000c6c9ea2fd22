package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/stats"
)

func TestReadPredictionsExample(t *testing.T) {
	t.Parallel()
	p, err := ReadPredictions("eval/predictions.csv", readExample(t, "eval/predictions.csv"))
	require.NoError(t, err)

	n := len(p.IDs)
	require.Positive(t, n)
	assert.Len(t, p.Label, n)
	assert.Len(t, p.Score, n)
	assert.Len(t, p.Prediction, n)
	assert.Len(t, p.Columns["region"], n)
	assert.Equal(t, 2, p.Lines[0])

	classes, err := p.Input(stats.Class, 0)
	require.NoError(t, err)
	assert.Equal(t, p.Prediction, classes)
	_, err = p.Input(stats.Value, 0)
	require.NoError(t, err)
}

func TestPredictionsInputFromScores(t *testing.T) {
	t.Parallel()
	p, err := ReadPredictions("p.csv", []byte("id,label,score\na,1,0.7\nb,0,0.2\nc,0,0.5\n"))
	require.NoError(t, err)
	classes, err := p.Input(stats.Class, 0)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0, 1}, classes)
	classes, err = p.Input(stats.Class, 0.6)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 0, 0}, classes, "a model's own threshold")
	_, err = p.Input(stats.Value, 0)
	require.EqualError(t, err, "p.csv: no prediction column")

	p, err = ReadPredictions("p.csv", []byte("id,label,score\na,1,0.7\nb,2,0.2\n"))
	require.NoError(t, err)
	_, err = p.Input(stats.Class, 0)
	require.EqualError(t, err, "p.csv:3: label 2, but a score gives classes 0 and 1 only: "+
		"write the predicted class in a prediction column")
	scores, err := p.Input(stats.Score, 0)
	require.NoError(t, err)
	assert.Equal(t, []float64{0.7, 0.2}, scores)
}

func TestReadPredictionsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want string
	}{
		{"no id", "label,score\n1,0.5\n",
			"p.csv:1: expected an id and a label column (columns: label, score)"},
		{"no score", "id,label,region\n1,1,EU\n",
			"p.csv:1: expected a score or a prediction column (columns: id, label, region)"},
		{"label not a number", "id,label,score\n1,1,0.5\n2,yes,0.5\n",
			`p.csv:3: label: "yes" is not a number`},
		{"repeated id", "id,label,score\n1,1,0.5\n2,0,0.1\n1,0,0.3\n",
			`p.csv:4: id "1" repeats the one on line 2`},
		{"empty", "id,label,score\n", "p.csv:1: no predictions under the header"},
		{"class missing", "id,label,prediction\n1,cat,dog\n2,dog,\n",
			"p.csv:3: prediction: empty, where a class was expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadPredictions("p.csv", []byte(tt.data))
			require.EqualError(t, err, tt.want)
		})
	}
}

// TestPairKeepsEveryColumn checks that the paired examples carry their
// scores, lines and slice columns along.
func TestPairKeepsEveryColumn(t *testing.T) {
	t.Parallel()
	read := func(name, data string) *Predictions {
		p, err := ReadPredictions(name, []byte(data))
		require.NoError(t, err)
		return p
	}
	head := read("head.csv", "id,label,score,region\na,1,0.9,EU\nb,0,0.2,US\nc,1,0.6,EU\n")
	base := read("base.csv", "id,label,score,region\nc,1,0.4,EU\na,1,0.8,EU\nb,0,0.3,US\n")

	b, h, note, err := Pair(base, head)
	require.NoError(t, err)
	assert.Empty(t, note)
	assert.Equal(t, head.IDs, h.IDs)
	assert.Equal(t, []string{"a", "b", "c"}, b.IDs)
	assert.Equal(t, []float64{0.8, 0.3, 0.4}, b.Score)
	assert.Equal(t, []int{3, 4, 2}, b.Lines)
	assert.Equal(t, []string{"EU", "US", "EU"}, b.Columns["region"])

	_, _, _, err = Pair(base, read("head.csv", "id,label,score\na,0,0.9\n"))
	require.EqualError(t, err, `head.csv (candidate) and base.csv (baseline) are not the same `+
		`test set: id "a" has label 0 on line 2 but 1 in the baseline (line 3)`)
	var mm *MismatchError
	require.ErrorAs(t, err, &mm)
}

func TestPair(t *testing.T) {
	t.Parallel()

	read := func(csv string) *Predictions {
		p, err := ReadPredictions("p.csv", []byte("id,label,score\n"+csv))
		require.NoError(t, err)
		return p
	}
	tests := []struct {
		name, base, head string
		ids              []string
		note, err        string
	}{
		{name: "same set", base: "a,1,0.9\nb,0,0.1\n", head: "b,0,0.2\na,1,0.8\n",
			ids: []string{"b", "a"}},
		{name: "candidate grew", base: "a,1,0.9\n", head: "a,1,0.8\nc,0,0.3\n",
			ids: []string{"a"},
			note: "paired on the ids both files hold (1); the candidate has 1 more, " +
				"the baseline 0 more"},
		{name: "labels differ", base: "a,1,0.9\n", head: "a,0,0.8\n",
			err: `id "a" has label 0 on line 2 but 1 in the baseline (line 2)`},
		{name: "nothing in common", base: "a,1,0.9\n", head: "z,1,0.8\n",
			err: "no example id is in both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, h, note, err := Pair(read(tt.base), read(tt.head))
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ids, h.IDs)
			assert.Equal(t, tt.ids, b.IDs)
			assert.Equal(t, tt.note, note)
		})
	}
}

func TestClassesNamedByText(t *testing.T) {
	t.Parallel()
	p, err := ReadPredictions("p.csv", []byte("id,label,prediction,score\n"+
		"1,virginica,setosa,0.2\n2,setosa,setosa,0.9\n3,versicolor,1,0.4\n"))
	require.NoError(t, err)

	assert.Equal(t, []string{"1", "setosa", "versicolor", "virginica"}, p.Classes,
		"a prediction may be a class no label is")
	assert.Equal(t, []float64{3, 1, 2}, p.Label)
	assert.Equal(t, []float64{1, 1, 0}, p.Prediction)
	assert.Equal(t, "versicolor", p.LabelText(2))
	assert.Equal(t, []float64{0.2, 0.9, 0.4}, p.Score)
	classes, err := p.Input(stats.Class, 0)
	require.NoError(t, err)
	assert.Equal(t, p.Prediction, classes)

	scoresOnly, err := ReadPredictions("s.csv", []byte("id,label,score\n1,cat,0.2\n"))
	require.NoError(t, err)
	_, err = scoresOnly.Input(stats.Class, 0)
	require.EqualError(t, err, "s.csv: no prediction column, which classes named by text need")
}

func TestPairClassesNamedByText(t *testing.T) {
	t.Parallel()
	read := func(name, csv string) *Predictions {
		p, err := ReadPredictions(name, []byte("id,label,prediction\n"+csv))
		require.NoError(t, err)
		return p
	}
	base := read("base.csv", "1,cat,cat\n2,dog,cat\n3,cat,dog\n")
	head := read("head.csv", "3,cat,cat\n1,cat,emu\n2,dog,dog\n")

	b, h, note, err := Pair(base, head)
	require.NoError(t, err)
	assert.Empty(t, note)
	assert.Equal(t, []string{"cat", "dog", "emu"}, b.Classes)
	assert.Equal(t, b.Classes, h.Classes)
	assert.Equal(t, h.Label, b.Label, "the same labels in head's order")
	assert.Equal(t, []float64{0, 0, 1}, h.Label)
	assert.Equal(t, []float64{1, 0, 0}, b.Prediction)
	assert.Equal(t, []float64{0, 2, 1}, h.Prediction)

	relabelled := read("head.csv", "1,cat,cat\n2,emu,cat\n3,cat,cat\n")
	_, _, _, err = Pair(base, relabelled)
	require.EqualError(t, err, "head.csv (candidate) and base.csv (baseline) are not the same "+
		"test set: id \"2\" has label emu on line 3 but dog in the baseline (line 3)")

	numbers, err := ReadPredictions("head.csv", []byte("id,label,prediction\n1,0,1\n"))
	require.NoError(t, err)
	_, _, _, err = Pair(base, numbers)
	require.EqualError(t, err, "head.csv (candidate) and base.csv (baseline) are not the same "+
		"test set: the candidate's labels are numbers, the baseline's classes named by text")
}

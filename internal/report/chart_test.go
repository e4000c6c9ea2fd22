package report

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterpolate(t *testing.T) {
	t.Parallel()
	// A ROC curve's vertical step at x=0.5 counts with its highest point.
	ps := points(Series{X: []float64{0, 0.5, 0.5, 1}, Y: []float64{0, 0.2, 0.8, 1}})
	tests := []struct{ x, want float64 }{
		{-1, 0}, {0, 0}, {0.25, 0.1}, {0.5, 0.8}, {0.75, 0.9}, {1, 1}, {2, 1},
	}
	for _, tc := range tests {
		assert.InDelta(t, tc.want, interpolate(ps, tc.x), 1e-12, "at %v", tc.x)
	}
}

func TestGrid(t *testing.T) {
	t.Parallel()
	roc := grid(Plot{Kind: ROC}, nil)
	require.Len(t, roc, 21)
	assert.InDelta(t, 0.05, roc[1], 1e-12)
	assert.Equal(t, 1.0, roc[20])

	epochs := [][]point{points(history("a", 10, 0.2))}
	assert.Equal(t, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, grid(Plot{Kind: Line}, epochs))

	long := [][]point{points(history("a", 1000, 0.2))}
	xs := grid(Plot{Kind: Line}, long)
	assert.Len(t, xs, mermaidPoints)
	assert.Equal(t, 999.0, xs[len(xs)-1])

	assert.Nil(t, grid(Plot{Kind: Line}, [][]point{{{1, 2}, {1, 3}}}), "no x range")
}

func TestLTTB(t *testing.T) {
	t.Parallel()
	ps := points(history("a", 5000, 0.2))
	// A spike the downsampling must keep.
	ps[2500].y = 5
	got := lttb(ps, 100)
	require.Len(t, got, 100)
	assert.Equal(t, ps[0], got[0])
	assert.Equal(t, ps[len(ps)-1], got[len(got)-1])
	assert.Contains(t, got, ps[2500])
	for i := 1; i < len(got); i++ {
		assert.Less(t, got[i-1].x, got[i].x)
	}

	short := ps[:50]
	assert.Equal(t, short, lttb(short, 100))
}

func TestMermaidText(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b c d", mermaidText(`a"b;c`+"\n"+`d`))
	assert.Equal(t, "Precision–recall (n ≥ 100)", mermaidText("Precision–recall (n ≥ 100)"))
	assert.Equal(t, "x % init % y", mermaidText("x %%{init}%% ` <y>"))
	assert.Len(t, []rune(mermaidText(strings.Repeat("a", 200))), 80)
}

func TestChartsWithNothingToDraw(t *testing.T) {
	t.Parallel()
	n := numbers{4}
	plots := []Plot{
		{Title: "empty"},
		{Title: "one x", Series: []Series{{Name: "a", X: []float64{1, 1}, Y: []float64{1, 2}}}},
		{
			Title:  "bars without categories",
			Kind:   Bar,
			Series: []Series{{Name: "a", Y: []float64{1}}},
		},
	}
	for _, p := range plots {
		c := newChart(preparePlot(p), 8)
		_, ok := c.Mermaid(n)
		assert.False(t, ok, p.Title)
		if p.Title != "one x" {
			assert.Empty(t, c.SVG(n, 200), p.Title)
		}
	}
	md, err := Render(MD, &Data{Plots: plots}, Options{})
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(md), "*(nothing to draw)*"))
}

func TestChartsDropNonFinitePoints(t *testing.T) {
	t.Parallel()
	nan := []float64{0, 1, 2, 3}
	p := preparePlot(Plot{Series: []Series{{Name: "a", X: nan,
		Y: []float64{1, 0 / zero(), 3, 4}}}})
	assert.Equal(t, []float64{0, 2, 3}, p.Series[0].X)
	assert.Equal(t, []float64{1, 3, 4}, p.Series[0].Y)
}

func zero() float64 { return 0 }

// readPlot reads two columns of a CSV file of the example project.
func readPlot(t *testing.T, path, x, y string) Series {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s is missing", path)
	}
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)

	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("%s has no column %s", path, name)
		return -1
	}
	xi, yi := col(x), col(y)
	s := Series{Name: filepath.Base(path)}
	for _, r := range rows[1:] {
		xv, err := strconv.ParseFloat(r[xi], 64)
		require.NoError(t, err)
		yv, err := strconv.ParseFloat(r[yi], 64)
		require.NoError(t, err)
		s.X, s.Y = append(s.X, xv), append(s.Y, yv)
	}
	return s
}

// TestExamplePlots draws the bundled example project's real plot files,
// hundreds or thousands of points each, and checks they shrink to a chart.
func TestExamplePlots(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "testdata", "example")
	d := &Data{Plots: []Plot{
		{Title: "ROC", Kind: ROC, Series: []Series{
			readPlot(t, filepath.Join(root, "eval", "plots", "roc.csv"), "fpr", "tpr")}},
		{Title: "PR", Kind: PR, Series: []Series{
			readPlot(t, filepath.Join(root, "eval", "plots", "prc.csv"), "recall", "precision")}},
		{Title: "loss", Series: []Series{
			readPlot(t, filepath.Join(root, "train", "history.csv"), "epoch", "loss")}},
	}}

	md, err := Render(MD, d, Options{})
	require.NoError(t, err)
	lines := regexp.MustCompile(`(?m)^  line \[(.*)\]$`).FindAllStringSubmatch(string(md), -1)
	require.Len(t, lines, 3)
	assert.Len(t, strings.Split(lines[0][1], ", "), 21)
	assert.Len(t, strings.Split(lines[1][1], ", "), 21)
	assert.Len(t, strings.Split(lines[2][1], ", "), mermaidPoints)
	assert.Less(t, len(md), 4000)

	page, err := Render(HTMLPage, d, Options{MaxPoints: 150})
	require.NoError(t, err)
	points := regexp.MustCompile(`points="([^"]*)"`)
	for _, m := range points.FindAllStringSubmatch(string(page), -1) {
		assert.LessOrEqual(t, len(strings.Fields(m[1])), 150)
	}
}

func TestChartsWithExtremeValues(t *testing.T) {
	t.Parallel()
	d := &Data{Plots: []Plot{
		{Title: "huge", Series: []Series{{Name: "a", Y: []float64{-1e308, 1e308, 0}}}},
		{Title: "tiny", Series: []Series{{Name: "a", X: []float64{0, 1e-300}, Y: []float64{1, 2}}}},
		{Title: "bars", Kind: Bar, Categories: []string{"a"},
			Series: []Series{{Name: "a", Y: []float64{1e308}}}},
	}}
	for _, format := range Formats {
		_, err := Render(format, d, Options{})
		require.NoError(t, err, format)
	}
}

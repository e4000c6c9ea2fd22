package params

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// asJSON is v as it reads back from JSON, to compare with Python's output.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// TestPythonParamsMatchGolden reads testdata/params.py, which holds every
// kind of statement a params module has, against what Python's own parser
// finds in it (testdata/params.py.json, written by testdata/reference.py).
func TestPythonParamsMatchGolden(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/params.py")
	require.NoError(t, err)
	want, err := os.ReadFile("testdata/params.py.json")
	require.NoError(t, err)

	got, err := Parse("params.py", data)
	require.NoError(t, err)

	var w any
	require.NoError(t, json.Unmarshal(want, &w))
	assert.Equal(t, w, asJSON(t, got))
	assert.IsType(t, 0, got["SEED"], "ints stay ints")
	assert.IsType(t, 0.0, got["LR"])
	assert.Equal(t, 128, Flatten(got)["Train.units"])
}

// TestPythonParamsMatchPython runs testdata/reference.py on the golden
// file, so that the golden file cannot drift from what Python reads.
func TestPythonParamsMatchPython(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), python, "testdata/reference.py", "testdata/params.py")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	want, err := os.ReadFile("testdata/params.py.json")
	require.NoError(t, err)
	assert.JSONEq(t, string(want), out.String())
}

func TestPythonParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want map[string]any
	}{
		{"empty", "", map[string]any{}},
		{"comments only", "# nothing\n\n   # here\n", map[string]any{}},
		{"later assignment wins", "LR = 0.1\nLR = 0.2\n", map[string]any{"LR": 0.2}},
		{"windows line ends", "A = 1\r\nB = 'x'\r\n", map[string]any{"A": 1, "B": "x"}},
		{"byte order mark", "\ufeffA = 1\n", map[string]any{"A": 1}},
		{"no final newline", "A = [1,\n 2]", map[string]any{"A": []any{1, 2}}},
		{"tabs", "class C:\n\tA = 1\n\tdef __init__(self):\n\t\tself.b = 2\nD = 3\n",
			map[string]any{"C": map[string]any{"A": 1, "b": 2}, "D": 3}},
		{"signed and special numbers", "A = -3\nB = +2.5\nC = 0o17\nD = 0b101\nE = 1E+3\n" +
			"F = 2j\nG = 99999999999999999999\nH = -True\n",
			map[string]any{"A": -3, "B": 2.5, "C": 15, "D": 5, "E": 1000.0}},
		{"escapes", `A = "\x41\101\n\'"` + "\nB = 'a\\d'\nC = \"\\N{BULLET}\"\n",
			map[string]any{"A": "AA\n'", "B": `a\d`}},
		{"strings in brackets and comments", "A = '#not a comment'  # but this is\n" +
			"B = ')]}'\nC = (\n  'x'  # inside\n)\n",
			map[string]any{"A": "#not a comment", "B": ")]}", "C": "x"}},
		{"walrus, calls and comparisons", "A = (b := 2)\nC = f(x=1)\nD = 1 == 1\nE = 1\n",
			map[string]any{"E": 1}},
		{"dict unpacking and comprehension", "A = {**B}\nC = {k: 1 for k in D}\n" +
			"E = {1: 2, True: None}\n",
			map[string]any{"E": map[string]any{"1": 2, "True": nil}}},
		{"class header with arguments", "class C(Base, metaclass=M):\n    A = 1\n",
			map[string]any{"C": map[string]any{"A": 1}}},
		{"__init__ at the top reads self only", "def __init__(self):\n    self.a = 1\n" +
			"    b = 2\n", map[string]any{"a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse("params.py", []byte(tt.src))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestPythonParamsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"string not closed", "A = 1\nB = 'x\n", "p.py:2: string not closed"},
		{"triple string not closed", "A = \"\"\"x\n\ny\n",
			"p.py:1: string not closed"},
		{"bracket not closed", "A = 1\nB = [1,\n 2\nC = 3\n",
			"p.py:2: bracket not closed"},
		{"stray backslash", "A = 1 \\ 2\n", "p.py:1: unexpected backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.py", []byte(tt.src))
			require.EqualError(t, err, tt.want)
		})
	}
}

// FuzzPythonParams checks that no source makes the reader panic or loop,
// and that what it reads flattens.
func FuzzPythonParams(f *testing.F) {
	data, err := os.ReadFile("testdata/params.py")
	require.NoError(f, err)
	f.Add(data)
	for _, s := range []string{"A = 'x\n", "A = [1,\n", "A = 1 \\ 2\n", "class C:\n\tA = (1,)\n",
		"A = 0x1e-3\n", "A = {1: 2, **b}\n", "A = 1.e5\n", "\\\n", "(", "'''", "A = -"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("p.py", src)
		if err == nil {
			Flatten(m)
		}
	})
}

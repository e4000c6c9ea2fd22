package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
)

// fixture copies the test services, rows and predictions into a temporary
// work tree with script as serve.py, and checks when the test ends that no
// process is left running there.
func fixture(t *testing.T, script string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.CopyFS(root, os.DirFS("testdata")))
	data, err := os.ReadFile(filepath.Join("testdata", script))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "serve.py"), data, 0o644))
	t.Cleanup(func() { assert.Empty(t, processesIn(root), "processes left running") })
	return root
}

// processesIn lists the running processes whose working directory is root.
func processesIn(root string) []string {
	if runtime.GOOS != "linux" {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if st, ok := readStat(pid); err == nil && cwd == root && ok && st.state != 'Z' {
			out = append(out, strconv.Itoa(pid)+" "+cmdline(pid))
		}
	}
	return out
}

// model is a model whose service is `python3 serve.py args`, changed by edit.
func model(args string, edit ...func(*config.Serve)) *config.Model {
	s := &config.Serve{Cmd: "python3 serve.py " + args, Ready: "/health",
		ReadyTimeout: 10 * time.Second, Method: "POST", Path: "/predict", Rows: "rows.csv",
		Body: `{"id": {{.id}}, "x": {{.x}}}`, Answer: "/score", Requests: 100, Concurrency: 4,
		Pos: config.Pos{File: "mlci.yaml", Line: 7, Col: 5}}
	for _, e := range edit {
		e(s)
	}
	return &config.Model{Name: "m", Predictions: "predictions.csv", Serve: s}
}

func check(t *testing.T, o Options) *Result {
	t.Helper()
	o.Grace = 2 * time.Second
	res, err := Check(t.Context(), o)
	require.NoError(t, err)
	return res
}

func gateOf(t *testing.T, res *Result, metric string) gate.Result {
	t.Helper()
	for _, g := range res.Gates {
		if g.Metric == metric {
			return g
		}
	}
	require.Failf(t, "no gate", "no result for %s in %+v", metric, res.Gates)
	return gate.Result{}
}

func f(v float64) *float64 { return &v }

func TestCheckPasses(t *testing.T) {
	t.Parallel()
	root := fixture(t, "good.py")
	m := model("", func(s *config.Serve) {
		s.Gates = []config.Gate{
			{Metric: MetricP99, Max: f(1000)},
			{Metric: MetricErrors, Max: f(0)},
		}
	})

	res := check(t, Options{Root: root, Model: m})

	assert.True(t, res.Passed, "%+v", res.Gates)
	assert.Equal(t, 50, res.Checked)
	assert.Empty(t, res.Mismatches)
	assert.Equal(t, "predictions.csv (score)", res.Compared)
	assert.Equal(t, 100, res.Candidate.Requests)
	assert.Zero(t, res.Candidate.Errors)
	assert.Positive(t, res.Candidate.P50)
	assert.LessOrEqual(t, res.Candidate.P50, res.Candidate.P99)
	assert.Positive(t, res.Candidate.RPS)
	assert.Positive(t, res.Candidate.LoadSeconds)
	if runtime.GOOS == "linux" {
		assert.Greater(t, res.Candidate.PeakRSSMB, 1.0)
	}
	assert.Nil(t, res.Baseline)
	assert.Empty(t, res.Output)
	names := make([]string, len(res.Gates))
	for i, g := range res.Gates {
		names[i] = g.Metric
		assert.True(t, g.Passed, "%s: %s", g.Metric, g.Message)
	}
	assert.Equal(t, []string{CheckStartup, CheckAnswers, CheckProcess, MetricP99, MetricErrors},
		names)
}

// TestCheckBaseline serves a slow candidate beside a fast baseline with the
// same command: the rise of median latency fails its gate, an absolute
// bound passes.
func TestCheckBaseline(t *testing.T) {
	t.Parallel()
	head, base := fixture(t, "slow.py"), fixture(t, "good.py")
	m := model("0.3", func(s *config.Serve) {
		s.Requests, s.Concurrency = 16, 2
		s.Gates = []config.Gate{
			{Metric: MetricP50, Max: f(60_000)},
			{Metric: MetricP50, MaxRisePct: f(10)},
		}
	})

	res := check(t, Options{Root: head, BaseRoot: base, Model: m, Rows: 5})

	require.NotNil(t, res.Baseline)
	assert.False(t, res.Passed)
	assert.Equal(t, 5, res.Checked)
	assert.Equal(t, 16, res.Candidate.Requests)
	assert.Equal(t, 16, res.Baseline.Requests)
	assert.GreaterOrEqual(t, res.Candidate.P50, 300.0)
	assert.Less(t, res.Baseline.P50, res.Candidate.P50)
	assert.Positive(t, res.Baseline.LoadSeconds)
	g := res.Gates[len(res.Gates)-2:]
	assert.True(t, g[0].Passed, g[0].Message)
	assert.False(t, g[1].Passed)
	assert.Contains(t, g[1].Message, "rose")
	require.NotNil(t, g[1].Base)
	assert.InDelta(t, res.Baseline.P50, *g[1].Base, 1e-9)
}

func TestCheckWrongAnswers(t *testing.T) {
	t.Parallel()
	res := check(t, Options{Root: fixture(t, "wrong.py"), Model: model("")})

	assert.False(t, res.Passed)
	require.Len(t, res.Mismatches, 2)
	assert.Equal(t, Mismatch{ID: "2", Offline: 0.02, Served: 0.03}, res.Mismatches[0])
	assert.Equal(t, "3", res.Mismatches[1].ID)
	g := gateOf(t, res, CheckAnswers)
	assert.False(t, g.Passed)
	assert.Contains(t, g.Message, "2 of 50 rows differ from predictions.csv (score); first: id 2")
	assert.Equal(t, config.Pos{File: "mlci.yaml", Line: 7, Col: 5}, g.Pos)
	assert.True(t, gateOf(t, res, CheckProcess).Passed)
}

func TestCheckClassesNamedByText(t *testing.T) {
	t.Parallel()
	root := fixture(t, "classes.py")
	var b strings.Builder
	b.WriteString("id,label,prediction\n")
	for id := 1; id <= 50; id++ {
		class := "high"
		if id < 25 {
			class = "low"
		}
		fmt.Fprintf(&b, "%d,%s,%s\n", id, class, class)
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "classes.csv"), []byte(b.String()),
		0o644))
	m := model("", func(s *config.Serve) { s.Answer = "/label" })
	m.Predictions = "classes.csv"

	res := check(t, Options{Root: root, Model: m})

	assert.False(t, res.Passed)
	require.Len(t, res.Mismatches, 1)
	assert.Equal(t, Mismatch{ID: "7", OfflineClass: "low", ServedClass: "medium"},
		res.Mismatches[0])
	g := gateOf(t, res, CheckAnswers)
	assert.Equal(t, "equal classes.csv (prediction)", g.Rule)
	assert.Equal(t, `1 of 50 rows differ from classes.csv (prediction); first: id 7: `+
		`offline "low", served "medium"`, g.Message)
}

func TestCheckTolerance(t *testing.T) {
	t.Parallel()
	m := model("", func(s *config.Serve) { s.Tolerance = 0.01 })
	res := check(t, Options{Root: fixture(t, "wrong.py"), Model: m})

	assert.True(t, res.Passed, "%+v", res.Gates)
	assert.Empty(t, res.Mismatches)
}

func TestCheckCrashUnderLoad(t *testing.T) {
	t.Parallel()
	m := model("60", func(s *config.Serve) {
		s.Gates = []config.Gate{{Metric: MetricErrors, Max: f(0)}}
	})
	res := check(t, Options{Root: fixture(t, "crash.py"), Model: m})

	assert.False(t, res.Passed)
	assert.True(t, gateOf(t, res, CheckAnswers).Passed)
	g := gateOf(t, res, CheckProcess)
	assert.False(t, g.Passed)
	assert.Contains(t, g.Message, "exited with status 3 while it was being checked")
	assert.Positive(t, res.Candidate.Errors)
	assert.NotEmpty(t, res.Candidate.FirstError)
	assert.False(t, gateOf(t, res, MetricErrors).Passed)
	assert.Contains(t, strings.Join(res.Output, "\n"), "out of memory")
}

func TestCheckNeverReady(t *testing.T) {
	t.Parallel()
	m := model("", func(s *config.Serve) {
		s.ReadyTimeout = 8 * time.Second // python3 may take seconds to start on a busy machine
		s.Gates = []config.Gate{{Metric: MetricP99, Max: f(50)}}
	})
	res := check(t, Options{Root: fixture(t, "never_ready.py"), Model: m})

	assert.False(t, res.Passed)
	g := gateOf(t, res, CheckStartup)
	assert.False(t, g.Passed)
	assert.Regexp(t, `did not answer 200 at http://127\.0\.0\.1:\d+/health within 8s `+
		`\(last: http://127\.0\.0\.1:\d+/health answered HTTP 503\)`, g.Message)
	assert.Contains(t, g.Message, "service: listening on port")
	assert.True(t, gateOf(t, res, CheckProcess).Passed, gateOf(t, res, CheckProcess).Message)
	p99 := gateOf(t, res, MetricP99)
	assert.True(t, p99.Skipped)
	assert.Contains(t, p99.Message, "did not become ready")
	assert.Zero(t, res.Candidate.Requests)
}

func TestCheckWrongPort(t *testing.T) {
	t.Parallel()
	port, err := freePort("127.0.0.1")
	require.NoError(t, err)
	m := model(strconv.Itoa(port), func(s *config.Serve) { s.ReadyTimeout = 8 * time.Second })
	res := check(t, Options{Root: fixture(t, "wrong_port.py"), Model: m})

	g := gateOf(t, res, CheckStartup)
	assert.False(t, g.Passed)
	if runtime.GOOS == "linux" {
		assert.Contains(t, g.Message, "listens on port "+strconv.Itoa(port)+
			", not on the port it was given")
	}
}

func TestCheckExitsAtStart(t *testing.T) {
	t.Parallel()
	res := check(t, Options{Root: fixture(t, "exits.py"), Model: model("")})

	g := gateOf(t, res, CheckStartup)
	assert.False(t, g.Passed)
	assert.Contains(t, g.Message, "exited with status 2 before it was ready")
	assert.Contains(t, g.Message, "unsupported format")
	assert.True(t, gateOf(t, res, CheckProcess).Passed)
	assert.Equal(t, []string{"service: loading models/model.json",
		"service: error: models/model.json: unsupported format"}, res.Output)
}

func TestCheckInvalidJSON(t *testing.T) {
	t.Parallel()
	res := check(t, Options{Root: fixture(t, "invalid_json.py"), Model: model("")})

	assert.False(t, res.Passed)
	require.Len(t, res.Mismatches, 50)
	assert.Contains(t, res.Mismatches[0].Problem, "not JSON")
	assert.Equal(t, res.Candidate.Requests, res.Candidate.Errors)
}

func TestCheckLeftoverProcesses(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("finding processes that left the group needs /proc")
	}
	t.Parallel()
	tests := []struct{ script, want string }{
		{"child.py", `^it left 1 process running outside its process group after it exited, ` +
			`killed by mlci: pid \d+ .*time\.sleep\(600\)` + "`$"},
		{"stubborn.py", `^1 process still running 2s after SIGTERM, killed by mlci: ` +
			"pid \\d+ `.*python3 -c import signal"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			t.Parallel()
			res := check(t, Options{Root: fixture(t, tt.script), Model: model("")})

			assert.False(t, res.Passed)
			g := gateOf(t, res, CheckProcess)
			assert.False(t, g.Passed)
			assert.Regexp(t, tt.want, g.Message)
			assert.True(t, gateOf(t, res, CheckAnswers).Passed)
			assert.Contains(t, strings.Join(res.Output, "\n"), "service: helper pid")
		})
	}
}

func TestCheckInterrupted(t *testing.T) {
	t.Parallel()
	root := fixture(t, "good.py")
	m := model("", func(s *config.Serve) { s.Requests, s.Duration = 0, time.Hour })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()

	start := time.Now()
	_, err := Check(ctx, Options{Root: root, Model: m, Grace: 2 * time.Second})

	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, exit.External, exit.Code(err))
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Empty(t, processesIn(root))
}

func TestCheckDuration(t *testing.T) {
	t.Parallel()
	m := model("", func(s *config.Serve) { s.Requests, s.Duration = 0, 300*time.Millisecond })
	res := check(t, Options{Root: fixture(t, "good.py"), BaseRoot: fixture(t, "good.py"),
		Model: m})

	assert.True(t, res.Passed, "%+v", res.Gates)
	assert.Positive(t, res.Candidate.Requests)
	assert.Positive(t, res.Baseline.Requests)
}

func TestCheckBaselineDoesNotStart(t *testing.T) {
	t.Parallel()
	m := model("", func(s *config.Serve) {
		s.Gates = []config.Gate{{Metric: MetricP99, MaxRisePct: f(10)}}
	})
	res := check(t, Options{Root: fixture(t, "good.py"), BaseRoot: fixture(t, "exits.py"),
		Model: m})

	assert.True(t, res.Passed, "%+v", res.Gates)
	assert.Nil(t, res.Baseline)
	require.Len(t, res.Notes, 1)
	assert.Contains(t, res.Notes[0], "the baseline's service did not start")
	assert.True(t, gateOf(t, res, MetricP99).Skipped)
}

func TestCheckWithoutRows(t *testing.T) {
	t.Parallel()
	m := model("", func(s *config.Serve) {
		s.Rows, s.Body, s.Ready = "", `{"id": 1, "x": 5}`, ""
	})
	res := check(t, Options{Root: fixture(t, "good.py"), Model: m})

	assert.True(t, res.Passed, "%+v", res.Gates)
	assert.True(t, gateOf(t, res, CheckAnswers).Skipped)
	assert.Equal(t, "accepts connections within 10s", gateOf(t, res, CheckStartup).Rule)
	assert.Equal(t, 100, res.Candidate.Requests)
}

func TestCheckConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*config.Serve)
		want string
	}{
		{"remote ready", func(s *config.Serve) { s.Ready = "http://example.com:$PORT/health" },
			`ready: "http://example.com:$PORT/health": expected a loopback host`},
		{"fixed port", func(s *config.Serve) { s.Ready = "http://localhost:8080/health" },
			"the port must be $PORT"},
		{"pointer", func(s *config.Serve) { s.Answer = "score" },
			`answer: "score" is not a JSON pointer`},
		{"column", func(s *config.Serve) { s.Body = `{"x": {{.y}}}` },
			"body: {{.y}}: expected {{.column}} with a column of the rows file " +
				"(columns of rows.csv: id, x, label)"},
		{"invalid body", func(s *config.Serve) { s.Body = `{"x": {{.x}}` },
			"body: line 2 of rows.csv gives invalid JSON"},
		{"rows missing", func(s *config.Serve) { s.Rows = "nowhere.csv" }, "rows: open"},
		{"metric", func(s *config.Serve) { s.Gates = []config.Gate{{Metric: "accuracy"}} },
			`gate on "accuracy": expected one of load_seconds, peak_rss_mb`},
		{"gate rule", func(s *config.Serve) {
			s.Gates = []config.Gate{{Metric: MetricP99, Min: f(5), Max: f(1), Pos: s.Pos}}
		}, "min 5 is above max 1"},
	}
	root := fixture(t, "good.py")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Check(t.Context(), Options{Root: root, Model: model("", tt.edit)})
			require.Error(t, err)
			assert.Equal(t, exit.Usage, exit.Code(err))
			assert.Contains(t, err.Error(), tt.want)
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "mlci.yaml", ce.Pos.File)
		})
	}
}

func TestCheckNoServe(t *testing.T) {
	t.Parallel()
	_, err := Check(t.Context(), Options{Root: t.TempDir(), Model: &config.Model{Name: "m"}})
	assert.ErrorIs(t, err, ErrNoServe)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestCheckMissingPredictions(t *testing.T) {
	t.Parallel()
	root := fixture(t, "good.py")
	require.NoError(t, os.Remove(filepath.Join(root, "predictions.csv")))
	_, err := Check(t.Context(), Options{Root: root, Model: model("")})
	assert.Equal(t, exit.Failed, exit.Code(err))
	assert.Contains(t, err.Error(), "predictions.csv does not exist; run the pipeline first")
}

func TestFreePort(t *testing.T) {
	t.Parallel()
	port, err := freePort("127.0.0.1")
	require.NoError(t, err)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.False(t, errors.Is(err, os.ErrNotExist))
}

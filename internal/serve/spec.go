package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
)

// spec is a serving check's configuration, checked, with its requests built.
type spec struct {
	model string
	serve *config.Serve
	// host is the loopback host the service is reached on.
	host string
	// readyPath is the ready check's path, "" to wait for the port to
	// accept connections.
	readyPath string
	pointer   pointer
	// rows are the requests, one per row of the rows file.
	rows []row
	// offline are the offline predictions by id, column the one compared.
	// With classes, the predictions are classes named by text, and offline
	// holds each one's index in classes.
	offline         map[string]float64
	classes         []string
	predictionsFile string
	column          string
	// note says why answers are not compared, when they are not.
	note string

	// gates are the serving gates with their direction set.
	gates []config.Gate

	requests int
	duration time.Duration
	conc     int
}

// row is one request built from a row of the rows file.
type row struct {
	id   string
	body []byte
	line int
}

// metricNames are the metrics serving gates may name.
var metricNames = []string{MetricLoadSeconds, MetricPeakRSS, MetricP50, MetricP95, MetricP99,
	MetricRPS, MetricErrors, MetricRequests, MetricMismatches}

// compile checks the model's serve block and builds the requests from its
// rows file. Configuration errors have exit code 2, with the serve block's
// place; an unreadable predictions file has exit code 1, as for gates.
func compile(o Options) (*spec, error) {
	m := o.Model
	if m == nil || m.Serve == nil {
		name := ""
		if m != nil {
			name = m.Name
		}
		return nil, exit.With(exit.Usage, fmt.Errorf("model %q: %w", name, ErrNoServe))
	}
	s := m.Serve
	sp := &spec{model: m.Name, serve: s, host: "127.0.0.1", conc: max(s.Concurrency, 1),
		requests: s.Requests, duration: s.Duration}
	if sp.requests == 0 && sp.duration == 0 {
		sp.requests = DefaultRequests
	}

	var errs config.Errors
	bad := func(format string, args ...any) {
		errs = append(errs, &config.Error{Pos: s.Pos,
			Msg: fmt.Sprintf("model %s, serve: %s", m.Name, fmt.Sprintf(format, args...))})
	}
	sp.checkBasics(bad)
	if err := gate.Check(&config.Model{Name: m.Name, Gates: s.Gates}); err != nil {
		var ce config.Errors
		if errors.As(err, &ce) {
			errs = append(errs, ce...)
		}
	}
	sp.gates = directed(s.Gates)
	if len(errs) == 0 {
		sp.readRows(o.Root, o.Rows, bad)
	}
	if len(errs) > 0 {
		return nil, exit.With(exit.Usage, errs)
	}
	return sp, sp.readOffline(o.Root, m)
}

// checkBasics checks everything but the rows file.
func (sp *spec) checkBasics(bad func(string, ...any)) {
	s := sp.serve
	if strings.TrimSpace(s.Cmd) == "" {
		bad("cmd: expected the command that starts the service")
	}
	if err := sp.parseReady(s.Ready); err != nil {
		bad("ready: %v", err)
	}
	if !strings.HasPrefix(s.Path, "/") {
		bad("path: expected an HTTP path starting with /, got %q", s.Path)
	}
	p, err := parsePointer(s.Answer)
	if err != nil {
		bad("answer: %v", err)
	}
	sp.pointer = p
	if s.ReadyTimeout <= 0 {
		bad("ready_timeout: expected a duration above 0")
	}
	for _, g := range s.Gates {
		if !slices.Contains(metricNames, g.Metric) {
			bad("gate on %q: expected one of %s", g.Metric, strings.Join(metricNames, ", "))
		}
		if g.Significance != nil || g.SliceBy != "" {
			bad("gate on %q: significance and slice_by apply to predictions, not to serving",
				g.Metric)
		}
	}
}

// parseReady reads the ready check: a path, or an http URL on a loopback
// host whose port is $PORT.
func (sp *spec) parseReady(ready string) error {
	switch {
	case ready == "":
		return nil
	case strings.HasPrefix(ready, "/"):
		sp.readyPath = ready
		return nil
	case !strings.HasPrefix(ready, "http://"):
		return fmt.Errorf("expected a path (/health) or http://localhost:$PORT/path, got %q", ready)
	}
	hostPort, path, _ := strings.Cut(strings.TrimPrefix(ready, "http://"), "/")
	host, port, ok := strings.Cut(hostPort, ":")
	if strings.HasPrefix(hostPort, "[") {
		host, port, ok = strings.Cut(hostPort, "]:")
		host += "]"
	}
	if !ok || (port != "$PORT" && port != "${PORT}") {
		return fmt.Errorf("%q: the port must be $PORT, the free port mlci gives the service",
			ready)
	}
	switch host {
	case "localhost", "127.0.0.1":
		sp.host = "127.0.0.1"
	case "[::1]":
		sp.host = "::1"
	default:
		return fmt.Errorf("%q: expected a loopback host (localhost, 127.0.0.1, [::1])", ready)
	}
	sp.readyPath = "/" + path
	return nil
}

// command returns the service's command line with $PORT and ${PORT} replaced.
func (sp *spec) command(port int) string {
	p := strconv.Itoa(port)
	return strings.NewReplacer("${PORT}", p, "$PORT", p).Replace(sp.serve.Cmd)
}

func (sp *spec) base(port int) string {
	if strings.Contains(sp.host, ":") {
		return fmt.Sprintf("http://[%s]:%d", sp.host, port)
	}
	return fmt.Sprintf("http://%s:%d", sp.host, port)
}

// readyURL is the ready check's URL, "" to wait for the port only.
func (sp *spec) readyURL(port int) string {
	if sp.readyPath == "" {
		return ""
	}
	return sp.base(port) + sp.readyPath
}

func (sp *spec) requestURL(port int) string { return sp.base(port) + sp.serve.Path }

func (sp *spec) readyRule() string {
	what := "accepts connections"
	if sp.readyPath != "" {
		what = "answers 200 at " + sp.readyPath
	}
	return fmt.Sprintf("%s within %s", what, sp.serve.ReadyTimeout)
}

// compared describes what answers are compared with.
func (sp *spec) compared() string {
	if sp.offline == nil {
		return ""
	}
	return fmt.Sprintf("%s (%s)", sp.predictionsFile, sp.column)
}

// readRows builds the requests from the rows file, at most limit of them
// when limit > 0; without a rows file every request sends the body as is.
func (sp *spec) readRows(root string, limit int, bad func(string, ...any)) {
	s := sp.serve
	if s.Rows == "" {
		if strings.Contains(s.Body, "{{") {
			bad("body: placeholders need a rows file (rows:) to fill them from")
			return
		}
		sp.rows = []row{{body: []byte(s.Body)}}
		sp.note = "answers not compared with offline predictions: serve has no rows file"
		return
	}
	rows, err := readRows(filepath.Join(root, s.Rows), s.Rows, s.Body, limit)
	if err != nil {
		bad("%v", err)
		return
	}
	sp.rows = rows
}

// readOffline reads the offline predictions the answers are compared with.
func (sp *spec) readOffline(root string, m *config.Model) error {
	if sp.note != "" {
		return nil
	}
	if m.Predictions == "" {
		sp.note = "answers not compared with offline predictions: the model has no " +
			"predictions file (predictions:)"
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, m.Predictions))
	if errors.Is(err, fs.ErrNotExist) {
		return exit.With(exit.Failed, fmt.Errorf("reading the offline predictions: %s does not "+
			"exist; run the pipeline first", m.Predictions))
	}
	if err != nil {
		return exit.With(exit.Failed, fmt.Errorf("reading the offline predictions: %w", err))
	}
	p, err := metrics.ReadPredictions(m.Predictions, data)
	if err != nil {
		return exit.With(exit.Failed, fmt.Errorf("reading the offline predictions: %w", err))
	}
	if sp.rows[0].id == "" {
		sp.note = fmt.Sprintf("answers not compared with offline predictions: %s has no "+
			"id column (%s) to find each row's prediction by", sp.serve.Rows,
			strings.Join(idKeys, ", "))
		return nil
	}
	sp.predictionsFile = m.Predictions
	sp.column, sp.offline = offlineColumn(p, sp.pointer)
	if sp.column == "prediction" {
		sp.classes = p.Classes
	}
	return nil
}

// predictionKeys are the last tokens of an answer pointer that compare it
// with the offline prediction (a class) rather than the score.
var predictionKeys = []string{"prediction", "predicted", "pred", "y_pred", "class", "label"}

// offlineColumn picks the predictions column answers are compared with: the
// one the answer pointer names (/score, /prediction), else the score, else
// the prediction.
func offlineColumn(p *metrics.Predictions, ptr pointer) (string, map[string]float64) {
	values, name := p.Score, "score"
	if p.Score == nil || (slices.Contains(predictionKeys, ptr.last()) && p.Prediction != nil) {
		values, name = p.Prediction, "prediction"
	}
	out := make(map[string]float64, len(p.IDs))
	for i, id := range p.IDs {
		out[id] = values[i]
	}
	return name, out
}

// directed returns gates with the direction of each serving metric set
// where it is not written: only requests per second and requests are better
// higher; the name of peak_rss_mb, say, would not tell.
func directed(gates []config.Gate) []config.Gate {
	out := slices.Clone(gates)
	for i := range out {
		if out[i].HigherIsBetter == nil {
			higher := out[i].Metric == MetricRPS || out[i].Metric == MetricRequests
			out[i].HigherIsBetter = &higher
		}
	}
	return out
}

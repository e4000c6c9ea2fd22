package gitlab

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The report artefacts, relative to the project directory. The templates in
// templates/gitlab name the same paths.
const (
	ReportsDir  = ".mlci/reports"
	JUnitPath   = ReportsDir + "/gates.xml"
	DotenvPath  = ReportsDir + "/mlci.env"
	MetricsPath = ReportsDir + "/metrics.txt"
	HTMLPath    = ReportsDir + "/report.html"
)

// GitLab's dotenv report limits: the file is at most 5 KB, and the instance
// default for self-managed GitLab is 20 variables (GitLab.com allows 50 or
// more by plan; mlci keeps to the smallest).
const (
	MaxDotenvBytes = 5 * 1024
	MaxDotenvVars  = 20
)

// OutputPrefix starts the name of every output mlci passes to later jobs.
const OutputPrefix = "MLCI_"

var (
	dotenvKey    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
)

// DotenvError is a set of variables GitLab's dotenv report would refuse.
type DotenvError struct {
	Path string
	Msg  string
}

// Error names the file and what GitLab expects.
func (e *DotenvError) Error() string {
	return fmt.Sprintf("writing the dotenv report %s: %s", e.Path, e.Msg)
}

// WriteDotenv writes vars as a dotenv report for later jobs, sorted by key,
// replacing path at once. Keys must match [A-Za-z_][A-Za-z0-9_]*, values fit
// on one line, and the whole stays within MaxDotenvVars and MaxDotenvBytes;
// else it writes nothing and returns a *DotenvError.
func WriteDotenv(path string, vars map[string]string) error {
	if len(vars) > MaxDotenvVars {
		return &DotenvError{Path: path, Msg: fmt.Sprintf(
			"%d variables; GitLab accepts at most %d", len(vars), MaxDotenvVars)}
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		v := vars[k]
		if !dotenvKey.MatchString(k) {
			return &DotenvError{Path: path, Msg: fmt.Sprintf(
				"key %q; expected letters, digits and _, not starting with a digit", k)}
		}
		if strings.ContainsAny(v, "\r\n") {
			return &DotenvError{Path: path, Msg: fmt.Sprintf(
				"the value of %s spans lines; GitLab reads one line per variable", k)}
		}
		b.WriteString(k + "=" + v + "\n")
	}
	if b.Len() > MaxDotenvBytes {
		return &DotenvError{Path: path, Msg: fmt.Sprintf(
			"%d bytes; GitLab accepts at most %d", b.Len(), MaxDotenvBytes)}
	}
	return writeFile(path, []byte(b.String()))
}

// SetOutputs adds values to the dotenv report .mlci/reports/mlci.env, which
// the templates hand to later jobs. Names become MLCI_ and the name in
// capitals with every other character an underscore (artifact_md5 is
// MLCI_ARTIFACT_MD5); line breaks in values become spaces. The per-class
// booleans of change detection (code_changed, data_changed …) are left out:
// GitLab passes at most 20 variables on, and MLCI_CHANGED lists the same
// classes.
func (c *Client) SetOutputs(values map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := maps.Clone(c.outputs)
	if next == nil {
		next = map[string]string{}
	}
	for k, v := range values {
		if strings.HasSuffix(k, "_changed") {
			continue
		}
		next[OutputName(k)] = oneLine(v)
	}
	if err := WriteDotenv(c.path(DotenvPath), next); err != nil {
		return err
	}
	c.outputs = next
	return nil
}

// OutputName is the dotenv variable an output is passed to later jobs as.
func OutputName(name string) string {
	upper := strings.ToUpper(sanitize(name, false))
	return OutputPrefix + strings.TrimPrefix(upper, OutputPrefix)
}

// Metric is one value of the OpenMetrics report.
type Metric struct {
	// Name is sanitised to [a-zA-Z_:][a-zA-Z0-9_:]*.
	Name string
	// Labels name the model, the file and the like.
	Labels map[string]string
	Value  float64
}

// WriteMetrics writes metrics as GitLab's metrics report (OpenMetrics text,
// one `name{label="value"} number` line each, sorted), replacing path at
// once. Names and label names are sanitised; label values are escaped.
func WriteMetrics(path string, metrics []Metric) error {
	lines := make([]string, 0, len(metrics))
	for _, m := range metrics {
		lines = append(lines, SanitizeMetricName(m.Name)+labels(m.Labels)+" "+number(m.Value))
	}
	slices.Sort(lines)
	data := strings.Join(lines, "\n")
	if data != "" {
		data += "\n"
	}
	return writeFile(path, []byte(data))
}

// SanitizeMetricName makes name a valid OpenMetrics metric name: characters
// other than letters, digits, _ and : become _, and a leading digit gets a _
// before it.
func SanitizeMetricName(name string) string {
	return sanitize(name, true)
}

// sanitize keeps letters, digits, _ and (with colon) :, turns every other
// byte into _, and puts a _ before a leading digit or in an empty name.
func sanitize(name string, colon bool) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || (colon && c == ':')
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 || (b[0] >= '0' && b[0] <= '9') {
		return "_" + string(b)
	}
	return string(b)
}

func labels(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	parts := make([]string, 0, len(l))
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, sanitize(k, false)+`="`+labelEscaper.Replace(l[k])+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteGateReport writes the gates' JUnit XML where the templates'
// artifacts:reports:junit expects it, .mlci/reports/gates.xml.
func (c *Client) WriteGateReport(junit []byte) error {
	return writeFile(c.path(JUnitPath), junit)
}

// WriteMetricsReport writes metrics where the templates'
// artifacts:reports:metrics expects them, .mlci/reports/metrics.txt.
func (c *Client) WriteMetricsReport(metrics []Metric) error {
	return WriteMetrics(c.path(MetricsPath), metrics)
}

// copyReportFiles puts each report file (report.html, report.md …) under
// .mlci/reports by its name, where the templates keep and expose them.
func (c *Client) copyReportFiles(files map[string]string) error {
	dir := c.path(ReportsDir)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		src := files[name]
		dst := filepath.Join(dir, filepath.Base(name))
		if same(src, dst) {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("copying the report file %s: %w", name, err)
		}
		if err := writeFile(dst, data); err != nil {
			return err
		}
	}
	return nil
}

func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// writeFile replaces path with data at once: a temporary file beside it,
// then a rename, so a reader never sees half a file.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename

	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

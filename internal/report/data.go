package report

// Schema is the version of the report.json format that Render writes.
const Schema = 1

// Verdict states.
const (
	// Passed means every error-severity gate and check passed.
	Passed = "passed"
	// Failed means a gate, check, test or stage failed.
	Failed = "failed"
	// Nothing means nothing ML-related changed, so nothing was run or judged.
	Nothing = "nothing"
	// Errored means the run could not finish (git, an API, a broken config).
	Errored = "error"
)

// Stage results.
const (
	Ran         = "ran"
	Restored    = "restored"
	Skipped     = "skipped"
	StageFailed = "failed"
	NotAffected = "not-affected"
)

// Baseline kinds.
const (
	BaselineCommit   = "commit"
	BaselineRegistry = "registry"
	BaselineRecord   = "record"
	BaselineNone     = "none"
)

// Plot kinds.
const (
	// Line is a line chart of series over a numeric x; the default.
	Line = "line"
	// ROC and PR are curves on the unit square; their series are resampled on
	// a shared grid of x from 0 to 1.
	ROC = "roc"
	PR  = "pr"
	// Bar is a bar chart over Plot.Categories.
	Bar = "bar"
)

// Data is everything a report shows. It is self-contained: the templates read
// nothing else, and its JSON form (report.json) renders the same report again.
//
// Numbers are pointers where "unknown" must differ from zero. Values that are
// not finite (NaN, ±Inf) are shown as unknown and written to JSON as null.
type Data struct {
	// Schema is the version of this format; Render sets it to the package's Schema.
	Schema int `json:"schema"`
	// Version is mlci's version.
	Version string `json:"version,omitempty"`
	// Key names what the report is for (the workflow and job by default); the
	// Markdown carries it in its hidden marker so one comment is kept per key.
	Key string `json:"key,omitempty"`
	// Project is the repository's name (owner/name or the GitLab project path).
	Project string `json:"project,omitempty"`
	// Time is when the report was made (RFC 3339); empty keeps the body free of
	// timestamps so that the same run gives byte-identical reports.
	Time string `json:"time,omitempty"`

	Candidate Candidate `json:"candidate"`
	Baseline  Baseline  `json:"baseline"`
	Verdict   Verdict   `json:"verdict"`
	Changes   Changes   `json:"changes"`
	// Stages are the pipeline's stages in pipeline order.
	Stages []Stage `json:"stages,omitempty"`
	// Tests are the pipeline tests' results; nil when no test ran.
	Tests *Tests `json:"tests,omitempty"`
	// Models are the models with their metrics and params against the baseline.
	Models []Model `json:"models,omitempty"`
	// Gates are every gate's verdict, in configuration order.
	Gates []Gate `json:"gates,omitempty"`
	// DataSets are the data sets' checks, in configuration order.
	DataSets []DataSet `json:"data,omitempty"`
	// Plots are the charts, in the order they are shown.
	Plots []Plot `json:"plots,omitempty"`
	// Serving are the checks of a model's prediction service.
	Serving []ServingCheck `json:"serving,omitempty"`
	// Promotion says what happens to the candidate next; nil when nothing does.
	Promotion *Promotion `json:"promotion,omitempty"`
	Links     Links      `json:"links"`
	// Truncated says what was left out before the data reached the report
	// (e.g. "files after the first 1,000"); rendering adds what it drops itself.
	Truncated []string `json:"truncated,omitempty"`
}

// Candidate is the commit under test.
type Candidate struct {
	// Commit is the full SHA.
	Commit string `json:"commit,omitempty"`
	// Ref is the branch or tag, e.g. "feature/lr" or "refs/pull/7/merge".
	Ref string `json:"ref,omitempty"`
}

// Baseline is what the candidate is compared with.
type Baseline struct {
	// Kind is BaselineCommit (the base branch's commit), BaselineRegistry (a
	// registered model version), BaselineRecord (a stored run record) or
	// BaselineNone (nothing to compare with: a first run).
	Kind string `json:"kind"`
	// Ref is the branch, tag or stage the baseline came from ("main", "production").
	Ref string `json:"ref,omitempty"`
	// Commit is the baseline's full SHA.
	Commit string `json:"commit,omitempty"`
	// Version is the model version of a registry baseline ("v1.4.0").
	Version string `json:"version,omitempty"`
}

// Verdict is the report's one-line conclusion.
type Verdict struct {
	// State is Passed, Failed, Nothing or Errored.
	State string `json:"state"`
	// Headline says why in one line ("accuracy dropped 0.031 below the
	// baseline"); empty gives a headline made from State.
	Headline string `json:"headline,omitempty"`
	// Reasons are further one-line reasons, most important first.
	Reasons []string `json:"reasons,omitempty"`
}

// Changes is the classified change set between the baseline and the candidate.
type Changes struct {
	// Classes count the changed files per class (code, data, params, pipeline,
	// docs, other).
	Classes []ClassCount `json:"classes,omitempty"`
	// Files are the changed files.
	Files []File `json:"files,omitempty"`
	// Params are the changed params.
	Params []ParamChange `json:"params,omitempty"`
}

// ClassCount is how many changed files fell in one class.
type ClassCount struct {
	Class string `json:"class"`
	Files int    `json:"files"`
}

// File is one changed file.
type File struct {
	Path string `json:"path"`
	// OldPath is the path before a rename.
	OldPath string `json:"old_path,omitempty"`
	// Status is added, modified, deleted or renamed.
	Status string `json:"status"`
	// Class is the change class the path matched.
	Class string `json:"class"`
}

// ParamChange is one param whose value changed. Values are as shown to people
// (strings, numbers and lists formatted by the caller); empty means the key is
// absent on that side.
type ParamChange struct {
	File string `json:"file"`
	Key  string `json:"key"`
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
}

// Stage is what happened to one pipeline stage.
type Stage struct {
	Name string `json:"name"`
	// Result is Ran, Restored (outputs restored from the cache), Skipped (up
	// to date or frozen), StageFailed or NotAffected (not run: nothing it
	// depends on changed and its outputs were not needed).
	Result string `json:"result"`
	// Reason says why, in a few words ("train.lr changed", "inputs equal main's").
	Reason string `json:"reason,omitempty"`
	// Seconds is how long the stage ran in this run.
	Seconds float64 `json:"seconds,omitempty"`
	// SavedSeconds is how long the stage's last real run took, for a stage
	// that was restored or skipped: the time reuse saved.
	SavedSeconds float64 `json:"saved_seconds,omitempty"`
	// Log is the tail of a failed stage's output.
	Log string `json:"log,omitempty"`
}

// Tests are the pipeline tests' results.
type Tests struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped,omitempty"`
	// Seconds is how long the tests took.
	Seconds  float64       `json:"seconds,omitempty"`
	Failures []TestFailure `json:"failures,omitempty"`
}

// TestFailure is one failed test.
type TestFailure struct {
	Name string `json:"name"`
	// Message is the failure's output, possibly several lines.
	Message string `json:"message,omitempty"`
}

// Model is one model's metrics and params against the baseline.
type Model struct {
	Name string `json:"name"`
	// Version is the version the candidate would be registered as, if known.
	Version string `json:"version,omitempty"`
	// Metrics are shown sorted by file and key.
	Metrics []Metric `json:"metrics,omitempty"`
	// Params are the params the model's stages read, sorted by file and key.
	Params []Param `json:"params,omitempty"`
}

// Metric is one metric of a model, baseline beside candidate.
type Metric struct {
	Key string `json:"key"`
	// File is the metrics file the value was read from.
	File string `json:"file,omitempty"`
	// Base and Head are nil when the metric is missing on that side.
	Base *float64 `json:"base,omitempty"`
	Head *float64 `json:"head,omitempty"`
	// Change is Head-Base; computed when nil and both are known.
	Change *float64 `json:"change,omitempty"`
	// HigherIsBetter is the metric's direction; nil when unknown, in which
	// case a change is shown without judging it.
	HigherIsBetter *bool `json:"higher_is_better,omitempty"`
	// Significance is the test of the difference, when predictions allowed one.
	Significance *Significance `json:"significance,omitempty"`
}

// Param is one param, baseline beside candidate, formatted as in ParamChange.
type Param struct {
	File string `json:"file"`
	Key  string `json:"key"`
	Base string `json:"base,omitempty"`
	Head string `json:"head,omitempty"`
}

// Significance is a statistical test of the difference between the candidate
// and the baseline.
type Significance struct {
	// Method names the test ("bootstrap", "McNemar", "DeLong").
	Method string `json:"method"`
	// Significant is true when the difference is significant at Confidence.
	Significant bool     `json:"significant"`
	PValue      *float64 `json:"p_value,omitempty"`
	// CILow and CIHigh bound the confidence interval of the difference.
	CILow  *float64 `json:"ci_low,omitempty"`
	CIHigh *float64 `json:"ci_high,omitempty"`
	// Confidence is the interval's level, e.g. 0.95.
	Confidence float64 `json:"confidence,omitempty"`
}

// Gate is one gate's verdict.
type Gate struct {
	Model  string `json:"model"`
	Metric string `json:"metric"`
	// Rule says what was required, for people ("≥ 0.80 and no drop over 0.02").
	Rule string `json:"rule"`
	// Base and Head are the values the rule was applied to (the worst slice's
	// for a sliced gate).
	Base *float64 `json:"base,omitempty"`
	Head *float64 `json:"head,omitempty"`
	// Passed is the verdict; a gate that was Skipped counts as passed.
	Passed bool `json:"passed"`
	// Skipped is true when the gate could not be judged (no baseline, say);
	// Message says why.
	Skipped bool `json:"skipped,omitempty"`
	// Severity is "error" (a failure fails the run) or "warning".
	Severity string `json:"severity,omitempty"`
	// Message explains the verdict ("dropped 0.031, more than 0.02").
	Message      string        `json:"message,omitempty"`
	Significance *Significance `json:"significance,omitempty"`
	// Slice is the worst slice of a sliced gate ("region=EU").
	Slice string `json:"slice,omitempty"`
}

// DataSet is one data set's checks.
type DataSet struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Rows and Columns describe the candidate's data.
	Rows    int `json:"rows"`
	Columns int `json:"columns,omitempty"`
	// BaseRows is the baseline's row count; nil without a baseline.
	BaseRows     *int    `json:"base_rows,omitempty"`
	SchemaIssues []Issue `json:"schema_issues,omitempty"`
	// Drift compares the data with the baseline's; nil without a baseline.
	Drift *Drift `json:"drift,omitempty"`
}

// Issue is one schema check that did not hold.
type Issue struct {
	Column string `json:"column,omitempty"`
	// Rule names the check ("type", "min", "allowed values", "missing").
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Severity is "error" or "warning".
	Severity string `json:"severity,omitempty"`
}

// Drift is the comparison of a data set's columns with the baseline's.
type Drift struct {
	// Drifted is the data set's verdict: Share reached Threshold.
	Drifted bool `json:"drifted"`
	// Share is the share of columns that drifted, from 0 to 1.
	Share float64 `json:"share"`
	// Threshold is the share at which the data set drifts.
	Threshold float64 `json:"threshold,omitempty"`
	// Columns are shown sorted, drifted columns first.
	Columns []DriftColumn `json:"columns,omitempty"`
}

// DriftColumn is one column's drift test.
type DriftColumn struct {
	Column string `json:"column"`
	// Test names the statistic ("Wasserstein / std", "Jensen–Shannon", "PSI").
	Test      string   `json:"test"`
	Value     *float64 `json:"value,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	Drifted   bool     `json:"drifted"`
	PValue    *float64 `json:"p_value,omitempty"`
}

// Plot is one chart.
type Plot struct {
	Title string `json:"title"`
	// Kind is Line (the default), ROC, PR or Bar.
	Kind   string `json:"kind,omitempty"`
	XLabel string `json:"x_label,omitempty"`
	YLabel string `json:"y_label,omitempty"`
	// Categories are the bars' labels for a Bar plot; each series then holds
	// one Y per category and no X.
	Categories []string `json:"categories,omitempty"`
	Series     []Series `json:"series,omitempty"`
	// Confusion is a confusion matrix, shown as a table instead of a chart.
	Confusion *Confusion `json:"confusion,omitempty"`
}

// Series is one line (or one set of bars) of a chart.
type Series struct {
	// Name is shown in the legend ("baseline", "candidate", "train loss").
	Name string    `json:"name"`
	X    []float64 `json:"x,omitempty"`
	Y    []float64 `json:"y"`
}

// Confusion is a confusion matrix: Counts[actual][predicted], in Labels order.
type Confusion struct {
	Labels []string `json:"labels"`
	Counts [][]int  `json:"counts"`
}

// ServingCheck is one check of a model's prediction service: its answers
// against the offline predictions, its latency, throughput or memory.
type ServingCheck struct {
	Model string `json:"model"`
	// Check names what was measured ("answers", "p99 latency").
	Check string `json:"check"`
	// Rule says what was required ("≤ 50 ms").
	Rule    string   `json:"rule,omitempty"`
	Value   *float64 `json:"value,omitempty"`
	Unit    string   `json:"unit,omitempty"`
	Passed  bool     `json:"passed"`
	Message string   `json:"message,omitempty"`
	// Severity is "error" (a failure fails the run) or "warning".
	Severity string `json:"severity,omitempty"`
}

// Promotion is what happens, or happened, to the candidate model's stage.
type Promotion struct {
	Model   string `json:"model"`
	Version string `json:"version,omitempty"`
	// Stage is the stage the version enters (or entered, when Done).
	Stage string `json:"stage"`
	// Next says what the following stage needs ("3 green staging runs and a
	// maintainer's /mlci promote churn production").
	Next string `json:"next,omitempty"`
	// Done is true when the promotion happened in this run.
	Done    bool   `json:"done,omitempty"`
	Message string `json:"message,omitempty"`
}

// Links point to where more can be read.
type Links struct {
	// RunURL is the CI run.
	RunURL string `json:"run_url,omitempty"`
	// ReportURL is the full (HTML) report, e.g. the run's artefacts.
	ReportURL string `json:"report_url,omitempty"`
	// BaselineURL is the baseline commit's page.
	BaselineURL string `json:"baseline_url,omitempty"`
	// CandidateURL is the candidate commit's page.
	CandidateURL string `json:"candidate_url,omitempty"`
}

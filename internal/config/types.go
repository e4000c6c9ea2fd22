package config

import "time"

// Pos is a place in a configuration file, for error messages and annotations.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// Config is a repository's whole configuration: mlci.yaml merged with the DVC
// pipeline it points at, with defaults applied and every stage expanded.
type Config struct {
	// Root is the absolute path of the repository's work tree.
	Root string
	// File is the path of mlci.yaml relative to Root, or "" when there is none.
	File string
	// PipelineFile is the path of the file that defined the stages, relative to Root.
	PipelineFile string
	// LockFile is the path of the lock file relative to Root (dvc.lock beside the pipeline).
	LockFile string

	// Stages are the pipeline's stages in file order, foreach and matrix expanded.
	Stages []*Stage
	// Metrics are the metrics files of the pipeline file's top-level metrics.
	Metrics []string
	// ParamsFiles are the params files of the pipeline file's top-level params.
	ParamsFiles []string
	// Plots are the pipeline file's top-level plots.
	Plots []Plot
	// Changes are the change classes in match order (first match wins).
	Changes []ChangeClass
	// Tests are the pipeline tests, run when code changes.
	Tests []Test
	// Models are the models in file order.
	Models []*Model
	// Data are the data sets to profile, check and compare, in file order.
	Data []*DataSet
	// Triggers say when continuous training retrains.
	Triggers Triggers
	// Report holds the report's options.
	Report ReportOptions
	// Remote is the shared cache, empty when there is none.
	Remote Remote
	// Platform holds options for the CI platforms.
	Platform PlatformOptions
}

// Stage is one pipeline stage with dvc.yaml's schema.
type Stage struct {
	Name string
	// Cmd is the stage's commands, run one after the other in a shell.
	Cmd []string
	// Wdir is the working directory relative to Root; "" or "." is Root.
	Wdir string
	// Deps are the stage's dependencies, relative to Root.
	Deps []string
	// Outs are the stage's outputs, relative to Root.
	Outs []Out
	// Params are the params the stage reads, grouped by file.
	Params []ParamRef
	// Metrics are metrics files the stage writes; they are outputs too.
	Metrics []Out
	// Plots are plots files the stage writes; they are outputs too.
	Plots []Plot
	// Frozen stages never run; AlwaysChanged stages always do.
	Frozen        bool
	AlwaysChanged bool
	// Timeout bounds a run of the stage; zero means none.
	Timeout time.Duration
	// RunsOn are CI runner labels for scaled-out runs.
	RunsOn []string
	// Definition is the stage as written, foreach, matrix and ${...}
	// expanded, as canonical JSON (sorted keys, without desc and meta); it
	// is compared to detect a change of the stage's own definition.
	Definition string
	Pos        Pos
}

// Out is a stage output.
type Out struct {
	Path string
	// Cache is false for outputs kept in git rather than in the cache.
	Cache bool
	// Persist outputs are not removed before the stage runs.
	Persist bool
	Pos     Pos
}

// ParamRef names params a stage reads from one file.
type ParamRef struct {
	// File is the params file relative to Root (params.yaml by default).
	File string
	// Keys are dotted keys; empty means the whole file.
	Keys []string
	Pos  Pos
}

// Plot is a plots file with how to draw it.
type Plot struct {
	// Path is the plots file; for a top-level plot whose y maps data files
	// to columns (YFiles), it is the plot's ID as written.
	Path     string
	X        string
	Y        []string
	Template string
	Title    string
	XLabel   string
	YLabel   string
	Cache    bool
	// YFiles and XFiles map data files to their columns, for top-level
	// plots drawn from several files.
	YFiles map[string][]string
	XFiles map[string]string
	Pos    Pos
}

// ChangeClass maps globs to a class of change.
type ChangeClass struct {
	Name  string
	Globs []string
}

// Test is a pipeline test command.
type Test struct {
	Name    string
	Cmd     string
	Timeout time.Duration
	Pos     Pos
}

// Model is a model with its files, gates, promotion policy and serving check.
type Model struct {
	Name string
	// Type is "model" unless a dvc.yaml artifact says otherwise.
	Type        string
	Path        string
	Metrics     []string
	Predictions string
	// Threshold turns a score in the predictions file into a class: at or
	// above it is class 1. It is used where the file has no prediction
	// column; DefaultThreshold unless configured.
	Threshold float64
	// PositiveClass names the class that is 1 for binary metrics when the
	// predictions file names its classes by text; "" when not set.
	PositiveClass string
	Gates         []Gate
	Promote       Promote
	Serve         *Serve
	Pos           Pos
}

// DefaultThreshold is a model's decision threshold when it sets none.
const DefaultThreshold = 0.5

// Gate is one rule a candidate model must pass.
type Gate struct {
	Metric string
	// HigherIsBetter is nil when the direction is guessed from the metric's name.
	HigherIsBetter *bool
	Min            *float64
	Max            *float64
	MaxDrop        *float64
	MaxRise        *float64
	MaxDropPct     *float64
	MaxRisePct     *float64
	MinImprovement *float64
	// Significance asks the candidate to be better (or not worse than Margin)
	// with confidence 1-Significance.
	Significance *float64
	Margin       *float64
	// SliceBy computes the gate per value of a predictions column.
	SliceBy      string
	MinSliceSize int
	// Severity is "error" (fails) or "warning" (reports only).
	Severity string
	Pos      Pos
}

// Promote is a model's promotion policy.
type Promote struct {
	// Stages are the stages in order, staging then production by default.
	Stages []string
	// Rules say when a version may enter each stage.
	Rules map[string]PromoteRule
}

// PromoteRule says when a version may enter a stage.
type PromoteRule struct {
	// On is "merge", "approval" or "manual".
	On string
	// AfterRuns is how many successful runs the version must have held the
	// previous stage for.
	AfterRuns int
	// After is how long the version must have held the previous stage.
	After time.Duration
	// Approvers are the permissions that may approve (write, maintain, admin).
	Approvers []string
	Pos       Pos
}

// Serve says how to start and query a model's prediction service.
type Serve struct {
	Cmd          string
	Ready        string
	ReadyTimeout time.Duration
	Method       string
	Path         string
	Body         string
	Rows         string
	Answer       string
	Tolerance    float64
	Requests     int
	Duration     time.Duration
	Concurrency  int
	Gates        []Gate
	Pos          Pos
}

// DataSet is a data file to profile, check against a schema and compare for drift.
type DataSet struct {
	Name string
	Path string
	// Format is csv, tsv, jsonl or parquet; guessed from the extension when empty.
	Format string
	Label  string
	ID     string
	// Schema is a committed schema file; empty means inferred from the baseline.
	Schema string
	Drift  Drift
	Pos    Pos
}

// Drift configures drift detection for a data set.
type Drift struct {
	// Share of drifted columns at which the data set drifts (0.5 by default).
	Share float64
	// Severity is "error" or "warning" (the default).
	Severity string
	// Columns override the test and threshold per column.
	Columns map[string]DriftColumn
}

// DriftColumn overrides drift detection for one column.
type DriftColumn struct {
	Test      string
	Threshold *float64
	Ignore    bool
	Pos       Pos
}

// Triggers say when continuous training retrains.
type Triggers struct {
	Data   *DataTrigger
	Drift  *DriftTrigger
	MaxAge time.Duration
	Metric *MetricTrigger
}

// DataTrigger retrains when the refreshed data differs from the production run's.
type DataTrigger struct {
	Refresh string
}

// DriftTrigger retrains when the new data drifts from the training data.
type DriftTrigger struct {
	Threshold float64
}

// MetricTrigger retrains when a monitored metric falls below a bound.
type MetricTrigger struct {
	File   string
	Cmd    string
	Metric string
	Min    *float64
	Max    *float64
	Pos    Pos
}

// ReportOptions are the report's options.
type ReportOptions struct {
	// Precision is the number of decimals metrics are shown with.
	Precision int
	// Template overrides the embedded templates from a folder.
	Template string
	// Key names the report for sticky comments; the workflow and job by default.
	Key string
}

// Remote is the shared remote cache.
type Remote struct {
	URL      string
	Endpoint string
	Region   string
}

// PlatformOptions are options for the CI platforms.
type PlatformOptions struct {
	// Permissions a commenter needs for comment commands.
	CommandPermissions []string
}

package report

import (
	"fmt"
	"math"
	"strings"
)

func f(v float64) *float64 { return &v }

func b(v bool) *bool { return &v }

// curve returns n points of y = fn(x) for x from 0 to 1, spaced unevenly as a
// ROC curve's thresholds are.
func curve(name string, n int, fn func(float64) float64) Series {
	s := Series{Name: name}
	for i := range n {
		x := math.Pow(float64(i)/float64(n-1), 2)
		s.X = append(s.X, x)
		s.Y = append(s.Y, fn(x))
	}
	return s
}

// history returns a training curve of n epochs.
func history(name string, n int, floor float64) Series {
	s := Series{Name: name}
	for i := range n {
		s.X = append(s.X, float64(i))
		s.Y = append(s.Y, floor+0.4*math.Exp(-float64(i)/30)+0.01*math.Sin(float64(i)))
	}
	return s
}

// fullData is a pull request that changed code and params, ran two of four
// stages and passed every gate.
func fullData() *Data {
	return &Data{
		Version:   "0.3.0",
		Key:       "pr/churn",
		Project:   "acme/churn",
		Candidate: Candidate{Commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Ref: "feature/lr"},
		Baseline: Baseline{Kind: BaselineCommit, Ref: "main",
			Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", Version: "v1.4.0"},
		Verdict: Verdict{State: Passed, Headline: "churn may be promoted"},
		Changes: Changes{
			Classes: []ClassCount{{"params", 1}, {"code", 1}, {"docs", 1}},
			Files: []File{
				{Path: "src/train.py", Status: "modified", Class: "code"},
				{Path: "params.yaml", Status: "modified", Class: "params"},
				{Path: "docs/model.md", OldPath: "MODEL.md", Status: "renamed", Class: "docs"},
			},
			Params: []ParamChange{
				{File: "params.yaml", Key: "train.lr", Base: "0.1", Head: "0.05"},
				{File: "params.yaml", Key: "train.epochs", Base: "150", Head: "200"},
			},
		},
		Stages: []Stage{
			{Name: "prepare", Result: Restored, Reason: "inputs equal main's", SavedSeconds: 190},
			{Name: "featurize", Result: Restored, Reason: "inputs equal main's", SavedSeconds: 62},
			{Name: "train", Result: Ran, Reason: "train.lr, train.epochs changed", Seconds: 281},
			{Name: "evaluate", Result: Ran, Reason: "upstream ran", Seconds: 12.4},
		},
		Tests: &Tests{Passed: 12, Seconds: 3.2},
		Models: []Model{{
			Name:    "churn",
			Version: "v1.5.0",
			Metrics: []Metric{
				{Key: "roc_auc", File: "eval/metrics.json", Base: f(0.9012), Head: f(0.9137),
					HigherIsBetter: b(true), Significance: &Significance{Method: "bootstrap",
						Significant: true, CILow: f(0.006), CIHigh: f(0.019), Confidence: 0.95}},
				{Key: "accuracy", File: "eval/metrics.json", Base: f(0.8631), Head: f(0.8702),
					HigherIsBetter: b(true), Significance: &Significance{Method: "McNemar",
						PValue: f(0.21), Confidence: 0.95}},
				{Key: "log_loss", File: "eval/metrics.json", Base: f(0.3311), Head: f(0.3187),
					HigherIsBetter: b(false)},
				{Key: "f1", File: "eval/metrics.json", Base: f(0.7122), Head: f(0.7122),
					HigherIsBetter: b(true)},
				{Key: "latency_ms", File: "eval/metrics.json", Base: f(12.1), Head: f(12.6)},
			},
			Params: []Param{
				{File: "params.yaml", Key: "train.lr", Base: "0.1", Head: "0.05"},
				{File: "params.yaml", Key: "train.epochs", Base: "150", Head: "200"},
				{File: "params.yaml", Key: "train.l2", Base: "0.001", Head: "0.001"},
				{File: "params.yaml", Key: "evaluate.threshold", Base: "0.5", Head: "0.5"},
			},
		}},
		Gates: []Gate{
			{Model: "churn", Metric: "accuracy", Rule: "≥ 0.75 and no drop over 0.02",
				Base: f(0.8631), Head: f(0.8702), Passed: true, Severity: "error"},
			{Model: "churn", Metric: "log_loss", Rule: "no rise over 0.02",
				Base: f(0.3311), Head: f(0.3187), Passed: true, Severity: "error"},
			{
				Model:    "churn",
				Metric:   "roc_auc",
				Rule:     "better than the baseline at 95%, margin 0.01",
				Base:     f(0.9012),
				Head:     f(0.9137),
				Passed:   true,
				Severity: "error",
				Significance: &Significance{Method: "bootstrap", Significant: true,
					CILow: f(0.006), CIHigh: f(0.019), Confidence: 0.95, PValue: f(0.00002)},
			},
			{Model: "churn", Metric: "accuracy", Rule: "no slice (n ≥ 100) drops over 0.05",
				Base: f(0.851), Head: f(0.847), Passed: true, Severity: "error",
				Slice: "region=EU", Message: "worst slice dropped 0.004"},
		},
		Serving: []ServingCheck{
			{Model: "churn", Check: "answers", Rule: "equal eval/predictions.csv within 1e-06",
				Value: f(0), Passed: true, Severity: "error",
				Message: "all 743 rows equal eval/predictions.csv (score)"},
			{Model: "churn", Check: "latency_p99_ms", Rule: "≤ 500", Value: f(6.15), Unit: "ms",
				Passed: true, Severity: "error"},
			{Model: "churn", Check: "latency_p99_ms", Rule: "no rise over 25%", Value: f(6.15),
				Unit: "ms", Severity: "warning",
				Message: "rose 32.77% (4.633 → 6.152), more than 25%"},
		},
		DataSets: []DataSet{{
			Name: "customers", Path: "data/raw/customers.csv", Rows: 2400, Columns: 9,
			BaseRows: new(2400),
			Drift: &Drift{Share: 0.1111, Threshold: 0.5, Columns: []DriftColumn{
				{Column: "tenure_months", Test: "Wasserstein / std", Value: f(0.031),
					Threshold: f(0.1)},
				{Column: "plan", Test: "Jensen–Shannon", Value: f(0.012), Threshold: f(0.1)},
				{Column: "monthly_charges", Test: "Wasserstein / std", Value: f(0.142),
					Threshold: f(0.1), Drifted: true, PValue: f(0.003)},
			}},
		}},
		Plots: []Plot{
			{Title: "ROC", Kind: ROC, XLabel: "false positive rate", YLabel: "true positive rate",
				Series: []Series{
					curve("baseline", 120, func(x float64) float64 { return math.Pow(x, 1.0/3) }),
					curve("candidate", 90, func(x float64) float64 { return math.Pow(x, 1.0/4) }),
				}},
			{Title: "Precision–recall", Kind: PR, XLabel: "recall", YLabel: "precision",
				Series: []Series{
					curve("baseline", 80, func(x float64) float64 { return 1 - 0.5*x*x }),
					curve("candidate", 80, func(x float64) float64 { return 1 - 0.4*x*x }),
				}},
			{Title: "Training loss", XLabel: "epoch", YLabel: "loss",
				Series: []Series{history("baseline", 150, 0.3), history("candidate", 200, 0.28)}},
			{Title: "Metrics against the baseline", Kind: Bar,
				Categories: []string{"accuracy", "roc_auc", "f1"},
				Series: []Series{{Name: "baseline", Y: []float64{0.8631, 0.9012, 0.7122}},
					{Name: "candidate", Y: []float64{0.8702, 0.9137, 0.7122}}}},
			{Title: "Confusion matrix", Confusion: &Confusion{Labels: []string{"stay", "churn"},
				Counts: [][]int{{402, 38}, {61, 99}}}},
		},
		Promotion: &Promotion{Model: "churn", Version: "v1.5.0", Stage: "staging",
			Message: "On merge.", Next: "production needs 1 green staging run and a " +
				"maintainer's /mlci promote churn production."},
		Links: Links{
			RunURL:    "https://github.com/acme/churn/actions/runs/42",
			ReportURL: "https://github.com/acme/churn/actions/runs/42#artifacts",
			BaselineURL: "https://github.com/acme/churn/commit/" +
				"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
		},
	}
}

// noBaseline is a first run: nothing to compare with.
func noBaseline() *Data {
	d := fullData()
	d.Baseline = Baseline{Kind: BaselineNone}
	d.Verdict = Verdict{State: Passed}
	d.Links.BaselineURL = ""
	for i := range d.Models[0].Metrics {
		m := &d.Models[0].Metrics[i]
		m.Base, m.Significance = nil, nil
	}
	for i := range d.Models[0].Params {
		d.Models[0].Params[i].Base = ""
	}
	for i := range d.Gates {
		g := &d.Gates[i]
		g.Base, g.Significance = nil, nil
		if strings.Contains(g.Rule, "baseline") || strings.Contains(g.Rule, "drop") ||
			strings.Contains(g.Rule, "rise") {
			g.Skipped, g.Message = true, "no baseline to compare with"
		}
	}
	d.DataSets[0].BaseRows, d.DataSets[0].Drift = nil, nil
	d.Stages = []Stage{
		{Name: "prepare", Result: Ran, Reason: "never ran", Seconds: 190},
		{Name: "featurize", Result: Ran, Reason: "never ran", Seconds: 62},
		{Name: "train", Result: Ran, Reason: "never ran", Seconds: 281},
		{Name: "evaluate", Result: Ran, Reason: "never ran", Seconds: 12.4},
	}
	d.Changes = Changes{}
	d.Plots = d.Plots[:3]
	for i := range d.Plots {
		d.Plots[i].Series = d.Plots[i].Series[1:]
	}
	return d
}

// nothingChanged is a docs-only change.
func nothingChanged() *Data {
	return &Data{
		Version:   "0.3.0",
		Key:       "pr/churn",
		Candidate: Candidate{Commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Ref: "docs"},
		Baseline: Baseline{Kind: BaselineCommit, Ref: "main",
			Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"},
		Verdict: Verdict{State: Nothing},
		Changes: Changes{
			Classes: []ClassCount{{"docs", 2}},
			Files: []File{{Path: "README.md", Status: "modified", Class: "docs"},
				{Path: "docs/usage.md", Status: "added", Class: "docs"}},
		},
		Stages: []Stage{
			{Name: "prepare", Result: NotAffected, SavedSeconds: 190},
			{Name: "featurize", Result: NotAffected, SavedSeconds: 62},
			{Name: "train", Result: NotAffected, SavedSeconds: 281},
			{Name: "evaluate", Result: NotAffected, SavedSeconds: 12.4},
		},
		Links: Links{RunURL: "https://github.com/acme/churn/actions/runs/43"},
	}
}

// failedStage is a run whose train stage's command failed.
func failedStage() *Data {
	d := fullData()
	d.Verdict = Verdict{State: Errored, Headline: "stage train failed",
		Reasons: []string{"python3 src/train.py exited with status 1"}}
	d.Stages[2] = Stage{Name: "train", Result: StageFailed, Reason: "exit status 1", Seconds: 4.2,
		Log: "Traceback (most recent call last):\n  File \"src/train.py\", line 12, in <module>\n" +
			"    lr = params['train']['lr']\n\nKeyError: 'lr'\n"}
	d.Stages[3] = Stage{Name: "evaluate", Result: Skipped, Reason: "upstream failed"}
	d.Tests = &Tests{Passed: 11, Failed: 1, Seconds: 3.4, Failures: []TestFailure{{
		Name:    "tests.test_train.TestTrain.test_lr_positive",
		Message: "AssertionError: -0.05 not greater than 0\n```\nnot a fence\n```",
	}}}
	d.Models[0].Metrics = nil
	d.Gates, d.Plots, d.Promotion = nil, nil, nil
	return d
}

// failedGate is a candidate that regressed.
func failedGate() *Data {
	d := fullData()
	d.Verdict = Verdict{State: Failed, Headline: "accuracy dropped 0.0312, more than 0.02",
		Reasons: []string{"roc_auc is not better than the baseline (p = 0.41)"}}
	m := d.Models[0].Metrics
	m[1].Head, m[0].Head = f(0.8319), f(0.8990)
	m[0].Significance = &Significance{Method: "bootstrap", CILow: f(-0.011), CIHigh: f(0.006),
		Confidence: 0.95, PValue: f(0.41)}
	d.Gates[0].Head, d.Gates[0].Passed = f(0.8319), false
	d.Gates[0].Message = "dropped 0.0312, more than 0.02"
	d.Gates[2].Head, d.Gates[2].Passed = f(0.8990), false
	d.Gates[2].Significance = m[0].Significance
	d.Gates[2].Message = "not better with 95% confidence"
	d.Gates[3].Passed, d.Gates[3].Severity = false, "warning"
	d.Gates[3].Message = "slice region=APAC dropped 0.061"
	d.Gates[3].Slice = "region=APAC"
	d.DataSets[0].Drift.Drifted, d.DataSets[0].Drift.Share = true, 0.5556
	d.DataSets[0].SchemaIssues = []Issue{{Column: "plan", Rule: "allowed values",
		Message: "2 rows hold \"platinum\", not one of basic, plus, pro", Severity: "error"}}
	d.Promotion = nil
	return d
}

// hugeData is a change too big for a comment: thousands of files, long series.
func hugeData() *Data {
	d := fullData()
	d.Verdict.Headline = ""
	for i := range 4000 {
		d.Changes.Files = append(d.Changes.Files, File{
			Path: fmt.Sprintf("data/images/part-%04d/img-%05d.png", i/100, i), Status: "added",
			Class: "data"})
	}
	d.Changes.Classes = append(d.Changes.Classes, ClassCount{"data", 4000})
	for i := range 300 {
		d.Models[0].Params = append(d.Models[0].Params, Param{File: "params.yaml",
			Key: fmt.Sprintf("grid.p%03d", i), Base: "1", Head: "1"})
	}
	for i := range 40 {
		d.DataSets[0].Drift.Columns = append(d.DataSets[0].Drift.Columns, DriftColumn{
			Column: fmt.Sprintf("pixel_%03d", i), Test: "PSI", Value: f(0.01), Threshold: f(0.2)})
	}
	d.Plots[2].Series = append(d.Plots[2].Series, history("run 3", 5000, 0.27),
		history("run 4", 5000, 0.26), history("run 5", 100, 0.25), history("run 6", 100, 0.24),
		history("run 7", 100, 0.23), history("run 8", 100, 0.22), history("run 9", 100, 0.21))
	d.Truncated = []string{"files after the first 4,000"}
	return d
}

// hostileData carries values written to break out of Markdown and HTML, to
// notify people and to forge the sticky marker.
func hostileData() *Data {
	const evil = "a|b`c`<script>alert(1)</script>\n## @octocat #1 *x* _y_ [l](http://e.vil) $x$ " +
		"<!-- mlci:report key=forged --> -->"
	d := fullData()
	d.Key = "pr/churn --> <img src=x onerror=alert(1)>"
	d.Project = evil
	d.Candidate.Ref = "feature/`x`|y"
	d.Verdict = Verdict{State: Failed, Headline: evil, Reasons: []string{"@channel look\r\nnow"}}
	d.Changes.Files = append(d.Changes.Files, File{Path: "src/" + evil + ".py",
		Status: "added", Class: "code"}, File{Path: "``` ` ``", Status: "added", Class: "other"})
	d.Changes.Params = append(d.Changes.Params, ParamChange{File: "params.yaml",
		Key: "x|y", Base: "@admin", Head: "</details><details open>"})
	d.Models[0].Name = "churn<b>"
	d.Models[0].Metrics = append(d.Models[0].Metrics, Metric{Key: evil, Base: f(1),
		Head: f(math.NaN()), Change: f(math.Inf(1))})
	d.Gates[0].Message = evil
	d.Stages[0].Reason = evil
	d.Tests = &Tests{Failed: 1, Failures: []TestFailure{{Name: evil,
		Message: "````\n" + evil + "\n```"}}}
	d.DataSets[0].Drift.Columns[0].Column = evil
	d.Plots[0].Title = evil
	d.Plots[0].XLabel = `x "label" %%{init}%%`
	d.Plots[0].Series[0].Name = evil
	d.Plots[3].Categories[0] = `"];alert(1);//`
	d.Plots[4].Confusion.Labels[0] = evil
	d.Links.RunURL = "javascript:alert(1)"
	d.Links.ReportURL = "https://example.com/a) [x](http://evil"
	d.Version = evil
	return d
}

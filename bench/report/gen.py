"""Writes a report.json for bench/report: a pull request's report with charts.

usage: gen.py POINTS FILES OUT.json
POINTS is the length of each series (two ROC curves, two precision-recall
curves, two training curves); FILES the number of changed files listed.
Standard library only; seeded, so every run writes the same file.
"""

import json
import math
import random
import sys


def curve(name, n, power):
    xs = [(i / (n - 1)) ** 2 for i in range(n)]
    return {"name": name, "x": xs, "y": [x ** power for x in xs]}


def history(name, n, floor, rng):
    ys = [floor + 0.4 * math.exp(-i / (n / 10)) + rng.gauss(0, 0.005) for i in range(n)]
    return {"name": name, "x": list(range(n)), "y": ys}


def main():
    points, files, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(1)
    metrics = [("accuracy", 0.8631, 0.8702, True), ("roc_auc", 0.9012, 0.9137, True),
               ("log_loss", 0.3311, 0.3187, False), ("f1", 0.7122, 0.7180, True)]
    report = {
        "schema": 1, "version": "bench", "key": "pr/churn",
        "candidate": {"commit": "a1b2c3d4e5f6", "ref": "feature"},
        "baseline": {"kind": "commit", "ref": "main", "commit": "9f8e7d6c5b4a"},
        "verdict": {"state": "passed"},
        "changes": {
            "classes": [{"class": "data", "files": files}],
            "files": [{"path": f"data/raw/part-{i // 1000:03d}/rows-{i:06d}.csv",
                       "status": "added", "class": "data"} for i in range(files)],
        },
        "models": [{"name": "churn", "metrics": [
            {"key": k, "file": "eval/metrics.json", "base": b, "head": h, "higher_is_better": up}
            for k, b, h, up in metrics]}],
        "gates": [{"model": "churn", "metric": k, "rule": "no drop over 0.02", "base": b,
                   "head": h, "passed": True, "severity": "error"} for k, b, h, _ in metrics],
        "plots": [
            {"title": "ROC", "kind": "roc", "x_label": "false positive rate",
             "y_label": "true positive rate",
             "series": [curve("baseline", points, 1 / 3), curve("candidate", points, 1 / 4)]},
            {"title": "Precision-recall", "kind": "pr", "x_label": "recall", "y_label": "precision",
             "series": [curve("baseline", points, 3), curve("candidate", points, 4)]},
            {"title": "Training loss", "x_label": "epoch", "y_label": "loss",
             "series": [history("baseline", points, 0.3, rng),
                        history("candidate", points, 0.28, rng)]},
            {"title": "Metrics", "kind": "bar", "categories": [m[0] for m in metrics],
             "series": [{"name": "baseline", "y": [m[1] for m in metrics]},
                        {"name": "candidate", "y": [m[2] for m in metrics]}]},
            {"title": "Confusion matrix",
             "confusion": {"labels": ["stay", "churn"], "counts": [[402, 38], [61, 99]]}},
        ],
        "links": {"run_url": "https://github.com/acme/churn/actions/runs/1"},
    }
    with open(out, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()

"""Stage `evaluate`: score the test split and write metrics, predictions, plots.

Reads  models/model.json, data/features/test.csv
Writes eval/metrics.json, eval/predictions.csv, eval/plots/roc.csv, eval/plots/prc.csv
Params evaluate.threshold

Scores are rounded to 6 decimals first and every metric is computed from the
rounded scores, so the metrics can be recomputed exactly from predictions.csv
(columns id,label,score,prediction,region; prediction = score >= threshold).

metrics.json: accuracy, precision, recall, f1 (at evaluate.threshold),
roc_auc (rank based, tied scores get their average rank) and log_loss
(probabilities clipped to [1e-15, 1 - 1e-15]); values rounded to 6 decimals.
roc.csv (fpr,tpr,threshold) and prc.csv (recall,precision,threshold) have one
point per distinct score, a point meaning "predict 1 when score >= threshold";
roc.csv also starts at (0, 0) with a threshold above every score.
"""

import csv
import json
import math
import os
import sys

from params import section

TEST_PATH = os.path.join("data", "features", "test.csv")
MODEL_PATH = os.path.join("models", "model.json")
METRICS_PATH = os.path.join("eval", "metrics.json")
PREDICTIONS_PATH = os.path.join("eval", "predictions.csv")
ROC_PATH = os.path.join("eval", "plots", "roc.csv")
PRC_PATH = os.path.join("eval", "plots", "prc.csv")


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def confusion(labels, preds):
    """Return (tp, fp, tn, fn)."""
    tp = fp = tn = fn = 0
    for t, p in zip(labels, preds):
        if p == 1:
            if t == 1:
                tp += 1
            else:
                fp += 1
        else:
            if t == 1:
                fn += 1
            else:
                tn += 1
    return tp, fp, tn, fn


def accuracy(labels, preds):
    if not labels:
        return 0.0
    return sum(1 for t, p in zip(labels, preds) if t == p) / len(labels)


def precision(labels, preds):
    tp, fp, _, _ = confusion(labels, preds)
    return tp / (tp + fp) if tp + fp else 0.0


def recall(labels, preds):
    tp, _, _, fn = confusion(labels, preds)
    return tp / (tp + fn) if tp + fn else 0.0


def f1(labels, preds):
    p, r = precision(labels, preds), recall(labels, preds)
    return 2 * p * r / (p + r) if p + r else 0.0


def average_ranks(values):
    """1-based ranks of values; tied values share their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        avg = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            ranks[order[k]] = avg
        i = j + 1
    return ranks


def roc_auc(labels, scores):
    """Area under the ROC curve (Mann-Whitney U / (n_pos * n_neg))."""
    n_pos = sum(1 for t in labels if t == 1)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc needs both classes")
    ranks = average_ranks(scores)
    rank_sum = math.fsum(r for r, t in zip(ranks, labels) if t == 1)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def log_loss(labels, scores, eps=1e-15):
    total = 0.0
    terms = []
    for t, s in zip(labels, scores):
        p = min(max(s, eps), 1.0 - eps)
        terms.append(-math.log(p) if t == 1 else -math.log(1.0 - p))
    total = math.fsum(terms)
    return total / len(terms) if terms else 0.0


def _cumulative(labels, scores):
    """(threshold, tp, fp) after each distinct score, highest first."""
    pairs = sorted(zip(scores, labels), key=lambda p: -p[0])
    out = []
    tp = fp = 0
    i = 0
    while i < len(pairs):
        s = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == s:
            if pairs[i][1] == 1:
                tp += 1
            else:
                fp += 1
            i += 1
        out.append((s, tp, fp))
    return out


def roc_points(labels, scores):
    """List of (fpr, tpr, threshold), starting at (0, 0)."""
    n_pos = sum(1 for t in labels if t == 1)
    n_neg = len(labels) - n_pos
    top = max(scores) if scores else 0.0
    start = 1.0 if top < 1.0 else round(top + 1e-6, 6)
    points = [(0.0, 0.0, start)]
    for s, tp, fp in _cumulative(labels, scores):
        points.append((fp / n_neg if n_neg else 0.0, tp / n_pos if n_pos else 0.0, s))
    return points


def pr_points(labels, scores):
    """List of (recall, precision, threshold), recall increasing."""
    n_pos = sum(1 for t in labels if t == 1)
    return [(tp / n_pos if n_pos else 0.0, tp / (tp + fp), s)
            for s, tp, fp in _cumulative(labels, scores)]


def compute_metrics(labels, scores, threshold):
    preds = [1 if s >= threshold else 0 for s in scores]
    metrics = {
        "accuracy": accuracy(labels, preds),
        "precision": precision(labels, preds),
        "recall": recall(labels, preds),
        "f1": f1(labels, preds),
        "roc_auc": roc_auc(labels, scores),
        "log_loss": log_loss(labels, scores),
    }
    return {k: round(v, 6) for k, v in metrics.items()}, preds


def write_points(path, header, points):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for p in points:
            f.write(",".join("%.6f" % v for v in p) + "\n")


def main():
    threshold = float(section("evaluate")["threshold"])
    with open(MODEL_PATH) as f:
        model = json.load(f)
    names, weights, bias = model["features"], model["weights"], model["bias"]
    ids, labels, scores, regions = [], [], [], []
    with open(TEST_PATH, newline="") as f:
        for row in csv.DictReader(f):
            x = [float(row[n]) for n in names]
            z = bias + math.fsum(w * v for w, v in zip(weights, x))
            ids.append(row["id"])
            labels.append(int(row["churned"]))
            scores.append(round(sigmoid(z), 6))
            regions.append(row["region"])
    metrics, preds = compute_metrics(labels, scores, threshold)
    os.makedirs(os.path.dirname(METRICS_PATH), exist_ok=True)
    with open(METRICS_PATH, "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(PREDICTIONS_PATH, "w", newline="") as f:
        f.write("id,label,score,prediction,region\n")
        for i, t, s, p, r in zip(ids, labels, scores, preds, regions):
            f.write("%s,%d,%.6f,%d,%s\n" % (i, t, s, p, r))
    write_points(ROC_PATH, "fpr,tpr,threshold", roc_points(labels, scores))
    write_points(PRC_PATH, "recall,precision,threshold", pr_points(labels, scores))
    print("evaluate: %d rows, %s" % (len(labels), json.dumps(metrics, sort_keys=True)))


if __name__ == "__main__":
    sys.exit(main())

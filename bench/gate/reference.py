"""The paired bootstrap of bench/gate in Python, with numpy and scikit-learn.

usage: reference.py BASE.csv HEAD.csv METRIC RESAMPLES
Resamples the test set with replacement RESAMPLES times and computes the
metric's difference (head - base) on each resample with scikit-learn, as one
would without mlci. Prints the seconds taken, the seconds per resample and
the 95% interval.
"""

import csv
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score


def load(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    label = np.array([float(r["label"]) for r in rows])
    score = np.array([float(r["score"]) for r in rows])
    pred = np.array([float(r["prediction"]) for r in rows])
    return label, score, pred


def main():
    base_path, head_path, metric = sys.argv[1:4]
    resamples = int(sys.argv[4])
    label, base_score, base_pred = load(base_path)
    _, head_score, head_pred = load(head_path)
    if metric == "roc_auc":
        fn, base, head = roc_auc_score, base_score, head_score
    else:
        fn, base, head = accuracy_score, base_pred, head_pred

    rng = np.random.default_rng(1)
    n = len(label)
    start = time.perf_counter()
    diffs = np.empty(resamples)
    for i in range(resamples):
        idx = rng.integers(0, n, n)
        diffs[i] = fn(label[idx], head[idx]) - fn(label[idx], base[idx])
    took = time.perf_counter() - start
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    print(f"{took:.2f} {took / resamples * 1000:.3f} {lo:+.5f} {hi:+.5f}")


if __name__ == "__main__":
    main()

"""Writes drift test cases with SciPy's answers, for the datacheck tests.

usage: drift_reference.py OUTDIR

For each case it writes OUTDIR/NAME.base.csv and OUTDIR/NAME.head.csv, and it
prints one JSON document: per case and column, the statistics SciPy (and
numpy, for PSI) computes from the two columns with nulls dropped. The cases
are generated data and the small data sets scikit-learn ships (iris, wine,
breast cancer, diabetes), each cut into its first and second half.
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
from sklearn import datasets

out = sys.argv[1]
rng = np.random.default_rng(7)


def generated_small():
    def frame(n, shift, plans):
        x = rng.normal(10 + shift, 2, n)
        x[rng.random(n) < 0.05] = np.nan
        return pd.DataFrame({
            "x": np.round(x, 3),
            "calls": rng.poisson(2 + shift, n),
            "plan": rng.choice(plans, n, p=[0.5, 0.3, 0.2]),
        })
    return frame(300, 0, ["a", "b", "c"]), frame(410, 0.3, ["a", "b", "d"])


def generated_mid():
    def frame(n, scale):
        return pd.DataFrame({
            "u": rng.uniform(0, scale, n),
            "level": rng.choice(["low", "mid", "high"], n, p=[0.2, 0.5, 0.3]),
            "same": np.full(n, 4.0),
        })
    return frame(1500, 1.0), frame(2000, 1.05)


def sklearn_halves(loader, target_names=True):
    d = loader(as_frame=True)
    df = d.frame.copy()
    if target_names and hasattr(d, "target_names"):
        df["target"] = np.asarray(d.target_names)[d.target.to_numpy()]
    half = len(df) // 2
    return df.iloc[:half], df.iloc[half:]


def psi(base, head):
    edges = np.unique(np.quantile(base, [i / 10 for i in range(1, 10)]))

    def shares(x):
        counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
        s = counts / len(x)
        s[s == 0] = 1e-4
        return s

    b, h = shares(base), shares(head)
    return float(np.sum((h - b) * np.log(h / b)))


def finite(x):
    return "inf" if math.isinf(x) else float(x)


def numeric(b, h):
    ks = stats.ks_2samp(b, h, method="auto")
    std = np.std(b)
    w = stats.wasserstein_distance(b, h)
    return {"kind": "numeric", "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
            "wasserstein": finite(w / std) if std > 0 else (0.0 if w == 0 else "inf"),
            "psi": psi(b, h)}


def categorical(b, h):
    keys = list(dict.fromkeys(list(b.value_counts().index) + list(h.value_counts().index)))
    p = np.array([float((b == k).sum()) for k in keys])
    q = np.array([float((h == k).sum()) for k in keys])
    exp = p * q.sum() / p.sum()
    if np.any((exp == 0) & (q > 0)):
        chi = ("inf", 0.0)
    else:
        r = stats.chisquare(q, exp)
        chi = (float(r.statistic), float(r.pvalue))
    return {"kind": "categorical", "chi_statistic": chi[0], "chi_pvalue": chi[1],
            "jensenshannon": float(distance.jensenshannon(p, q)),
            "linf": float(np.max(np.abs(p / p.sum() - q / q.sum())))}


cases = {
    "generated_small": generated_small(),
    "generated_mid": generated_mid(),
    "iris": sklearn_halves(datasets.load_iris),
    "wine": sklearn_halves(datasets.load_wine),
    "breast_cancer": sklearn_halves(datasets.load_breast_cancer),
    "diabetes": sklearn_halves(datasets.load_diabetes, target_names=False),
}
result = {}
for name, (base, head) in cases.items():
    base.to_csv(os.path.join(out, name + ".base.csv"), index=False)
    head.to_csv(os.path.join(out, name + ".head.csv"), index=False)
    cols = {}
    for c in base.columns:
        b, h = base[c].dropna(), head[c].dropna()
        if pd.api.types.is_numeric_dtype(b):
            cols[c] = numeric(b.to_numpy(float), h.to_numpy(float))
        else:
            cols[c] = categorical(b, h)
    result[name] = cols
json.dump(result, sys.stdout)

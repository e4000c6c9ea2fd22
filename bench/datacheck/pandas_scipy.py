"""The datacheck benchmark's reference side: the same work in pandas and SciPy.

usage: pandas_scipy.py profile DATA.csv BASELINE.pkl
       pandas_scipy.py compare BASELINE.pkl DATA.csv OUT.json

profile reads a CSV, computes what an mlci profile holds (types, nulls, min,
max, mean, std, quantiles, a 20-bin histogram, value counts) and stores the
data frame as the baseline (pandas has no smaller summary that the drift
tests could use). compare profiles a new CSV the same way and computes, per
column, mlci's default test for large data: the Wasserstein distance over the
baseline's standard deviation for numbers, the Jensen-Shannon distance for
strings. It writes {column: statistic} as JSON.
"""
import json
import sys

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

LEVELS = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]


def profile(df):
    out = {}
    for c in df.columns:
        s = df[c]
        col = {"dtype": str(s.dtype), "nulls": int(s.isna().sum())}
        if pd.api.types.is_numeric_dtype(s):
            v = s.dropna().to_numpy(float)
            col.update(min=float(v.min()), max=float(v.max()), mean=float(v.mean()),
                       std=float(v.std()), quantiles=np.quantile(v, LEVELS).tolist(),
                       histogram=np.histogram(v, 20)[0].tolist())
        else:
            col["top"] = s.value_counts().head(1000).to_dict()
        out[c] = col
    return out


def drift(base, head):
    out = {}
    for c in base.columns:
        if c == "id":
            continue
        b, h = base[c].dropna(), head[c].dropna()
        if pd.api.types.is_numeric_dtype(b):
            bv = b.to_numpy(float)
            out[c] = float(stats.wasserstein_distance(bv, h.to_numpy(float)) / np.std(bv))
        else:
            p, q = b.value_counts(), h.value_counts()
            keys = p.index.union(q.index)
            out[c] = float(distance.jensenshannon(p.reindex(keys, fill_value=0).to_numpy(float),
                                                  q.reindex(keys, fill_value=0).to_numpy(float)))
    return out


if sys.argv[1] == "profile":
    df = pd.read_csv(sys.argv[2])
    profile(df)
    df.to_pickle(sys.argv[3])
else:
    base = pd.read_pickle(sys.argv[2])
    head = pd.read_csv(sys.argv[3])
    profile(head)
    with open(sys.argv[4], "w") as f:
        json.dump(drift(base, head), f)

"""Writes a CSV of ROWS rows and 20 columns for the datacheck benchmark.

usage: gen.py ROWS SEED SHIFT OUT.csv

SHIFT moves three numeric columns and one categorical column, so that a
head file written with SHIFT > 0 drifts from a base written with SHIFT = 0.
"""
import sys

import numpy as np
import pandas as pd

rows, seed, shift, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)

cols = {"id": np.arange(1, rows + 1)}
for i in range(9):
    loc = shift if i < 3 else 0.0
    cols[f"x{i}"] = np.round(rng.normal(loc, 1 + i / 10, rows), 4)
cols["amount"] = np.round(rng.lognormal(3 + shift / 10, 1, rows), 2)
cols["ratio"] = np.round(rng.uniform(0, 1, rows), 5)
cols["count"] = rng.poisson(3, rows)
cols["age"] = rng.integers(18, 90, rows)
cols["visits"] = rng.integers(0, 1000, rows)
plans = np.array(["basic", "standard", "premium", "enterprise"])
p = [0.4, 0.3, 0.2, 0.1] if shift == 0 else [0.25, 0.25, 0.25, 0.25]
cols["plan"] = rng.choice(plans, rows, p=p)
cols["region"] = rng.choice(np.array(["EU", "US", "APAC", "LATAM", "MEA"]), rows)
cols["channel"] = rng.choice(np.array([f"ch{i:02d}" for i in range(40)]), rows)
cols["flag"] = rng.choice(np.array(["yes", "no"]), rows)
cols["label"] = rng.integers(0, 2, rows)
df = pd.DataFrame(cols)
df.loc[rng.random(rows) < 0.01, "x5"] = np.nan
df.to_csv(out, index=False)

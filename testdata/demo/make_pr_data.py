"""Build the data overlay of the demo pull request.

Writes pr/2-data/data/raw/customers.csv from the example's baseline table
(../example/data/raw/customers.csv):

1. Data fix: rows whose monthly_charges is negative were a sign error in the
   billing export; the value is replaced by its absolute value. (The baseline
   pipeline drops these rows; after the fix they are kept.) Rows with
   monthly_charges of exactly 0 cannot be repaired and are left as they are.
2. New data: NEW_ROWS customers are appended (ids continue after the last
   baseline id), drawn from the same generator as the baseline, except that
   monthly_charges is shifted up by CHARGES_SHIFT (a price increase). Every
   other column keeps its baseline distribution; the label follows the same
   churn model, so the churn rate of the new rows is higher because they pay
   more.

The baseline rows keep their order and bytes apart from the fixed values.
The script prints drift statistics of every column against the baseline,
once for the whole new table and once for the appended rows alone.

Usage (from anywhere): python3 testdata/demo/make_pr_data.py
"""

import csv
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(os.path.dirname(HERE), "example")
sys.dont_write_bytecode = True  # do not leave __pycache__ in the example project
sys.path.insert(0, os.path.join(EXAMPLE, "scripts"))

import generate_data  # noqa: E402

BASELINE = os.path.join(EXAMPLE, "data", "raw", "customers.csv")
OUT = os.path.join(HERE, "pr", "2-data", "data", "raw", "customers.csv")
SEED = 2024
NEW_ROWS = 500
CHARGES_SHIFT = 30.0

NUMERIC = ["tenure_months", "monthly_charges", "support_calls", "age"]
CATEGORICAL = ["plan", "region", "churned"]


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["id"] = int(r["id"])
        r["tenure_months"] = int(r["tenure_months"])
        r["monthly_charges"] = float(r["monthly_charges"])
        r["support_calls"] = int(r["support_calls"])
        r["age"] = int(r["age"])
        r["churned"] = int(r["churned"])
    return rows


def build(baseline_rows):
    rows = [dict(r) for r in baseline_rows]
    fixed = 0
    for r in rows:
        if r["monthly_charges"] < 0:
            r["monthly_charges"] = -r["monthly_charges"]
            fixed += 1
    rng = random.Random(SEED)
    next_id = max(r["id"] for r in rows) + 1
    new = []
    for i in range(NEW_ROWS):
        row = generate_data.draw_customer(rng, charges_shift=CHARGES_SHIFT)
        row["id"] = next_id + i
        new.append(row)
    return rows + new, new, fixed


# --- drift statistics (reported only) --------------------------------------

def wasserstein(a, b):
    """1-D Wasserstein-1 distance between two samples."""
    a, b = sorted(a), sorted(b)
    values = sorted(set(a) | set(b))
    ia = ib = 0
    dist = 0.0
    for v, nxt in zip(values, values[1:]):
        while ia < len(a) and a[ia] <= v:
            ia += 1
        while ib < len(b) and b[ib] <= v:
            ib += 1
        dist += abs(ia / len(a) - ib / len(b)) * (nxt - v)
    return dist


def ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value."""
    a, b = sorted(a), sorted(b)
    values = sorted(set(a) | set(b))
    ia = ib = 0
    d = 0.0
    for v in values:
        while ia < len(a) and a[ia] <= v:
            ia += 1
        while ib < len(b) and b[ib] <= v:
            ib += 1
        d = max(d, abs(ia / len(a) - ib / len(b)))
    en = math.sqrt(len(a) * len(b) / (len(a) + len(b)))
    lam = (en + 0.12 + 0.11 / en) * d
    p = 0.0
    for k in range(1, 101):
        p += 2 * (-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam)
    return d, min(1.0, max(0.0, p))


def std(a):
    m = sum(a) / len(a)
    return math.sqrt(sum((x - m) ** 2 for x in a) / len(a))


def chi2(a, b):
    """Chi-square test of homogeneity of two categorical samples."""
    cats = sorted(set(a) | set(b), key=str)
    stat = 0.0
    n = len(a) + len(b)
    for sample in (a, b):
        for c in cats:
            total_c = a.count(c) + b.count(c)
            expected = total_c * len(sample) / n
            stat += (sample.count(c) - expected) ** 2 / expected
    df = len(cats) - 1
    if df == 1:
        p = math.erfc(math.sqrt(stat / 2))
    elif df == 2:
        p = math.exp(-stat / 2)
    else:
        raise ValueError("df %d not supported" % df)
    return stat, p


def report(base, other, title):
    print(title)
    for col in NUMERIC:
        a = [r[col] for r in base]
        b = [r[col] for r in other]
        w = wasserstein(a, b) / std(a)
        d, p = ks(a, b)
        flag = "DRIFT" if w >= 0.1 and p < 0.05 else ""
        print("  %-16s wasserstein/std=%.4f  ks=%.4f  p=%.3g  %s" % (col, w, d, p, flag))
    for col in CATEGORICAL:
        stat, p = chi2([r[col] for r in base], [r[col] for r in other])
        print("  %-16s chi2=%.3f  p=%.3g  %s" % (col, stat, p, "DRIFT" if p < 0.05 else ""))


def main():
    baseline = read_rows(BASELINE)
    rows, new, fixed = build(baseline)
    generate_data.write_csv(OUT, rows)
    print("wrote %s: %d baseline rows (%d monthly_charges sign fixes) + %d new rows"
          % (os.path.relpath(OUT), len(baseline), fixed, len(new)))
    report(baseline, rows, "drift, baseline vs new table:")
    report(baseline, new, "drift, baseline vs appended rows:")


if __name__ == "__main__":
    main()

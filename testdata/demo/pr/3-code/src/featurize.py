"""Stage `featurize`: turn prepared rows into numeric feature vectors.

Reads  data/prepared/train.csv, data/prepared/test.csv
Writes data/features/train.csv, data/features/test.csv, data/features/meta.json
Params featurize.scale, featurize.interactions

Features, in this order:
  * numeric columns: tenure_months, monthly_charges, support_calls, age
  * derived: charges_per_tenure = monthly_charges / (tenure_months + 1),
    high for customers who pay a lot but joined recently
  * when featurize.interactions: the pairwise products of the numeric
    columns (computed on raw values), named "<a>_x_<b>"
  * one-hot plan_basic, plan_standard, plan_premium and
    region_EU, region_US, region_APAC (fixed category lists, so the
    feature set does not depend on which values a split happens to contain)
When featurize.scale, every numeric and interaction feature is standardised
with the mean and (population) standard deviation of the TRAIN split; the
same statistics are applied to the test split and saved in meta.json.

Both CSV files have the columns: id, <features...>, churned, region.
`id`, `churned` (the label) and `region` (raw, for slicing metrics by
region) are not features; meta.json lists the feature columns.
"""

import csv
import json
import math
import os
import sys

from params import section

IN_DIR = os.path.join("data", "prepared")
OUT_DIR = os.path.join("data", "features")
NUMERIC = ["tenure_months", "monthly_charges", "support_calls", "age"]
DERIVED = ["charges_per_tenure"]
CATEGORIES = {
    "plan": ["basic", "standard", "premium"],
    "region": ["EU", "US", "APAC"],
}
LABEL = "churned"
EXTRA = ["id", LABEL, "region"]


def one_hot(value, categories, prefix):
    """One-hot encode value; returns {prefix_category: 0/1}."""
    if value not in categories:
        raise ValueError("unknown %s %r (expected one of %s)" % (prefix, value, categories))
    return {"%s_%s" % (prefix, c): (1 if value == c else 0) for c in categories}


def interaction_names():
    names = []
    for i, a in enumerate(NUMERIC):
        for b in NUMERIC[i + 1:]:
            names.append("%s_x_%s" % (a, b))
    return names


def numeric_names(interactions):
    return list(NUMERIC) + list(DERIVED) + (interaction_names() if interactions else [])


def categorical_names():
    return ["%s_%s" % (col, c) for col in CATEGORIES for c in CATEGORIES[col]]


def feature_names(interactions):
    return numeric_names(interactions) + categorical_names()


def charges_per_tenure(monthly_charges, tenure_months):
    """Monthly charges per month of tenure (+1 so new customers are defined)."""
    return monthly_charges / (tenure_months + 1.0)


def raw_features(row, interactions):
    """Unscaled feature values of one prepared row, as {name: value}."""
    out = {name: float(row[name]) for name in NUMERIC}
    out["charges_per_tenure"] = charges_per_tenure(out["monthly_charges"], out["tenure_months"])
    if interactions:
        for i, a in enumerate(NUMERIC):
            for b in NUMERIC[i + 1:]:
                out["%s_x_%s" % (a, b)] = out[a] * out[b]
    for col, cats in CATEGORIES.items():
        out.update(one_hot(row[col], cats, col))
    return out


def fit_scaler(feature_rows, names):
    """Mean and population std of each named column over the rows."""
    stats = {}
    n = len(feature_rows)
    if n == 0:
        raise ValueError("cannot fit scaler on zero rows")
    for name in names:
        mean = math.fsum(r[name] for r in feature_rows) / n
        var = math.fsum((r[name] - mean) ** 2 for r in feature_rows) / n
        std = math.sqrt(var)
        stats[name] = {"mean": mean, "std": std if std > 0 else 1.0}
    return stats


def apply_scaler(feature_row, stats):
    out = dict(feature_row)
    for name, s in stats.items():
        out[name] = (feature_row[name] - s["mean"]) / s["std"]
    return out


def build(train_rows, test_rows, scale=True, interactions=False):
    """Featurize prepared rows.

    Returns (names, train_features, test_features, stats) where the feature
    lists hold one {name: value} dict per row and stats is the scaler ({} when
    scale is false).
    """
    names = feature_names(interactions)
    train_f = [raw_features(r, interactions) for r in train_rows]
    test_f = [raw_features(r, interactions) for r in test_rows]
    stats = {}
    if scale:
        stats = fit_scaler(train_f, numeric_names(interactions))
        train_f = [apply_scaler(r, stats) for r in train_f]
        test_f = [apply_scaler(r, stats) for r in test_f]
    return names, train_f, test_f, stats


def fmt(value):
    if isinstance(value, int):
        return str(value)
    s = "%.6f" % value
    return "0.000000" if s == "-0.000000" else s


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_features(path, names, rows, features):
    with open(path, "w", newline="") as f:
        f.write(",".join(["id"] + names + [LABEL, "region"]) + "\n")
        for row, feats in zip(rows, features):
            values = [row["id"]] + [fmt(feats[n]) for n in names] + [row[LABEL], row["region"]]
            f.write(",".join(values) + "\n")


def main():
    p = section("featurize")
    scale = bool(p["scale"])
    interactions = bool(p["interactions"])
    train_rows = read_csv(os.path.join(IN_DIR, "train.csv"))
    test_rows = read_csv(os.path.join(IN_DIR, "test.csv"))
    names, train_f, test_f, stats = build(train_rows, test_rows, scale, interactions)
    os.makedirs(OUT_DIR, exist_ok=True)
    write_features(os.path.join(OUT_DIR, "train.csv"), names, train_rows, train_f)
    write_features(os.path.join(OUT_DIR, "test.csv"), names, test_rows, test_f)
    meta = {
        "features": names,
        "label": LABEL,
        "extra_columns": EXTRA,
        "scale": scale,
        "interactions": interactions,
        "categories": CATEGORIES,
        "scaling": {k: {"mean": round(v["mean"], 6), "std": round(v["std"], 6)}
                    for k, v in stats.items()},
        "rows": {"train": len(train_rows), "test": len(test_rows)},
    }
    with open(os.path.join(OUT_DIR, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    print("featurize: %d features, %d train rows, %d test rows"
          % (len(names), len(train_rows), len(test_rows)))


if __name__ == "__main__":
    sys.exit(main())

"""Stage `prepare`: clean the raw table and split it into train and test.

Reads  data/raw/customers.csv
Writes data/prepared/train.csv, data/prepared/test.csv (same columns as raw)
Params prepare.test_share, prepare.seed

Cleaning: a row is dropped when any value is missing, unparsable or impossible:
  * tenure_months < 0
  * monthly_charges <= 0
  * support_calls < 0
  * age outside 18..120
  * plan not one of basic|standard|premium, region not one of EU|US|APAC
  * churned not 0 or 1
The number of dropped rows per reason is printed.

Split: every row gets a pseudo-random key in [0, 1) drawn from a generator
seeded with "<prepare.seed>:<id>". Rows whose key is below
prepare.test_share go to the test set, the others to the train set, and each
file is written in key order (a deterministic shuffle). Because the key depends
only on the seed and the row's id, a row stays on the same side of the split
when rows are added to or removed from the raw table, so metrics of two
versions of the data can be compared on the rows they share.
"""

import csv
import os
import random
import sys

from params import section

RAW = os.path.join("data", "raw", "customers.csv")
OUT_DIR = os.path.join("data", "prepared")
COLUMNS = ["id", "tenure_months", "monthly_charges", "support_calls", "age",
           "plan", "region", "churned"]
PLANS = ("basic", "standard", "premium")
REGIONS = ("EU", "US", "APAC")


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit("%s: missing columns %s" % (path, ", ".join(missing)))
        return list(reader)


def invalid_reason(row):
    """Return why a raw row is unusable, or None if it is valid."""
    try:
        int(row["id"])
        tenure = int(row["tenure_months"])
        charges = float(row["monthly_charges"])
        calls = int(row["support_calls"])
        age = int(row["age"])
        churned = int(row["churned"])
    except (TypeError, ValueError):
        return "unparsable"
    if tenure < 0:
        return "negative tenure_months"
    if not charges > 0:  # also catches NaN
        return "monthly_charges <= 0"
    if calls < 0:
        return "negative support_calls"
    if not 18 <= age <= 120:
        return "age outside 18..120"
    if row["plan"] not in PLANS:
        return "unknown plan"
    if row["region"] not in REGIONS:
        return "unknown region"
    if churned not in (0, 1):
        return "churned not 0/1"
    return None


def clean(rows):
    """Split rows into (valid rows, {reason: count})."""
    kept, dropped = [], {}
    for row in rows:
        reason = invalid_reason(row)
        if reason is None:
            kept.append(row)
        else:
            dropped[reason] = dropped.get(reason, 0) + 1
    return kept, dropped


def split_key(seed, row_id):
    return random.Random("%s:%s" % (seed, row_id)).random()


def split(rows, test_share, seed):
    """Deterministic, id-stable train/test split; returns (train, test)."""
    if not 0.0 < test_share < 1.0:
        raise SystemExit("prepare.test_share must be in (0, 1), got %r" % test_share)
    keyed = sorted((split_key(seed, r["id"]), int(r["id"]), i, r) for i, r in enumerate(rows))
    train = [r for key, _, _, r in keyed if key >= test_share]
    test = [r for key, _, _, r in keyed if key < test_share]
    return train, test


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        f.write(",".join(COLUMNS) + "\n")
        for r in rows:
            f.write(",".join(r[c] for c in COLUMNS) + "\n")


def main():
    p = section("prepare")
    rows = read_csv(RAW)
    kept, dropped = clean(rows)
    train, test = split(kept, float(p["test_share"]), p["seed"])
    os.makedirs(OUT_DIR, exist_ok=True)
    write_csv(os.path.join(OUT_DIR, "train.csv"), train)
    write_csv(os.path.join(OUT_DIR, "test.csv"), test)
    print("prepare: %d raw rows, %d dropped, %d train, %d test"
          % (len(rows), len(rows) - len(kept), len(train), len(test)))
    for reason in sorted(dropped):
        print("  dropped %d: %s" % (dropped[reason], reason))


if __name__ == "__main__":
    sys.exit(main())

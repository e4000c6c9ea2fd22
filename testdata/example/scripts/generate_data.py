"""Generate the raw customer table ``data/raw/customers.csv``.

The table is synthetic. It is generated once with a fixed seed and checked in;
the pipeline never runs this script. Re-running it reproduces the file
byte for byte (only ``random.Random.random`` is used, whose output for a given
integer seed is stable across Python 3 releases).

Columns
-------
id               1..N
tenure_months    months as a customer (int)
monthly_charges  monthly bill (float, 2 decimals)
support_calls    support calls in the last year (int)
age              customer age in years (int)
plan             basic | standard | premium
region           EU | US | APAC
churned          label, 0/1

The label is drawn from a logistic model of the features (plus Gaussian noise
on the log-odds), so a linear model can learn it but not perfectly. Besides
linear terms the true log-odds include monthly_charges / (tenure_months + 1):
customers who pay a lot and joined recently churn more.

A small number of rows carry impossible values, as real exports do:
negative ``tenure_months``, and ``monthly_charges`` that are zero or negative
(a sign error in the billing export). ``src/prepare.py`` drops them.

Usage: python3 scripts/generate_data.py [--rows 3000] [--seed 42] [--out data/raw/customers.csv]
"""

import argparse
import math
import os

import random

PLANS = ["basic", "standard", "premium"]
PLAN_WEIGHTS = [0.45, 0.35, 0.20]
PLAN_CHARGES = {"basic": (40.0, 8.0), "standard": (70.0, 10.0), "premium": (100.0, 12.0)}
PLAN_EFFECT = {"basic": 0.6, "standard": 0.0, "premium": -0.8}
REGIONS = ["EU", "US", "APAC"]
REGION_WEIGHTS = [0.40, 0.35, 0.25]
REGION_EFFECT = {"EU": -0.3, "US": 0.3, "APAC": 0.0}
CHARGES_PER_TENURE_EFFECT = 0.06

HEADER = ["id", "tenure_months", "monthly_charges", "support_calls", "age",
          "plan", "region", "churned"]


def gauss(rng):
    """Standard normal draw via Box-Muller, using rng.random() only."""
    u1 = rng.random()
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def pick(rng, items, weights):
    u = rng.random() * sum(weights)
    acc = 0.0
    for item, w in zip(items, weights):
        acc += w
        if u < acc:
            return item
    return items[-1]


def poisson(rng, lam):
    """Poisson draw (Knuth), using rng.random() only."""
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def churn_logit(tenure, charges, calls, age, plan, region):
    """True log-odds of churn used to draw the label."""
    return (
        -0.9
        - 0.090 * (tenure - 30.0)
        + 0.050 * (charges - 65.0)
        + 0.85 * (calls - 1.5)
        - 0.030 * (age - 45.0)
        + PLAN_EFFECT[plan]
        + REGION_EFFECT[region]
        + CHARGES_PER_TENURE_EFFECT * (charges / (tenure + 1.0) - 4.0)
    )


def draw_customer(rng, charges_shift=0.0):
    """Draw one (valid) customer; returns a dict without id."""
    plan = pick(rng, PLANS, PLAN_WEIGHTS)
    region = pick(rng, REGIONS, REGION_WEIGHTS)
    tenure = 1 + int(rng.random() * 72)
    mu, sd = PLAN_CHARGES[plan]
    charges = max(15.0, mu + sd * gauss(rng)) + charges_shift
    calls = poisson(rng, 1.5)
    age = int(round(min(85.0, max(18.0, 45.0 + 14.0 * gauss(rng)))))
    z = churn_logit(tenure, charges, calls, age, plan, region) + 0.5 * gauss(rng)
    p = 1.0 / (1.0 + math.exp(-z))
    churned = 1 if rng.random() < p else 0
    return {
        "tenure_months": tenure,
        "monthly_charges": round(charges, 2),
        "support_calls": calls,
        "age": age,
        "plan": plan,
        "region": region,
        "churned": churned,
    }


def format_row(row):
    return ",".join([
        str(row["id"]),
        str(row["tenure_months"]),
        "%.2f" % row["monthly_charges"],
        str(row["support_calls"]),
        str(row["age"]),
        row["plan"],
        row["region"],
        str(row["churned"]),
    ])


def generate(rows, seed):
    rng = random.Random(seed)
    out = []
    for i in range(1, rows + 1):
        row = draw_customer(rng)
        row["id"] = i
        # About 1% of rows get an impossible value.
        u = rng.random()
        if u < 0.004:
            row["tenure_months"] = -(1 + int(rng.random() * 12))
        elif u < 0.007:
            row["monthly_charges"] = 0.0
        elif u < 0.011:
            row["monthly_charges"] = -row["monthly_charges"]
        out.append(row)
    return out


def write_csv(path, rows):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for row in rows:
            f.write(format_row(row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=os.path.join("data", "raw", "customers.csv"))
    args = ap.parse_args()
    rows = generate(args.rows, args.seed)
    write_csv(args.out, rows)
    print("wrote %d rows to %s" % (len(rows), args.out))


if __name__ == "__main__":
    main()

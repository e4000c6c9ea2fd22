"""Reference values from SciPy for the twosample tests.

Prints one JSON document with generated inputs and what SciPy (and numpy,
for PSI and quantiles) computes from them. Run by the Go tests with Debian's
/usr/bin/python3; it needs numpy and scipy.
"""
import json
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance
from scipy.special import smirnov

rng = np.random.default_rng(20240611)


def ks_cases():
    def normal(n, loc=0.0, scale=1.0, digits=None):
        x = rng.normal(loc, scale, n)
        return np.round(x, digits) if digits is not None else x

    pairs = [
        ("equal small", normal(20), normal(20, 0.5)),
        ("equal ties", rng.integers(0, 5, 40).astype(float), rng.integers(0, 6, 40).astype(float)),
        ("unequal small", normal(30), normal(47, 0.3)),
        ("unequal ties", normal(113, digits=0), normal(257, 0.2, digits=0)),
        ("identical", np.arange(50.0), np.arange(50.0)),
        ("disjoint", np.arange(10.0), np.arange(10.0) + 100),
        ("one each", np.array([1.0]), np.array([2.0])),
        ("medium", normal(900), normal(1100, 0.05)),
        ("exact large unequal", normal(9999), normal(7001, 0.02)),
        ("exact large equal", normal(10000), normal(10000, 0.03)),
        ("asymptotic", normal(12000), normal(15000, 0.02)),
        ("asymptotic shifted", normal(20000), normal(30000, 0.1)),
        ("asymptotic small other", normal(20000), normal(50, 0.4)),
        ("asymptotic tiny other", normal(12000), normal(7, 0.4)),
        ("asymptotic same", normal(11000, digits=1), normal(11000, digits=1)),
    ]
    out = []
    for name, a, b in pairs:
        r = stats.ks_2samp(a, b, method="auto")
        out.append({"name": name, "a": a.tolist(), "b": b.tolist(),
                    "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    return out


def kstwo_cases():
    out = []
    for n in [1, 2, 5, 10, 30, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001,
              300000]:
        for x in [0.0001, 0.001, 0.003, 0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45,
                  0.5, 0.6, 0.9, 0.99]:
            out.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
        for t in [0.6, 0.9, 1.0]:
            out.append({"n": n, "x": t / n, "sf": float(stats.kstwo.sf(t / n, n))})
        for z in [0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0]:
            x = z / np.sqrt(n)
            if x < 1:
                out.append({"n": n, "x": float(x), "sf": float(stats.kstwo.sf(x, n))})
    for x in [0.0005, 0.001, 0.0015, 0.002]:
        out.append({"n": 1000000, "x": x, "sf": float(stats.kstwo.sf(x, 1000000))})
    return out


def smirnov_cases():
    out = []
    for n in [1, 3, 10, 50, 200, 1000, 20000]:
        for x in [0.01, 0.05, 0.1, 0.2, 0.5, 0.8]:
            out.append({"n": n, "x": x, "sf": float(smirnov(n, x))})
    return out


def chisquare_cases():
    out = []
    for k in [2, 3, 5, 12, 40]:
        exp = rng.uniform(1, 100, k)
        obs = rng.poisson(exp).astype(float)
        exp = exp * obs.sum() / exp.sum()
        r = stats.chisquare(obs, exp)
        out.append({"obs": obs.tolist(), "exp": exp.tolist(),
                    "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    sf = []
    for df in [1, 2, 3, 7.5, 30, 200]:
        for x in [0.001, 0.5, 1, 3, 10, 40, 150, 400]:
            sf.append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
    return out, sf


def distance_cases():
    out = []
    for name, a, wa, b, wb in [
        ("plain", rng.normal(0, 1, 300), None, rng.normal(0.3, 1.2, 500), None),
        ("ties", rng.integers(0, 10, 200).astype(float), None,
         rng.integers(2, 12, 300).astype(float), None),
        ("weighted", rng.normal(0, 1, 100), rng.integers(1, 9, 100).astype(float),
         rng.normal(0.1, 1, 80), rng.integers(1, 5, 80).astype(float)),
        ("same", np.arange(20.0), None, np.arange(20.0), None),
    ]:
        case = {"name": name, "a": a.tolist(), "b": b.tolist(),
                "wasserstein": float(stats.wasserstein_distance(a, b, wa, wb))}
        if wa is not None:
            case["wa"] = wa.tolist()
            case["wb"] = wb.tolist()
        else:
            case["psi"] = psi(a, b)
            case["quantiles"] = [float(q) for q in np.quantile(a, [i / 10 for i in range(11)])]
        out.append(case)
    return out


def psi(base, head):
    edges = np.unique(np.quantile(base, [i / 10 for i in range(1, 10)]))

    def shares(x):
        counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
        s = counts / len(x)
        s[s == 0] = 1e-4
        return s

    b, h = shares(base), shares(head)
    return float(np.sum((h - b) * np.log(h / b)))


def categorical_cases():
    out = []
    for p, q in [([10, 20, 30], [12, 18, 30]), ([1, 0, 0], [0, 1, 0]), ([5, 5], [5, 5]),
                 ([100, 3, 0, 7], [80, 10, 5, 5]), (rng.integers(0, 50, 30).tolist(),
                                                   rng.integers(0, 50, 30).tolist())]:
        pn = np.asarray(p, float) / np.sum(p)
        qn = np.asarray(q, float) / np.sum(q)
        out.append({"p": [float(v) for v in p], "q": [float(v) for v in q],
                    "jensenshannon": float(distance.jensenshannon(p, q)),
                    "linf": float(np.max(np.abs(pn - qn)))})
    return out


chi, chi_sf = chisquare_cases()
json.dump({
    "ks": ks_cases(),
    "kstwo": kstwo_cases(),
    "smirnov": smirnov_cases(),
    "chisquare": chi,
    "chi2_sf": chi_sf,
    "distance": distance_cases(),
    "categorical": categorical_cases(),
}, sys.stdout)

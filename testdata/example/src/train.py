"""Stage `train`: logistic regression by full-batch gradient descent.

Reads  data/features/train.csv, data/features/meta.json
Writes models/model.json, train/history.csv
Params train.lr, train.epochs, train.l2, train.seed

Objective: mean log loss + (l2 / 2) * ||w||^2 (the bias is not penalised).
Weights start as N(0, 0.01^2) draws from a generator seeded with train.seed,
the bias at 0. Each epoch is one gradient step on the whole train split.
history.csv has one row per epoch: epoch 0 is the initial objective and
epoch e the objective after e steps.
"""

import csv
import json
import math
import os
import random
import sys

from params import section

FEATURES_DIR = os.path.join("data", "features")
MODEL_PATH = os.path.join("models", "model.json")
HISTORY_PATH = os.path.join("train", "history.csv")


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def log_loss_term(y, p, eps=1e-15):
    p = min(max(p, eps), 1.0 - eps)
    return -math.log(p) if y == 1 else -math.log(1.0 - p)


def gauss(rng):
    """Standard normal draw via Box-Muller, using rng.random() only."""
    u1 = rng.random()
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def init_weights(n, seed):
    rng = random.Random(seed)
    return [0.01 * gauss(rng) for _ in range(n)]


def predict_proba(weights, bias, x):
    return sigmoid(bias + math.fsum(w * v for w, v in zip(weights, x)))


def objective(weights, bias, X, y, l2):
    n = len(X)
    data = math.fsum(log_loss_term(t, predict_proba(weights, bias, x)) for x, t in zip(X, y)) / n
    return data + 0.5 * l2 * math.fsum(w * w for w in weights)


def fit(X, y, lr=0.1, epochs=100, l2=0.0, seed=0):
    """Fit logistic regression; returns (weights, bias, history).

    X is a list of feature lists, y a list of 0/1 labels. history is a list of
    (epoch, objective) for epochs 0..epochs.
    """
    if not X:
        raise ValueError("no training rows")
    n, d = len(X), len(X[0])
    w = init_weights(d, seed)
    b = 0.0
    history = []
    cols = list(zip(*X))  # column-major copy for the gradient
    for epoch in range(epochs + 1):
        p = [predict_proba(w, b, x) for x in X]
        data_loss = math.fsum(log_loss_term(t, q) for t, q in zip(y, p)) / n
        loss = data_loss + 0.5 * l2 * math.fsum(v * v for v in w)
        history.append((epoch, loss))
        if epoch == epochs:
            break
        r = [q - t for q, t in zip(p, y)]
        grad_w = [math.fsum(ri * xi for ri, xi in zip(r, col)) / n + l2 * wj
                  for col, wj in zip(cols, w)]
        grad_b = math.fsum(r) / n
        w = [wj - lr * g for wj, g in zip(w, grad_w)]
        b = b - lr * grad_b
    return w, b, history


def load_features(path, names):
    X, y = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            X.append([float(row[n]) for n in names])
            y.append(int(row["churned"]))
    return X, y


def main():
    p = section("train")
    with open(os.path.join(FEATURES_DIR, "meta.json")) as f:
        meta = json.load(f)
    names = meta["features"]
    X, y = load_features(os.path.join(FEATURES_DIR, "train.csv"), names)
    w, b, history = fit(X, y, lr=float(p["lr"]), epochs=int(p["epochs"]),
                        l2=float(p["l2"]), seed=p["seed"])
    for _, loss in history:
        if math.isnan(loss) or math.isinf(loss):
            raise SystemExit("train: loss diverged (%r); lower train.lr" % loss)
    model = {
        "type": "logistic_regression",
        "features": names,
        "weights": [round(v, 8) for v in w],
        "bias": round(b, 8),
        "scaling": meta.get("scaling", {}),
        "params": {"lr": p["lr"], "epochs": p["epochs"], "l2": p["l2"], "seed": p["seed"]},
        "train_rows": len(X),
        "final_loss": round(history[-1][1], 6),
    }
    os.makedirs(os.path.dirname(MODEL_PATH), exist_ok=True)
    with open(MODEL_PATH, "w") as f:
        json.dump(model, f, indent=2, sort_keys=True)
        f.write("\n")
    os.makedirs(os.path.dirname(HISTORY_PATH), exist_ok=True)
    with open(HISTORY_PATH, "w", newline="") as f:
        f.write("epoch,loss\n")
        for epoch, loss in history:
            f.write("%d,%.6f\n" % (epoch, loss))
    print("train: %d rows, %d features, loss %.6f -> %.6f"
          % (len(X), len(names), history[0][1], history[-1][1]))


if __name__ == "__main__":
    sys.exit(main())

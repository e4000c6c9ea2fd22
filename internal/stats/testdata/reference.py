"""Reference values for internal/stats, computed with scikit-learn and scipy.

Prints one JSON document: cases of labels and predictions (two classes, more
than two, regression) with every metric as scikit-learn computes it, and McNemar p-values from scipy's exact binomial
test. The Go tests compare mlci's figures with these to 1e-9.
"""

import json
import sys
import warnings

import numpy as np
from scipy.stats import binomtest
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def classification(name, label, score, threshold=0.5):
    label = np.asarray(label, dtype=float)
    score = np.asarray(score, dtype=float)
    pred = (score >= threshold).astype(float)
    return {
        "name": name,
        "label": label.tolist(),
        "score": score.tolist(),
        "prediction": pred.tolist(),
        "want": {
            "accuracy": metrics.accuracy_score(label, pred),
            "precision": metrics.precision_score(label, pred, zero_division=0),
            "recall": metrics.recall_score(label, pred, zero_division=0),
            "f1": metrics.f1_score(label, pred, zero_division=0),
            "roc_auc": metrics.roc_auc_score(label, score),
            "log_loss": metrics.log_loss(label, score),
        },
    }


def multiclass(name, label, pred):
    label = np.asarray(label, dtype=float)
    pred = np.asarray(pred, dtype=float)
    want = {
        "accuracy": metrics.accuracy_score(label, pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(label, pred),
    }
    for average in ("macro", "weighted"):
        for metric, score in (("precision", metrics.precision_score),
                              ("recall", metrics.recall_score), ("f1", metrics.f1_score)):
            want[f"{metric}_{average}"] = score(label, pred, average=average, zero_division=0)
    return {"name": name, "label": label.tolist(), "prediction": pred.tolist(), "want": want}


def regression(name, label, pred):
    label = np.asarray(label, dtype=float)
    pred = np.asarray(pred, dtype=float)
    return {
        "name": name,
        "label": label.tolist(),
        "prediction": pred.tolist(),
        "want": {
            "rmse": float(np.sqrt(metrics.mean_squared_error(label, pred))),
            "mae": metrics.mean_absolute_error(label, pred),
        },
    }


def main():
    warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
    rng = np.random.default_rng(5)
    cases = []

    # Generated: informative scores, then heavily tied scores, then extremes.
    n = 3000
    label = rng.integers(0, 2, n)
    score = 1 / (1 + np.exp(-(label * 1.2 - 0.6 + rng.normal(0, 1, n))))
    cases.append(classification("generated", label, score))
    cases.append(classification("generated ties", label, np.round(score, 1)))
    extreme = np.where(rng.random(n) < 0.02, label.astype(float), score)
    extreme[:5] = [0.0, 1.0, 1e-20, 1 - 1e-17, 0.5]
    cases.append(classification("generated extremes", label, extreme))
    cases.append(classification("generated threshold 0.7", label, score, 0.7))

    # Real: two models of the breast cancer data set on a held-out split.
    x, y = load_breast_cancer(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.4, random_state=0)
    scaler = StandardScaler().fit(xtr)
    logit = LogisticRegression(max_iter=2000).fit(scaler.transform(xtr), ytr)
    cases.append(classification(
        "breast_cancer logistic", yte, logit.predict_proba(scaler.transform(xte))[:, 1]))
    bayes = GaussianNB().fit(xtr, ytr)
    cases.append(classification("breast_cancer bayes", yte, bayes.predict_proba(xte)[:, 1]))
    xte_bc, yte_bc = xte, yte

    # More than two classes: generated with a class never predicted and one
    # never a label, then two models of the wine data set.
    truth = rng.integers(0, 4, 1500)
    guess = np.where(rng.random(1500) < 0.6, truth, rng.integers(0, 5, 1500))
    guess[guess == 2] = 1
    cases.append(multiclass("generated four classes", truth, guess))
    x, y = load_wine(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, random_state=0)
    cases.append(multiclass("wine bayes", yte, GaussianNB().fit(xtr, ytr).predict(xte)))
    shallow = DecisionTreeClassifier(max_depth=1, random_state=0).fit(xtr, ytr)
    cases.append(multiclass("wine stump", yte, shallow.predict(xte)))
    # The binary data under the averaged metrics too.
    cases.append(multiclass("breast_cancer bayes averaged", yte_bc, bayes.predict(xte_bc)))

    # Regression: generated and the diabetes data set.
    truth = rng.normal(10, 4, 2000)
    cases.append(regression("generated regression", truth, truth + rng.normal(0, 1.5, 2000)))
    x, y = load_diabetes(return_X_y=True)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.4, random_state=0)
    cases.append(regression("diabetes linear", yte, LinearRegression().fit(xtr, ytr).predict(xte)))
    cases.append(regression("diabetes ridge", yte, Ridge(alpha=1.0).fit(xtr, ytr).predict(xte)))

    binom = []
    for k, total in [(0, 1), (1, 10), (3, 20), (10, 20), (11, 20), (40, 100), (12, 57),
                     (480, 1000), (430, 1000), (2900, 6000), (0, 300), (150, 151)]:
        binom.append({"k": k, "n": total, "p": binomtest(k, total, 0.5).pvalue})

    json.dump({"cases": cases, "binomial": binom}, sys.stdout)


if __name__ == "__main__":
    main()

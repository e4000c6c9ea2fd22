import math
import random
import unittest

try:
    from . import helpers  # noqa: F401
except ImportError:
    import helpers  # noqa: F401

import train


def synthetic(n=200, seed=0):
    """Two informative features and one noise feature; label = linear rule + noise."""
    rng = random.Random(seed)
    X, y = [], []
    for _ in range(n):
        x = [rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)]
        z = 2.0 * x[0] - 1.5 * x[1] + 0.3 + rng.uniform(-0.5, 0.5)
        X.append(x)
        y.append(1 if z > 0 else 0)
    return X, y


class TrainTest(unittest.TestCase):
    def test_loss_goes_down_and_stays_finite(self):
        X, y = synthetic()
        w, b, history = train.fit(X, y, lr=0.5, epochs=60, l2=0.001, seed=1)
        self.assertEqual(len(history), 61)
        self.assertEqual([e for e, _ in history], list(range(61)))
        losses = [loss for _, loss in history]
        for value in losses + w + [b]:
            self.assertFalse(math.isnan(value) or math.isinf(value))
        self.assertLess(losses[-1], 0.5 * losses[0])
        for before, after in zip(losses, losses[1:]):
            self.assertLessEqual(after, before + 1e-12)
        # The informative weights have the right signs, the noise one stays small.
        self.assertGreater(w[0], 0)
        self.assertLess(w[1], 0)
        self.assertLess(abs(w[2]), abs(w[0]))
        correct = sum(1 for x, t in zip(X, y) if (train.predict_proba(w, b, x) >= 0.5) == (t == 1))
        self.assertGreater(correct / len(y), 0.9)

    def test_same_seed_same_model(self):
        X, y = synthetic(50)
        self.assertEqual(train.fit(X, y, epochs=5, seed=3), train.fit(X, y, epochs=5, seed=3))
        self.assertNotEqual(train.fit(X, y, epochs=5, seed=3)[0], train.fit(X, y, epochs=5, seed=4)[0])

    def test_history_matches_objective(self):
        X, y = synthetic(30)
        w, b, history = train.fit(X, y, lr=0.1, epochs=3, l2=0.01, seed=2)
        self.assertAlmostEqual(history[-1][1], train.objective(w, b, X, y, 0.01), places=12)

    def test_gradient_step_matches_numeric_gradient(self):
        X, y = synthetic(20, seed=5)
        l2, lr = 0.1, 1e-3
        w0, b0, _ = train.fit(X, y, lr=lr, epochs=0, l2=l2, seed=9)
        w1, b1, _ = train.fit(X, y, lr=lr, epochs=1, l2=l2, seed=9)
        h = 1e-6
        for j in range(len(w0)):
            up = list(w0)
            up[j] += h
            down = list(w0)
            down[j] -= h
            numeric = (train.objective(up, b0, X, y, l2) - train.objective(down, b0, X, y, l2)) / (2 * h)
            self.assertAlmostEqual((w0[j] - w1[j]) / lr, numeric, places=5)

    def test_sigmoid_is_stable(self):
        self.assertEqual(train.sigmoid(0.0), 0.5)
        self.assertAlmostEqual(train.sigmoid(800.0), 1.0)
        self.assertAlmostEqual(train.sigmoid(-800.0), 0.0)


if __name__ == "__main__":
    unittest.main()

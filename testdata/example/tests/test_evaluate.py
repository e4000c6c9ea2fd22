import math
import unittest

try:
    from . import helpers  # noqa: F401
except ImportError:
    import helpers  # noqa: F401

import evaluate


class ClassificationMetricsTest(unittest.TestCase):
    # tp=2 (rows 0, 4), fp=1 (row 3), tn=1 (row 2), fn=1 (row 1)
    labels = [1, 1, 0, 0, 1]
    preds = [1, 0, 0, 1, 1]

    def test_confusion(self):
        self.assertEqual(evaluate.confusion(self.labels, self.preds), (2, 1, 1, 1))

    def test_accuracy_precision_recall_f1(self):
        self.assertAlmostEqual(evaluate.accuracy(self.labels, self.preds), 3 / 5)
        self.assertAlmostEqual(evaluate.precision(self.labels, self.preds), 2 / 3)
        self.assertAlmostEqual(evaluate.recall(self.labels, self.preds), 2 / 3)
        self.assertAlmostEqual(evaluate.f1(self.labels, self.preds), 2 / 3)

    def test_no_positive_predictions(self):
        self.assertEqual(evaluate.precision([1, 0], [0, 0]), 0.0)
        self.assertEqual(evaluate.f1([1, 0], [0, 0]), 0.0)


class ScoreMetricsTest(unittest.TestCase):
    labels = [0, 0, 1, 1]
    scores = [0.1, 0.4, 0.35, 0.8]

    def test_roc_auc(self):
        # Positive/negative pairs ranked correctly: 3 of 4.
        self.assertAlmostEqual(evaluate.roc_auc(self.labels, self.scores), 0.75)

    def test_roc_auc_ties_count_half(self):
        # Pairs: (0.5 vs 0.5) = 0.5, (0.5 vs 0.2) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.2) = 1.
        self.assertAlmostEqual(evaluate.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 3.5 / 4)

    def test_average_ranks(self):
        self.assertEqual(evaluate.average_ranks([0.3, 0.1, 0.3, 0.2]), [3.5, 1.0, 3.5, 2.0])

    def test_log_loss(self):
        expected = -(math.log(0.9) + math.log(0.6) + math.log(0.35) + math.log(0.8)) / 4
        self.assertAlmostEqual(evaluate.log_loss(self.labels, self.scores), expected)
        self.assertAlmostEqual(expected, 0.472288, places=6)

    def test_log_loss_is_clipped(self):
        self.assertAlmostEqual(evaluate.log_loss([1], [0.0]), -math.log(1e-15))
        # 1 - (1 - 1e-15) is not exactly 1e-15 in floating point.
        self.assertAlmostEqual(evaluate.log_loss([0], [1.0]), -math.log(1e-15), delta=0.01)

    def test_roc_points(self):
        self.assertEqual(evaluate.roc_points(self.labels, self.scores), [
            (0.0, 0.0, 1.0), (0.0, 0.5, 0.8), (0.5, 0.5, 0.4), (0.5, 1.0, 0.35), (1.0, 1.0, 0.1),
        ])

    def test_pr_points(self):
        self.assertEqual(evaluate.pr_points(self.labels, self.scores), [
            (0.5, 1.0, 0.8), (0.5, 0.5, 0.4), (1.0, 2 / 3, 0.35), (1.0, 0.5, 0.1),
        ])

    def test_compute_metrics(self):
        metrics, preds = evaluate.compute_metrics(self.labels, self.scores, 0.4)
        self.assertEqual(preds, [0, 1, 0, 1])
        self.assertEqual(sorted(metrics), ["accuracy", "f1", "log_loss", "precision", "recall", "roc_auc"])
        self.assertEqual(metrics["accuracy"], 0.5)
        self.assertEqual(metrics["roc_auc"], 0.75)
        self.assertEqual(metrics["log_loss"], 0.472288)


if __name__ == "__main__":
    unittest.main()

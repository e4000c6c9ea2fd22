import math
import unittest

try:
    from . import helpers  # noqa: F401  (python3 -m unittest from the project root)
except ImportError:
    import helpers  # noqa: F401  (python3 -m unittest discover -s tests)

import featurize
import prepare


def row(id_, tenure, charges, calls, age, plan, region, churned=0):
    return {"id": str(id_), "tenure_months": str(tenure), "monthly_charges": str(charges),
            "support_calls": str(calls), "age": str(age), "plan": plan,
            "region": region, "churned": str(churned)}


class OneHotTest(unittest.TestCase):
    def test_one_hot(self):
        got = featurize.one_hot("standard", ["basic", "standard", "premium"], "plan")
        self.assertEqual(got, {"plan_basic": 0, "plan_standard": 1, "plan_premium": 0})

    def test_unknown_category_raises(self):
        with self.assertRaises(ValueError):
            featurize.one_hot("gold", ["basic", "standard", "premium"], "plan")

    def test_feature_names_are_stable(self):
        self.assertEqual(featurize.feature_names(False), [
            "tenure_months", "monthly_charges", "support_calls", "age",
            "plan_basic", "plan_standard", "plan_premium",
            "region_EU", "region_US", "region_APAC",
        ])
        with_inter = featurize.feature_names(True)
        self.assertIn("tenure_months_x_monthly_charges", with_inter)
        self.assertEqual(len(with_inter), 10 + 6)


class BuildTest(unittest.TestCase):
    def setUp(self):
        self.train = [
            row(1, 10, 50.0, 0, 30, "basic", "EU"),
            row(2, 20, 70.0, 2, 40, "standard", "US"),
            row(3, 30, 90.0, 4, 50, "premium", "APAC"),
        ]
        self.test = [row(4, 20, 70.0, 2, 40, "premium", "EU")]

    def test_unscaled_values_pass_through(self):
        names, train_f, test_f, stats = featurize.build(self.train, self.test, scale=False)
        self.assertEqual(stats, {})
        self.assertEqual(train_f[0]["tenure_months"], 10.0)
        self.assertEqual(train_f[0]["plan_basic"], 1)
        self.assertEqual(train_f[0]["region_EU"], 1)
        self.assertEqual(test_f[0]["plan_premium"], 1)
        self.assertEqual(sum(test_f[0][n] for n in names if n.startswith("region_")), 1)

    def test_scaling_uses_train_statistics(self):
        _, train_f, test_f, stats = featurize.build(self.train, self.test, scale=True)
        self.assertAlmostEqual(stats["tenure_months"]["mean"], 20.0)
        self.assertAlmostEqual(stats["tenure_months"]["std"], math.sqrt(200.0 / 3.0))
        self.assertAlmostEqual(train_f[0]["tenure_months"], -10.0 / math.sqrt(200.0 / 3.0))
        # The test row sits at the train mean of every numeric column.
        for name in featurize.NUMERIC:
            self.assertAlmostEqual(test_f[0][name], 0.0)
        # One-hot columns are not scaled.
        self.assertEqual(test_f[0]["region_EU"], 1)

    def test_constant_column_does_not_divide_by_zero(self):
        train = [row(i, 12, 50.0 + i, 1, 30, "basic", "EU") for i in range(3)]
        _, train_f, _, stats = featurize.build(train, [], scale=True)
        self.assertEqual(stats["tenure_months"]["std"], 1.0)
        self.assertEqual(train_f[0]["tenure_months"], 0.0)

    def test_interactions(self):
        names, train_f, _, _ = featurize.build(self.train, self.test, scale=False, interactions=True)
        self.assertEqual(train_f[1]["tenure_months_x_monthly_charges"], 20.0 * 70.0)
        self.assertEqual(train_f[2]["support_calls_x_age"], 4.0 * 50.0)
        self.assertEqual(len(names), 16)

    def test_fmt(self):
        self.assertEqual(featurize.fmt(1), "1")
        self.assertEqual(featurize.fmt(0.1234567), "0.123457")
        self.assertEqual(featurize.fmt(-1e-9), "0.000000")


class PrepareTest(unittest.TestCase):
    def test_invalid_rows_are_dropped(self):
        rows = [
            row(1, 10, 50.0, 0, 30, "basic", "EU"),
            row(2, -3, 50.0, 0, 30, "basic", "EU"),
            row(3, 10, 0.0, 0, 30, "basic", "EU"),
            row(4, 10, -42.5, 0, 30, "basic", "EU"),
            row(5, 10, "abc", 0, 30, "basic", "EU"),
            row(6, 10, 50.0, 0, 30, "gold", "EU"),
        ]
        kept, dropped = prepare.clean(rows)
        self.assertEqual([r["id"] for r in kept], ["1"])
        self.assertEqual(dropped, {"negative tenure_months": 1, "monthly_charges <= 0": 2,
                                   "unparsable": 1, "unknown plan": 1})

    def test_split_is_deterministic_and_id_stable(self):
        rows = [row(i, 10, 50.0, 0, 30, "basic", "EU") for i in range(1, 401)]
        train, test = prepare.split(rows, 0.25, 7)
        self.assertEqual(len(train) + len(test), 400)
        self.assertTrue(60 < len(test) < 140)
        again = prepare.split(rows, 0.25, 7)
        self.assertEqual((train, test), again)
        # Adding rows does not move existing rows across the split.
        more = rows + [row(i, 10, 50.0, 0, 30, "basic", "EU") for i in range(401, 501)]
        _, test_more = prepare.split(more, 0.25, 7)
        old_ids = {r["id"] for r in test}
        self.assertEqual({r["id"] for r in test_more if int(r["id"]) <= 400}, old_ids)
        # Another seed gives another split.
        _, test_other = prepare.split(rows, 0.25, 8)
        self.assertNotEqual({r["id"] for r in test_other}, old_ids)


if __name__ == "__main__":
    unittest.main()

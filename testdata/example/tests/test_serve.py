import csv
import http.client
import json
import os
import threading
import unittest
from http.server import ThreadingHTTPServer

try:
    from . import helpers  # noqa: F401
except ImportError:
    import helpers  # noqa: F401

import serve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "model.json")
META = os.path.join(ROOT, "data", "features", "meta.json")
TEST_ROWS = os.path.join(ROOT, "data", "prepared", "test.csv")
PREDICTIONS = os.path.join(ROOT, "eval", "predictions.csv")

CUSTOMER = {"tenure_months": 14, "monthly_charges": 50.06, "support_calls": 5, "age": 47,
            "plan": "basic", "region": "US"}


# These tests check the served model against the pipeline's outputs, which a
# fresh checkout does not have until the stages ran; `mlci serve-check` makes
# the same comparison after the stages in CI.
TRAINED = all(os.path.exists(p) for p in (MODEL, META, TEST_ROWS, PREDICTIONS))
needs_trained = unittest.skipUnless(TRAINED, "needs the trained model: run the pipeline first")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@needs_trained
class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = serve.Model.load(MODEL)

    def test_scores_equal_offline_predictions(self):
        offline = {r["id"]: r for r in read_csv(PREDICTIONS)}
        rows = read_csv(TEST_ROWS)
        self.assertEqual(len(rows), len(offline))
        exact = 0
        for row in rows:
            got = self.model.predict(row)
            want = offline[row["id"]]
            # meta.json rounds the scaling statistics to 6 decimals.
            self.assertAlmostEqual(got["score"], float(want["score"]), delta=1.000001e-6,
                                   msg="id %s" % row["id"])
            exact += "%.6f" % got["score"] == want["score"]
        self.assertGreater(exact / len(rows), 0.95)

    def test_meta_json_gives_the_same_scaling(self):
        from_meta = serve.Model.load(MODEL, META)
        self.assertEqual(from_meta.predict(CUSTOMER), self.model.predict(CUSTOMER))

    def test_prediction_follows_the_threshold(self):
        got = self.model.predict(CUSTOMER)
        self.assertEqual(got["prediction"], 1 if got["score"] >= 0.5 else 0)
        self.assertEqual(self.model.predict(CUSTOMER, threshold=1.0)["prediction"], 0)

    def test_bad_rows(self):
        for row in [{"tenure_months": 1}, dict(CUSTOMER, plan="gold"),
                    dict(CUSTOMER, age="old")]:
            with self.assertRaises(serve.BadRow):
                self.model.predict(row)


@needs_trained
class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        model = serve.Model.load(MODEL)
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), serve.handler_for(model, 0.5))
        cls.thread = threading.Thread(target=cls.server.serve_forever)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.thread.join()

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.server_address[1], timeout=5)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def test_health(self):
        self.assertEqual(self.request("GET", "/health"), (200, {"status": "ok"}))

    def test_predict(self):
        status, answer = self.request("POST", "/predict", json.dumps(CUSTOMER))
        self.assertEqual(status, 200)
        self.assertEqual(answer, serve.Model.load(MODEL).predict(CUSTOMER))

    def test_errors(self):
        cases = [("POST", "/predict", "{not json", 400), ("POST", "/predict", "[1, 2]", 400),
                 ("POST", "/predict", json.dumps({"age": 3}), 400),
                 ("GET", "/nowhere", None, 404), ("POST", "/nowhere", "{}", 404)]
        for method, path, body, want in cases:
            with self.subTest(method=method, path=path, body=body):
                status, answer = self.request(method, path, body)
                self.assertEqual(status, want)
                self.assertIn("error", answer)


if __name__ == "__main__":
    unittest.main()

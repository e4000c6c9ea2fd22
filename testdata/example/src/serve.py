"""Prediction service for the churn model (standard library only).

    python3 src/serve.py --model models/model.json --port 8080

Endpoints:
  GET  /health   200 {"status": "ok"} once the model is loaded
  POST /predict  one customer as JSON with the raw columns tenure_months,
                 monthly_charges, support_calls, age, plan and region (other
                 keys such as id are ignored) -> {"score": 0.123456,
                 "prediction": 0}; 400 with {"error": ...} for a bad row

The score is the one `evaluate` writes to eval/predictions.csv for the same
row: the row is featurized with featurize's own functions, scaled with the
statistics featurize saved (the "scaling" the model carries, copied from
data/features/meta.json, or --meta), rounded to 6 decimals as
data/features/*.csv hold them, then scored and rounded to 6 decimals.
meta.json keeps the scaling statistics to 6 decimals, so a score can differ
from the offline one by 1e-6 for a few rows; compare with that tolerance.

The port is --port, else the PORT environment variable, else 8080; the
server listens on 127.0.0.1 unless --host says otherwise, and stops cleanly
on SIGTERM or SIGINT.
"""

import argparse
import json
import math
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import featurize  # noqa: E402

MAX_BODY = 1 << 20


class BadRow(ValueError):
    pass


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Model:
    """A logistic regression as train.py writes it, with its feature scaling."""

    def __init__(self, model, scaling=None):
        self.features = model["features"]
        self.weights = model["weights"]
        self.bias = model["bias"]
        self.scaling = scaling if scaling is not None else model.get("scaling", {})
        self.interactions = any("_x_" in name for name in self.features)

    @classmethod
    def load(cls, path, meta_path=None):
        with open(path) as f:
            model = json.load(f)
        scaling = None
        if meta_path:
            with open(meta_path) as f:
                scaling = json.load(f).get("scaling", {})
        return cls(model, scaling)

    def features_of(self, row):
        """The feature vector of one raw row, as data/features/*.csv holds it."""
        try:
            values = {name: row[name] for name in featurize.NUMERIC}
            values.update({col: row[col] for col in featurize.CATEGORIES})
        except KeyError as e:
            raise BadRow("missing column %s" % e) from None
        try:
            raw = featurize.raw_features(values, self.interactions)
        except (TypeError, ValueError) as e:
            raise BadRow(str(e)) from None
        scaled = featurize.apply_scaler(raw, self.scaling)
        return [float(featurize.fmt(scaled[name])) for name in self.features]

    def predict(self, row, threshold=0.5):
        x = self.features_of(row)
        z = self.bias + math.fsum(w * v for w, v in zip(self.weights, x))
        score = round(sigmoid(z), 6)
        return {"score": score, "prediction": 1 if score >= threshold else 0}


def handler_for(model, threshold):
    class Handler(BaseHTTPRequestHandler):
        server_version = "churn-serve/1"

        def log_message(self, format, *args):
            pass  # one line per request would drown the service's own output

        def reply(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, {"status": "ok"})
            else:
                self.reply(404, {"error": "no such path: %s" % self.path})

        def do_POST(self):
            if self.path != "/predict":
                self.reply(404, {"error": "no such path: %s" % self.path})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.reply(413, {"error": "body over %d bytes" % MAX_BODY})
                return
            try:
                row = json.loads(self.rfile.read(length) or b"null")
                if not isinstance(row, dict):
                    raise BadRow("expected one JSON object")
                self.reply(200, model.predict(row, threshold))
            except (ValueError, BadRow) as e:
                self.reply(400, {"error": str(e)})

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.path.join("models", "model.json"))
    parser.add_argument("--meta", help="take the scaling statistics from this meta.json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8080))
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)

    model = Model.load(args.model, args.meta)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(model, args.threshold))
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("serve: %s on http://%s:%d" % (args.model, args.host, args.port), flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

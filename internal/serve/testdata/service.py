"""A configurable prediction service for the tests of package serve.

Each script beside it is a service with one fault; this module holds what
they share. A row is a JSON object {"id": ..., "x": ...}; the right answer
is {"score": x / 100} rounded to 6 decimals, as predictions.csv holds it.
"""

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def score(row):
    return round(float(row["x"]) / 100, 6)


def run(port=None, answer=None, delay=0.0, crash_after=None, ready_after=0.0,
        raw=None, on_term=None):
    """Serve on 127.0.0.1:port (PORT by default) until SIGTERM.

    answer(row) gives the answer object (the right one by default); delay is
    slept before each answer; crash_after ends the process after that many
    answers; /health answers 503 until ready_after seconds have passed; raw,
    when set, is sent as the body instead of JSON; on_term runs on SIGTERM.
    """
    port = int(port or os.environ["PORT"])
    answer = answer or (lambda row: {"score": score(row)})
    started = time.monotonic()
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def reply(self, status, body):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            ready = time.monotonic() - started >= ready_after
            self.reply(200 if ready else 503, b'{"status": "ok"}')

        def do_POST(self):
            row = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if delay:
                time.sleep(delay)
            with lock:
                count[0] += 1
                if crash_after is not None and count[0] > crash_after:
                    print("service: out of memory, giving up", flush=True)
                    os._exit(3)
            body = raw if raw is not None else json.dumps(answer(row)).encode()
            self.reply(200, body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        if on_term:
            on_term()
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    print("service: listening on port %d" % port, flush=True)
    server.serve_forever()
    server.server_close()
    sys.exit(0)

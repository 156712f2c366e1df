#!/usr/bin/env python3
"""A small HTTP receiver for the webhook tests (127.0.0.1 only, standard library).

As a program: records every POST as one JSON line {"path", "headers", "body",
"time"} in --log, answers with the status code read from --status-file at each
request (200 when the file is missing), and writes the port it bound (0: an
ephemeral one) atomically to --port-file.

As a module: Receiver starts and stops that program by PID and reads its log.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))


def serve(args):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, and no Nagle: else every answer waits for a delayed ACK (40 ms).
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(n)
            try:
                with open(args.status_file) as f:
                    code = int(f.read().strip() or 200)
            except (OSError, ValueError):
                code = 200
            rec = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"), "time": time.time(), "status": code}
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
            answer = b'{"ok":%s}' % (b"true" if code < 300 else b"false")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, fmt, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    srv.serve_forever()


class Receiver:
    """The receiver as a child process; start() again reuses the same port."""

    def __init__(self, tmp, name="receiver"):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "requests.jsonl")
        self.status_file = os.path.join(self.dir, "status")
        self.port_file = os.path.join(self.dir, "port")
        self.port = 0
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/alert" % self.port

    def start(self, timeout=10.0):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--port", str(self.port),
                                      "--log", self.log, "--status-file", self.status_file,
                                      "--port-file", self.port_file],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("HTTP receiver did not start (exit %s)" % self.proc.poll())
            time.sleep(0.01)
        with open(self.port_file) as f:
            self.port = int(f.read())

    def stop(self):
        """Stop it by PID and wait: the port is closed when this returns."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc = None

    def answer(self, code):
        with open(self.status_file + ".tmp", "w") as f:
            f.write(str(code))
        os.rename(self.status_file + ".tmp", self.status_file)

    def requests(self):
        try:
            with open(self.log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        # A line still being written (the receiver appends as we read) is left for next time.
        return [json.loads(l) for l in text.split("\n")[:-1] if l.strip()]

    def wait_for(self, pred, timeout, poll=0.02):
        """Poll until pred(requests) is true; return the requests (or None on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            reqs = self.requests()
            if pred(reqs):
                return reqs
            if time.monotonic() > deadline:
                return None
            time.sleep(poll)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--status-file", required=True)
    ap.add_argument("--port-file", required=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    serve(ap.parse_args())

#!/usr/bin/env python3
"""A small SMTP receiver for the mail tests (127.0.0.1 only, standard library socketserver).

As a program: speaks enough of RFC 5321 for a client such as libcurl (EHLO/HELO,
MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT), records every message it accepts as
one JSON line {"from", "rcpt", "data", "time"} in --log (data: the bytes between
DATA and the final dot, dot-stuffing undone, as text), answers the end of DATA
with the code read from --status-file (250 when the file is missing; a 5xx
refuses the message, a 4xx defers it: neither is recorded), and writes the port
it bound (0: an ephemeral one) atomically to --port-file.

As a module: Receiver starts and stops that program by PID and reads its log.
"""

import argparse
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time


def serve(args):
    lock = threading.Lock()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, text):
            self.wfile.write(text.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self):
            sender, rcpt = None, []
            self.reply("220 127.0.0.1 redmon test SMTP receiver")
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.reply("250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8")
                elif verb == "HELO":
                    self.reply("250 127.0.0.1")
                elif verb == "MAIL":
                    sender, rcpt = cmd[10:].strip(), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    rcpt.append(cmd[8:].strip())
                    self.reply("250 OK")
                elif verb == "DATA":
                    if sender is None or not rcpt:
                        self.reply("503 need MAIL and RCPT first")
                        continue
                    self.reply("354 go ahead")
                    data = []
                    while True:
                        l = self.rfile.readline()
                        if not l or l == b".\r\n":
                            break
                        data.append(l[1:] if l.startswith(b".") else l)  # RFC 5321 4.5.2
                    try:
                        with open(args.status_file) as f:
                            code = int(f.read().strip() or 250)
                    except (OSError, ValueError):
                        code = 250
                    if code == 250:
                        rec = {"from": sender, "rcpt": rcpt, "time": time.time(),
                               "data": b"".join(data).decode("utf-8", "replace")}
                        with lock, open(args.log, "a") as f:
                            f.write(json.dumps(rec) + "\n")
                        self.reply("250 OK queued")
                    else:
                        self.reply("%d refused by the test" % code)
                    sender, rcpt = None, []
                elif verb == "RSET":
                    sender, rcpt = None, []
                    self.reply("250 OK")
                elif verb == "NOOP":
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    srv = Server(("127.0.0.1", args.port), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    srv.serve_forever()


class Receiver:
    """The receiver as a child process; start() again reuses the same port."""

    def __init__(self, tmp, name="smtp", port=0):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "messages.jsonl")
        self.status_file = os.path.join(self.dir, "status")
        self.port_file = os.path.join(self.dir, "port")
        self.port = port
        self.proc = None

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

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
                raise RuntimeError("SMTP receiver did not start (exit %s)" % self.proc.poll())
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

    def messages(self):
        try:
            with open(self.log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [json.loads(l) for l in text.split("\n")[:-1] if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--status-file", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    serve(args)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A small Redfish service over HTTPS on 127.0.0.1, for the tests of the redfish probe.

    redfish_server.py --tree CASE_DIR --dir STATE_DIR [--user U --password-file F]

Serves CASE_DIR/redfish/v1/<path>/index.json at /redfish/v1/<path>, as DMTF's
Redfish-Mockup-Server lays mockups out (tests/corpus/redfish/<case>/), reading
the file at each request, so a test that rewrites one sees the next answer
change.  HTTP/1.1 with keep-alive, TLS with a self-signed certificate made
here with openssl (STATE_DIR/cert.pem: the client's CA file) unless one exists.

Authentication as DSP0266 section 13.3: POST /redfish/v1/SessionService/Sessions
with {"UserName", "Password"} gives an X-Auth-Token and the session's
Location; DELETE of that path ends it; HTTP Basic is accepted too.  The
service root answers without credentials, everything else wants them (401).

Faults, from STATE_DIR/faults.json, read again at each request (write it
whole, with a rename):
  {"paths": {"/redfish/v1/Chassis/1U/Power": FAULT, ...},   # one path
   "all": FAULT,                     # every request, the login included
   "no_sessions": 404 | 405,         # no SessionService: Basic only
   "drop_sessions": N,               # each new N forgets every session (a BMC reset)
   "login_token": "none" | "bad",    # the login answer has no token / an unusable one
   "hang_s": 30}
FAULT is "503", "401", "hang" (no answer for hang_s), "truncate" (the
connection closes half-way through the body), "invalid_json", "big" (a 5 MiB
body with its Content-Length), "big_nolength" (the same, closed-delimited),
"redirect" (302 to https://localhost:PORT/same/path), "redirect_ctl" (302 to a
Location holding control bytes).

Every request is logged to STATE_DIR/requests.jsonl, one JSON object a line:
method, path, host (the Host header), auth ("token", "basic", "none" or
"bad"), status, port (the client's: one per connection), fault, epoch (the
"epoch" of faults.json when the request came, if any).  Never a credential.  The port the server took is written to STATE_DIR/port.
"""

import argparse
import base64
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSIONS = "/redfish/v1/SessionService/Sessions"
OPEN_PATHS = ("/redfish", "/redfish/v1", "/redfish/v1/")
BIG = 5 << 20


def make_cert(d):
    """A self-signed certificate for 127.0.0.1 (shared/recipes/RECIPES.md section 8)."""
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class State:
    def __init__(self, args):
        self.tree, self.dir = args.tree, args.dir
        self.user = args.user
        with open(args.password_file) as f:
            self.password = f.readline().rstrip("\r\n")
        self.sessions = {}  # token -> session id
        self.next_id = 1
        self.dropped = None
        self.lock = threading.Lock()
        self.port = 0

    def faults(self):
        try:
            with open(os.path.join(self.dir, "faults.json")) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = {}
        with self.lock:
            if doc.get("drop_sessions") != self.dropped:
                self.dropped = doc.get("drop_sessions")
                self.sessions.clear()
        return doc

    def log(self, rec):
        line = json.dumps(rec, sort_keys=True) + "\n"
        with self.lock, open(os.path.join(self.dir, "requests.jsonl"), "a") as f:
            f.write(line)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "redfish-test/1"
    # Headers and body go out in two writes: without TCP_NODELAY the second
    # waits for the client's delayed ACK (40 ms a request).
    disable_nagle_algorithm = True
    st = None  # the State, set in main()

    def log_message(self, fmt, *args):
        pass

    # --- answers -------------------------------------------------------------

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.status = status

    def error(self, status, message):
        body = json.dumps({"error": {"code": "Base.1.0.GeneralError", "message": message}})
        headers = [("WWW-Authenticate", 'Basic realm="redfish"')] if status == 401 else []
        self.answer(status, body.encode(), headers)

    # --- authentication ------------------------------------------------------

    def auth(self):
        """'token', 'basic', 'none' or 'bad'."""
        token = self.headers.get("X-Auth-Token")
        if token is not None:
            with self.st.lock:
                return "token" if token in self.st.sessions else "bad"
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(basic[6:]).decode().partition(":")
            except ValueError:
                return "bad"
            return "basic" if (user, pw) == (self.st.user, self.st.password) else "bad"
        return "none"

    def login(self, faults):
        if faults.get("no_sessions"):
            return self.error(int(faults["no_sessions"]), "no SessionService here")
        try:
            doc = json.loads(self.body)
            ok = (doc.get("UserName"), doc.get("Password")) == (self.st.user, self.st.password)
        except (ValueError, AttributeError):
            return self.error(400, "the body is not a JSON object")
        if not ok:
            return self.error(401, "invalid user name or password")
        with self.st.lock:
            sid = str(self.st.next_id)
            self.st.next_id += 1
            token = secrets.token_hex(16)
            self.st.sessions[token] = sid
        path = "%s/%s" % (SESSIONS, sid)
        body = json.dumps({"@odata.id": path, "Id": sid, "UserName": self.st.user}).encode()
        headers = [("Location", path)]
        if faults.get("login_token") == "bad":
            headers.append(("X-Auth-Token", "two words"))
        elif faults.get("login_token") != "none":
            headers.append(("X-Auth-Token", token))
        self.answer(201, body, headers)

    def logout(self):
        sid = self.path[len(SESSIONS) + 1:]
        token = self.headers.get("X-Auth-Token")
        with self.st.lock:
            if self.st.sessions.get(token) != sid:
                return self.error(401 if token not in self.st.sessions else 403, "not yours")
            del self.st.sessions[token]
        self.answer(204)

    # --- faults --------------------------------------------------------------

    def fault(self, name, faults):
        """Answer with fault name; False when name is not one."""
        if name == "503":
            self.error(503, "the service is busy")
        elif name == "401":
            self.error(401, "go away")
        elif name == "hang":
            time.sleep(float(faults.get("hang_s", 30)))
            self.close_connection = True
            self.status = "hang"
        elif name == "truncate":
            body = self.resource_bytes() or b'{"Name": "x"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.status = "truncated"
        elif name == "invalid_json":
            self.answer(200, b'{"Name": "broken", "Status": ')
        elif name == "big":
            self.answer(200, b'{"Pad": "' + b"a" * BIG + b'"}')
        elif name == "big_nolength":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"Pad": "' + b"a" * BIG + b'"}')
            self.close_connection = True
            self.status = 200
        elif name == "redirect":
            self.answer(302, b"", [("Location", "https://localhost:%d%s" % (self.st.port, self.path))])
        elif name == "redirect_ctl":
            self.answer(302, b"", [("Location", "https://evil\x1b[31m.example\t:1/x")])
        else:
            return False
        return True

    # --- resources -----------------------------------------------------------

    def resource_bytes(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if ".." in path.split("/") or not path.startswith("/redfish/v1"):
            return None
        try:
            with open(os.path.join(self.st.tree, path.lstrip("/"), "index.json"), "rb") as f:
                return f.read()
        except OSError:
            return None

    def handle_one(self):
        faults = self.st.faults()
        # "all" is a service gone wrong: it answers so before anything else.
        # A path's fault comes after authentication, as a real resource's would.
        self.fault_name = faults.get("all")
        if self.fault_name and self.fault(self.fault_name, faults):
            return None
        if self.command == "POST" and self.path == SESSIONS:
            return self.login(faults)
        if self.path == "/redfish" and self.command == "GET":
            return self.answer(200, b'{"v1": "/redfish/v1/"}')
        self.who = self.auth()
        if self.path not in OPEN_PATHS and self.who not in ("token", "basic"):
            return self.error(401, "log in first")
        self.fault_name = faults.get("paths", {}).get(self.path.rstrip("/") or "/")
        if self.fault_name and self.fault(self.fault_name, faults):
            return None
        if self.command == "DELETE" and self.path.startswith(SESSIONS + "/"):
            return self.logout()
        if self.command != "GET":
            return self.error(405, "read-only")
        body = self.resource_bytes()
        if body is None:
            return self.error(404, "no such resource")
        self.answer(200, body)
        return None

    def dispatch(self):
        self.status, self.who, self.fault_name = None, "none", None
        # The faults' "epoch" as the request came: a log read after the next
        # faults were written tells this request from the next test's.
        self.epoch = self.st.faults().get("epoch")
        # Read the body whatever the answer: left in the stream it would be
        # taken for the next request of the connection.
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            self.handle_one()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
            self.status = self.status or "client gone"
        self.st.log({"method": self.command, "path": self.path, "host": self.headers.get("Host"),
                     "auth": self.who, "status": self.status, "port": self.client_address[1],
                     "fault": self.fault_name, "epoch": self.epoch})

    do_GET = do_POST = do_DELETE = do_PATCH = do_HEAD = dispatch


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", required=True, help="a case directory holding redfish/v1/")
    ap.add_argument("--dir", required=True, help="state: port, cert.pem, faults.json, requests.jsonl")
    ap.add_argument("--user", default="monitor")
    ap.add_argument("--password-file", required=True)
    args = ap.parse_args()
    st = State(args)
    cert, key = make_cert(args.dir)
    Handler.st = st
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    st.port = srv.server_address[1]
    tmp = os.path.join(args.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(st.port))
    os.rename(tmp, os.path.join(args.dir, "port"))  # readers never see half a number
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

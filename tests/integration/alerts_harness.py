"""Helpers of the alert tests (test_alerts_*.py, test_state_*.py): a daemon on the
fake probe (tests/integration/fake_probe.c), whose groups the test writes to a
file, and an events file read as it grows.  Standard library only."""

import json
import os
import signal
import subprocess
import time

import harness
from harness import TestError

POLL = 0.02
STEP = 10.0  # seconds any one expected thing may take


def pct(name):
    """Percent-encode a name (str or bytes) for fake.txt: any byte survives."""
    if isinstance(name, str):
        name = name.encode()
    return "".join(chr(b) if b < 128 and (chr(b).isalnum() or chr(b) in "._-") else "%%%02X" % b
                   for b in name)


class Tree:
    """The root the fake probe reads: fake.txt, replaced atomically."""

    def __init__(self, root):
        self.root = root
        self.path = os.path.join(root, "fake.txt")

    def set(self, *groups):
        """groups: (name, margin, nominal, [(member, role), ...])."""
        lines = []
        for name, margin, nominal, members in groups:
            lines.append("group %s %s %d" % (pct(name), margin, nominal))
            lines += ["member %s %s" % (pct(m), role) for m, role in members]
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, self.path)


def raid1(name, failed=False):
    """A raid1 of sda + sdb; sdb failed when asked (margin 0: critical)."""
    return (name, 0 if failed else 1, 1, [("sda", "active"), ("sdb", "failed" if failed else "active")])


def ini(sections):
    """{"daemon": {...}, "sink.x": {...}} -> INI text."""
    out = []
    for name, keys in sections.items():
        out.append("[%s]" % name)
        out += ["%s = %s" % kv for kv in keys.items()]
    return "\n".join(out) + "\n"


class Events:
    """A JSON Lines file read as it grows."""

    def __init__(self, path):
        self.path = path
        self.all = []
        self._off = 0
        self._partial = b""

    def read(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self._off)
                chunk = f.read()
        except FileNotFoundError:
            return self.all
        self._off += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            try:
                self.all.append(json.loads(line.decode("utf-8")))
            except ValueError as e:
                raise TestError("%s: line is not JSON (%s): %r" % (self.path, e, line[:200]))
        return self.all

    def wait_for(self, pred, what, daemon=None, timeout=STEP):
        """Wait until pred(events) holds; return the events."""
        deadline = time.monotonic() + timeout
        while True:
            evs = self.read()
            if pred(evs):
                return evs
            if daemon:
                daemon.alive_or_raise()
            if time.monotonic() > deadline:
                raise TestError("after %.0fs still waiting for %s; events: %s" % (
                    timeout, what, [short(e) for e in evs[-8:]]))
            time.sleep(POLL)


def short(ev):
    g = ev.get("group") or {}
    return "#%s %s %s %s" % (ev.get("seq"), ev.get("event"), g.get("id", ev.get("sink", "")), g.get("health", ""))


def has(evs, event, health=None, since=0):
    return any(e.get("event") == event and (health is None or (e.get("group") or {}).get("health") == health)
               for e in evs[since:])


class Daemon:
    """redmon daemon on the fake probe, with a config file; stopped by PID."""

    def __init__(self, build, tmp, conf_text, name="daemon", extra=()):
        self.build = build
        self.tmp = tmp
        self.conf = os.path.join(tmp, name + ".conf")
        self.err_path = os.path.join(tmp, name + ".err")
        self.plugins = os.path.join(tmp, "plugins")
        fake = os.path.join(build, "tests", "probes", "fake.so")
        if not os.path.exists(fake):
            raise TestError("%s is missing (make check builds it)" % fake)
        if not os.path.isdir(self.plugins):
            os.makedirs(self.plugins)
            os.symlink(fake, os.path.join(self.plugins, "fake.so"))
        self.write_conf(conf_text)
        self.extra = list(extra)
        self.proc = None
        self.err = None

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def argv(self, command="daemon"):
        return [os.path.join(self.build, "redmon"), command, "--root", self.tmp, "--plugin-dir",
                self.plugins, "-c", self.conf] + self.extra

    def start(self, stdout=None):
        self.err = open(self.err_path, "a")
        self.err.write("--- start\n")
        self.err.flush()
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=stdout if stdout is not None else self.err,
                                     stderr=self.err, env=harness.test_env())
        return self

    def stderr(self):
        try:
            with open(self.err_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def alive_or_raise(self):
        if self.proc and self.proc.poll() is not None:
            raise TestError("daemon exited with %s: %s" % (self.proc.returncode, harness.tail(self.stderr())))

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise TestError("daemon did not stop within %ss" % timeout)
        finally:
            self.err.close()
        self.proc = None
        return rc

    def kill(self):
        """SIGKILL: no clean stop, nothing saved at exit."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.err:
            self.err.close()
        self.proc = None

    def sanitizer_problems(self):
        text = self.stderr()
        return ["sanitizer: " + harness.tail(text, 12)] if any(m in text for m in harness.SAN_MARKERS) else []

    def run(self, command, extra=(), timeout=30):
        """A one-shot command (test-alert) with this config."""
        return subprocess.run(self.argv(command) + list(extra),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=harness.test_env(), timeout=timeout, universal_newlines=True,
                              errors="replace")


class NoNewPrivsDaemon(Daemon):
    """The daemon as the unit runs it: no_new_privs set (NoNewPrivileges=yes), so no exec
    can gain privileges (a setgid sendmail cannot run)."""

    def argv(self, command="daemon"):
        base = super().argv(command)
        return ["setpriv", "--no-new-privs"] + base if command == "daemon" else base


def free_port():
    """A free TCP port on 127.0.0.1 (closed again: the caller binds it next)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, what, timeout=STEP, daemon=None):
    deadline = time.monotonic() + timeout
    while not pred():
        if daemon:
            daemon.alive_or_raise()
        if time.monotonic() > deadline:
            raise TestError("after %.0fs still waiting for %s" % (timeout, what))
        time.sleep(POLL)


def parse_time(s):
    import datetime
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


SCHEMA = os.path.join(harness.REPO, "docs", "alert.schema.json")


def check_schema(rep, name, events):
    """Every event against docs/alert.schema.json (SKIP without python3-jsonschema)."""
    try:
        import jsonschema
    except ImportError:
        rep.skip(name, "python3-jsonschema is not installed")
        return
    with open(SCHEMA) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for ev in events:
        for err in validator.iter_errors(ev):
            problems.append("%s: %s at %s" % (short(ev), err.message, "/".join(map(str, err.path))))
    kinds = sorted(set(e.get("event") for e in events))
    if not events:
        problems.append("no event to check")
    rep.check(name + " (%s)" % ", ".join(kinds), problems[:5])

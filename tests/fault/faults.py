"""Helpers of the fault tests (tests/integration/test_faults_*.py).

They run the real `redmon` against trees written by bench/gen.py (which writes
the ground truth beside each tree) and check what survives hostile input and
faults.  Standard library only; every wait is bounded; every process is
stopped by its PID.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FAULT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FAULT_DIR))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "bench"))

import harness  # noqa: E402
import gen  # noqa: E402
from harness import TestError  # noqa: E402

POLL = 0.005


def wait_until(pred, timeout, what):
    """Poll pred until it returns a true value (returned) or timeout (TestError)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TestError("no %s within %.0fs" % (what, timeout))
        time.sleep(POLL)


def make_tree(tmp, md=0, bonds=0, psus=0, name="root"):
    """A generated tree under tmp/name; returns (root, truth)."""
    root = os.path.join(tmp, name)
    truth = gen.generate(root, md, bonds, psus)
    return root, truth


def plugin_dir(build, tmp, names, extra=()):
    """A plugin directory holding only the named build plugins (and extra .so paths)."""
    d = tempfile.mkdtemp(prefix="plugins-", dir=tmp)
    for n in names:
        os.symlink(os.path.join(build, "plugins", n + ".so"), os.path.join(d, n + ".so"))
    for p in extra:
        os.symlink(p, os.path.join(d, os.path.basename(p)))
    return d


def agreement(doc, truth, only=None):
    """Problems of a status document against the ground truth (groups in only, or all)."""
    got = {g["id"]: g for g in doc.get("groups", [])}
    out = []
    for gid, tr in truth["groups"].items():
        if only is not None and gid not in only:
            continue
        g = got.get(gid)
        if g is None:
            out.append("%s missing" % gid)
            continue
        for k, v in tr.items():
            if k.startswith("_") or k == "probe":
                continue
            gv = g.get(k)
            same = abs(gv - v) <= 0.05 if isinstance(v, float) and isinstance(gv, (int, float)) else gv == v
            if not same:
                out.append("%s.%s: want %r got %r (reason %r)" % (gid, k, v, gv, g.get("reason")))
    return out


def run_status(build, root, plugins, timeout=30, preexec=None, argv_prefix=()):
    """`redmon status --json`; returns (doc, CompletedProcess).  A hang, a signal,
    a sanitizer report, an exit code outside 0-3 or invalid JSON raise TestError."""
    argv = list(argv_prefix) + [os.path.join(build, "redmon"), "status", "--json", "--root", root,
                                "--plugin-dir", plugins]
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           env=harness.test_env(), timeout=timeout, universal_newlines=True, errors="replace")
    except subprocess.TimeoutExpired:
        raise TestError("redmon status hung: no exit within %ss" % timeout)
    took = time.monotonic() - t0
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    if p.returncode < 0:
        raise TestError("redmon status died of signal %d: %s" % (-p.returncode, harness.tail(p.stderr)))
    if p.returncode not in (0, 1, 2, 3):
        raise TestError("redmon status exited %d: %s" % (p.returncode, harness.tail(p.stderr)))
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        raise TestError("invalid JSON (%s): %r" % (e, p.stdout[:200]))
    doc["_seconds"] = took
    return doc, p


class Daemon:
    """`redmon daemon --root ROOT` with a JSON Lines sink in tmp."""

    def __init__(self, build, tmp, root, plugins, rescan="1h", conf=None, extra=(), tag="d", argv_prefix=()):
        self.events_path = os.path.join(tmp, "events-%s.jsonl" % tag)
        self.err_path = os.path.join(tmp, "daemon-%s.err" % tag)
        argv = list(argv_prefix) + [
            os.path.join(build, "redmon"), "daemon", "--root", root, "--plugin-dir", plugins,
            "-o", "sink.t.type=json", "-o", "sink.t.path=" + self.events_path,
            "-o", "daemon.rescan_interval=" + rescan]
        if conf:
            argv += ["-c", conf]
        argv += list(extra)
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err,
                                     env=harness.test_env())
        self.pid = self.proc.pid
        self.events = []
        self._offset = 0
        self._partial = b""

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def read(self):
        """New complete event lines, appended to self.events and returned."""
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        new = []
        for line in lines:
            try:
                new.append(json.loads(line.decode("utf-8")))
            except ValueError as e:
                raise TestError("events line is not JSON (%s): %r" % (e, line[:200]))
        self.events += new
        return new

    def alive(self):
        return self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            raise TestError("daemon exited with %s: %s" % (self.proc.returncode, harness.tail(self.stderr())))

    def wait_events(self, pred, count, timeout, what):
        """Wait until count events (new ones and those already read) satisfy pred."""
        def enough():
            self.read()
            self.check_alive()
            return sum(1 for e in self.events if pred(e)) >= count
        wait_until(enough, timeout, what)

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.pid))

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def stop(self, timeout=5):
        """SIGTERM, then SIGKILL after timeout; returns the exit code (None if killed)."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.err.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.err.closed:
            self.err.close()

    def sanitizer_problems(self):
        text = self.stderr()
        return ["sanitizer report: %s" % harness.tail(text, 12)] if any(
            m in text for m in harness.SAN_MARKERS) else []


def put_inplace(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
        os.ftruncate(fd, len(text))
    finally:
        os.close(fd)


MD0_OK = "md0 : active raid1 sd0d1[1] sd0d0[0]\n      976630464 blocks super 1.2 [2/2] [UU]\n"
MD0_FAILED = "md0 : active raid1 sd0d1[1](F) sd0d0[0]\n      976630464 blocks super 1.2 [2/1] [U_]\n"


def set_md0(root, failed):
    """md0 of a generated tree (raid1, 2 in sync) loses sd0d1, or gets it back."""
    put_inplace(os.path.join(root, "sys/block/md0/md/dev-sd0d1/state"), "faulty\n" if failed else "in_sync\n")
    put_inplace(os.path.join(root, "sys/block/md0/md/degraded"), "1\n" if failed else "0\n")
    p = os.path.join(root, "proc/mdstat")
    with open(p) as f:
        text = f.read()
    put_inplace(p, text.replace(MD0_OK, MD0_FAILED) if failed else text.replace(MD0_FAILED, MD0_OK))


def health_event(gid, health):
    return lambda e: (e.get("event") in ("health_changed", "group_appeared") and
                      (e.get("group") or {}).get("id") == gid and e["group"].get("health") == health)


class Tmp:
    """A temporary directory removed at exit unless REDMON_KEEP_TMP is set."""

    def __init__(self, prefix):
        # tmpfs when there is one: sysfs and procfs live in memory too.
        self.path = tempfile.mkdtemp(prefix=prefix, dir="/dev/shm" if os.path.isdir("/dev/shm") else None)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
        return False

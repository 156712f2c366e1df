"""Helpers shared by the golden and integration test scripts (standard library only).

A test script speaks the runner's protocol on stdout, one line per test case:

    PASS <name>
    FAIL <name>: <why, on one line>
    SKIP <name>: <why>

Anything else it prints is passed through by tests/run.py only when the script
fails without reporting.  Each script takes `--build DIR` (default: build, or
$REDMON_BUILD) and exits 1 when any case failed.
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Hermetic: without -c redmon reads $REDMON_CONF, else /etc/redmon/redmon.conf where a
# package put it; set but empty, it reads no file (the defaults the tests expect).
os.environ["REDMON_CONF"] = ""

HEALTHS = ("ok", "degraded", "critical", "failed", "nonredundant", "unknown")
ROLES = ("active", "spare", "standby", "rebuilding", "failed", "missing", "unknown")
RISKS = ("ok", "warning", "failing", "unknown")
ACTIVITIES = ("none", "recovery", "resync", "reshape", "check", "repair", "delayed", "pending")
REBUILDING = ("recovery", "resync", "reshape")
# summary.worst order of docs/json.md.
WORST_ORDER = ("ok", "nonredundant", "degraded", "unknown", "critical", "failed")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

# Sanitizer builds: exit codes that cannot be mistaken for a Nagios state.
SAN_ENV = {
    "ASAN_OPTIONS": "exitcode=86:abort_on_error=0",
    "UBSAN_OPTIONS": "exitcode=87:print_stacktrace=1",
    # tests/lsan.supp: a leak inside net-snmp itself, fixed upstream.
    "LSAN_OPTIONS": "exitcode=88:suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "..", "lsan.supp"),
}
SAN_MARKERS = ("Sanitizer", "runtime error:")


# The captures the tests compare with (tests/corpus/README.md); nothing is read
# from outside the repository.
CORPUS = os.path.join(REPO, "tests", "corpus")


def parse_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--build", default=os.environ.get("REDMON_BUILD", "build"),
                    help="build directory holding redmon and plugins/ (default: build)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.isabs(args.build):
        args.build = os.path.join(REPO, args.build)
    return args


def sanitizer_build(exe):
    """Whether exe is an ASan build (valgrind cannot run it; it is several times slower)."""
    try:
        out = subprocess.run(["ldd", exe], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True).stdout
    except OSError:
        return False
    return "libasan" in out


def natural_cmp(a, b):
    """src/status.c natural_cmp(), the order of `redmon status`: a run of digits on both
    sides compares as a number (leading zeros aside), everything else byte by byte."""
    a, b = str(a).encode(), str(b).encode()
    i = j = 0
    while i < len(a) and j < len(b):
        if chr(a[i]).isdigit() and chr(b[j]).isdigit():
            while a[i:i + 1] == b"0" and a[i + 1:i + 2].isdigit():
                i += 1
            while b[j:j + 1] == b"0" and b[j + 1:j + 2].isdigit():
                j += 1
            ea, eb = i, j
            while ea < len(a) and chr(a[ea]).isdigit():
                ea += 1
            while eb < len(b) and chr(b[eb]).isdigit():
                eb += 1
            if ea - i != eb - j:
                return -1 if ea - i < eb - j else 1
            if a[i:ea] != b[j:eb]:
                return -1 if a[i:ea] < b[j:eb] else 1
            i, j = ea, eb
            continue
        if a[i] != b[j]:
            return -1 if a[i] < b[j] else 1
        i += 1
        j += 1
    return (i < len(a)) - (j < len(b))


def natural_key(s):
    """A sort key: natural_cmp, ties (md1, md01) by the bytes, as status breaks them."""
    import functools
    return (functools.cmp_to_key(natural_cmp)(s), str(s))


def test_env():
    """The environment for redmon children: sanitizer exit codes set, user values kept."""
    env = dict(os.environ)
    for k, v in SAN_ENV.items():
        if not env.get(k, "").startswith(v):
            env[k] = v + (":" + env[k] if env.get(k) else "")
    return env


def run_as_nobody(build, args, workdir):
    """build/redmon args run as nobody (root reads past chmod 000).  The binaries
    (redmon, and redmond it execs for daemon and test-alert) and plugins/ are
    copied into workdir (which nobody can reach) first: the checkout itself may
    sit under a 0700 directory (/root, mktemp -d)."""
    own = os.path.join(workdir, "nobody-build")
    if not os.path.isdir(own):
        os.makedirs(own)
        os.chmod(own, 0o755)
        shutil.copy2(os.path.join(build, "redmon"), own)
        shutil.copy2(os.path.join(build, "redmond"), own)
        plugins = os.path.join(build, "plugins")
        if os.path.isdir(plugins):
            shutil.copytree(plugins, os.path.join(own, "plugins"))
    argv = ["runuser", "-u", "nobody", "--", os.path.join(own, "redmon")] + args
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=test_env(), timeout=30, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in SAN_MARKERS):
        raise TestError("sanitizer report: %s" % tail(p.stderr, 12))
    return p


class Reporter:
    """Prints protocol lines and counts them (tests/run.py prints with it too)."""

    def __init__(self, verbose=True):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.verbose = verbose

    def ok(self, name):
        self.passed += 1
        if self.verbose:
            print("PASS %s" % name, flush=True)

    def fail(self, name, why):
        self.failed += 1
        why = " | ".join(l.rstrip() for l in str(why).strip().splitlines() if l.strip())
        print("FAIL %s: %s" % (name, why), flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP %s: %s" % (name, why), flush=True)

    def check(self, name, problems):
        """PASS when problems is empty, else FAIL with them joined."""
        if problems:
            self.fail(name, "; ".join(problems))
        else:
            self.ok(name)

    def run(self, name, fn, *args):
        """Call fn(*args) -> list of problems; an exception is a failure too."""
        try:
            problems = fn(*args)
        except TestError as e:
            problems = [str(e)]
        except Exception as e:  # a bug in the test or an unexpected output shape
            problems = ["%s: %s" % (type(e).__name__, e)]
        self.check(name, problems)

    def exit(self):
        sys.exit(1 if self.failed else 0)


class TestError(Exception):
    """A failure with a message meant for the report line."""


def libcurl_file():
    """The file the dynamic loader opens for libcurl.so.4 (redmon loads it when an
    HTTP or SMTP sink or a Redfish url needs it), or None: asked of the loader."""
    try:
        ctypes.CDLL("libcurl.so.4")
    except OSError:
        return None
    for name in maps_libraries(os.getpid(), paths=True):
        if os.path.basename(name).startswith("libcurl"):
            return os.path.realpath(name)
    return None


def without_libcurl(argv):
    """argv run where libcurl.so.4 is /dev/null (unshare -rm: a user and mount
    namespace of its own); None when this host allows no such namespace."""
    lib = libcurl_file()
    if not lib or subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode:
        return None
    script = 'mount --bind /dev/null "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", lib] + argv, capture_output=True,
                          text=True, errors="replace", env=test_env(), stdin=subprocess.DEVNULL,
                          timeout=30)


def maps_libraries(pid, paths=False):
    """The shared libraries mapped into process pid: their file names (paths=True: whole paths)."""
    with open("/proc/%d/maps" % pid) as f:
        files = {line.split()[5] for line in f if len(line.split()) > 5 and ".so" in line}
    return files if paths else {os.path.basename(x) for x in files}


def tail(text, lines=8):
    """The last non-blank lines of text, on one line."""
    return " | ".join([l for l in text.strip().splitlines() if l.strip()][-lines:])


def json_lines(path):
    """The complete JSON lines of a file that may still be written to ([] when
    it is not there yet). A read can overlap the writer's write(2) of a line
    (one write is not atomic against a reader of a regular file): a line
    without its newline is still being written, and is read next time."""
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip() and l.endswith("\n")]
    except FileNotFoundError:
        return []


class EventWaiter:
    """Waits for a running daemon's JSON Lines events.

    wait_for(preds) returns the events that came since the last successful
    wait once every predicate matched one of them (any order within the step);
    it fails early when the daemon exits, and after `timeout` seconds."""

    def __init__(self, path, proc, stderr_file, timeout):
        self.path, self.proc, self.stderr_file, self.timeout = path, proc, stderr_file, timeout
        self.seen = 0

    def read(self):
        return json_lines(self.path)

    def wait_for(self, preds, timeout=None):
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while True:
            evs = self.read()
            new = evs[self.seen:]
            left = list(preds)
            for e in new:
                for p in left:
                    if p(e):
                        left.remove(p)
                        break
            if not left:
                self.seen = len(evs)
                return new
            if self.proc.poll() is not None:
                self.stderr_file.seek(0)
                raise TestError("daemon exited %d: %s" % (
                    self.proc.returncode, tail(self.stderr_file.read().decode(errors="replace"))))
            if time.time() > deadline:
                raise TestError("still waiting for %d event(s); new: %s" % (
                    len(left), [(e.get("event"), (e.get("group") or {}).get("health"),
                                 (e.get("member") or {}).get("name")) for e in new]))
            time.sleep(0.02)


def stop_daemon(proc, stderr_file):
    """SIGTERM a daemon started with stderr to stderr_file (a binary temporary
    file); problems: a non-zero exit, a sanitizer report."""
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=10)
    stderr_file.seek(0)
    text = stderr_file.read().decode(errors="replace")
    out = [] if rc == 0 else ["daemon exited %d: %s" % (rc, tail(text))]
    if any(m in text for m in SAN_MARKERS):
        out.append("sanitizer: %s" % tail(text, 12))
    return out


class Redmon:
    """Runs build/redmon one-shot commands."""

    def __init__(self, build):
        self.exe = os.path.join(build, "redmon")

    def run(self, args, timeout=20):
        """Run redmon with args; return CompletedProcess.  Raises TestError on
        timeout or on a sanitizer report."""
        if not os.access(self.exe, os.X_OK):
            raise TestError("%s is missing (build it first)" % self.exe)
        argv = [self.exe] + args
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, env=test_env(), timeout=timeout,
                               universal_newlines=True, errors="replace")
        except subprocess.TimeoutExpired:
            raise TestError("`%s` timed out after %ss" % (" ".join(argv), timeout))
        if any(m in p.stderr for m in SAN_MARKERS):
            raise TestError("sanitizer report from `%s`: %s" % (" ".join(argv), tail(p.stderr, 12)))
        if p.returncode < 0:
            raise TestError("`%s` died of signal %d: %s" % (" ".join(argv), -p.returncode, tail(p.stderr)))
        return p

    def status(self, root):
        """`redmon status --json --root ROOT` parsed; raises TestError on any failure."""
        p = self.run(["status", "--json", "--root", root])
        if p.returncode != 0:
            raise TestError("status exited %d: %s" % (p.returncode, tail(p.stderr)))
        try:
            return json.loads(p.stdout)
        except ValueError as e:
            raise TestError("status --json printed invalid JSON (%s): %r" % (e, p.stdout[:200]))


def coarse_state(g):
    """The corpus's coarse state of a redmon group object."""
    if g.get("health") == "failed":
        return "failed"
    if g.get("activity") in REBUILDING:
        return "rebuilding"
    if g.get("health") in ("degraded", "critical"):
        return "degraded"
    if g.get("health") == "unknown":
        return "unknown"
    return "ok"


# Nagios exit code per health, and which code wins: CRITICAL > WARNING > UNKNOWN > OK.
NAGIOS_CODE = {"ok": 0, "nonredundant": 0, "degraded": 1, "critical": 2, "failed": 2, "unknown": 3}
NAGIOS_RANK = {0: 0, 3: 1, 1: 2, 2: 3}
NAGIOS_WORD = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def nagios_code(groups):
    """`redmon check`'s exit code for these groups; no group at all is UNKNOWN (--empty)."""
    if not groups:
        return 3
    code = 0
    for g in groups:
        c = NAGIOS_CODE.get(g.get("health"), 3)
        if NAGIOS_RANK[c] > NAGIOS_RANK[code]:
            code = c
    return code


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def group_problems(g, where):
    """Problems with the shape of one group object (docs/json.md) and its health rule."""
    out = []

    def bad(msg):
        out.append("%s: %s" % (where, msg))

    for key, ok in (("id", lambda v: isinstance(v, str)),
                    ("probe", lambda v: isinstance(v, str)),
                    ("name", lambda v: isinstance(v, str) and v),
                    ("kind", lambda v: isinstance(v, str)),
                    ("type", lambda v: isinstance(v, str)),
                    ("health", lambda v: v in HEALTHS),
                    ("margin", lambda v: v is None or _is_int(v)),
                    ("margin_nominal", _is_int),
                    ("members_total", lambda v: v is None or _is_int(v)),
                    ("members_ok", lambda v: v is None or _is_int(v)),
                    ("members_failed", _is_int),
                    ("spares", _is_int),
                    ("activity", lambda v: v in ACTIVITIES),
                    ("progress", lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))),
                    ("reason", lambda v: v is None or isinstance(v, str)),
                    ("members", lambda v: isinstance(v, list))):
        if key not in g:
            bad("field %s missing" % key)
        elif not ok(g[key]):
            bad("field %s has bad value %r" % (key, g[key]))
    if out:
        return out
    if g["id"] != "%s:%s" % (g["probe"], g["name"]):
        bad("id %r is not probe:name" % g["id"])
    h, m, n = g["health"], g["margin"], g["margin_nominal"]
    rule = {
        "ok": m is not None and m == n and n > 0,
        "degraded": m is not None and 0 < m < n,
        "critical": m == 0 and n > 0,
        "failed": m == 0,
        "nonredundant": n == 0,
        "unknown": m is None,
    }[h]
    if not rule:
        bad("health %s does not follow from margin %r / nominal %r" % (h, m, n))
    if g["activity"] == "none" and g["progress"] is not None:
        bad("progress %r with activity none" % g["progress"])
    for i, mem in enumerate(g["members"]):
        if not isinstance(mem, dict) or not isinstance(mem.get("name"), str):
            bad("member %d has no name" % i)
        elif mem.get("role") not in ROLES:
            bad("member %s has role %r" % (mem["name"], mem.get("role")))
        elif not (mem.get("state") is None or isinstance(mem.get("state"), str)):
            bad("member %s has state %r" % (mem["name"], mem.get("state")))
        elif "risk" in mem and mem["risk"] not in RISKS:
            bad("member %s has risk %r" % (mem["name"], mem["risk"]))
    if "at_risk" in g and not (_is_int(g["at_risk"]) and 0 <= g["at_risk"] <= len(g["members"])):
        bad("at_risk %r" % g["at_risk"])
    return out


def disk_problems(disks):
    """Problems with the shape of the status document's disks (docs/json.md)."""
    if not isinstance(disks, list):
        return ["disks is %r" % type(disks).__name__]
    out = []
    for d in disks:
        if not isinstance(d, dict) or not isinstance(d.get("device"), str) or not d["device"]:
            out.append("disk without a device: %r" % (d,))
        elif d.get("health") not in RISKS:
            out.append("disk %s health %r" % (d["device"], d.get("health")))
        elif (d["health"] == "ok") != (d.get("reason") is None):
            out.append("disk %s: %s with reason %r" % (d["device"], d["health"], d.get("reason")))
        elif not all(d.get(k) is None or isinstance(d[k], str) for k in ("model", "serial")):
            out.append("disk %s model/serial %r" % (d["device"], d))
    devices = [d.get("device") for d in disks if isinstance(d, dict)]
    if len(set(devices)) != len(devices):
        out.append("a disk listed twice: %s" % devices)
    return out


def status_problems(doc, root):
    """Problems with the shape of a status document (docs/json.md)."""
    out = []
    if doc.get("version") != 1:
        out.append("version %r" % doc.get("version"))
    if not isinstance(doc.get("host"), str) or not doc.get("host"):
        out.append("host %r" % doc.get("host"))
    if not TIME_RE.match(str(doc.get("time"))):
        out.append("time %r is not UTC with milliseconds" % doc.get("time"))
    if not isinstance(doc.get("root"), str) or os.path.realpath(doc["root"]) != os.path.realpath(root):
        out.append("root %r, ran with %r" % (doc.get("root"), root))
    groups = doc.get("groups")
    if not isinstance(groups, list):
        return out + ["groups is %r" % type(groups).__name__]
    for g in groups:
        out += group_problems(g, "group %s" % g.get("id"))
    ids = [g.get("id") for g in groups]
    if ids != sorted(ids, key=natural_key):
        out.append("groups not sorted by id, numbers as numbers: %s" % ids)
    if len(set(ids)) != len(ids):
        out.append("duplicate group ids: %s" % ids)
    probes = doc.get("probes")
    if not isinstance(probes, list) or not any(isinstance(p, dict) and p.get("name") == "md" for p in probes):
        out.append("probes has no md entry: %r" % (probes,))
    else:
        md = [p for p in probes if p.get("name") == "md"][0]
        if md.get("status") != "ok" or md.get("error") is not None:
            out.append("probe md status %r error %r" % (md.get("status"), md.get("error")))
    out += disk_problems(doc.get("disks"))
    s = doc.get("summary")
    if not isinstance(s, dict):
        return out + ["summary missing"]
    want = {"groups": len(groups)}
    for h in HEALTHS:
        want[h] = sum(1 for g in groups if g.get("health") == h)
    present = [g.get("health") for g in groups if g.get("health") in WORST_ORDER]
    want["worst"] = max(present, key=WORST_ORDER.index) if present else "ok"
    for k, v in want.items():
        if s.get(k) != v:
            out.append("summary.%s is %r, groups say %r" % (k, s.get(k), v))
    return out

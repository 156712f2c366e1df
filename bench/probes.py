#!/usr/bin/env python3
"""The newer probes' CPU against the cost of their data source, and their memory.

    python3 bench/probes.py [--build build] [--rounds 9] [--smoke]
    (bench/run runs it too, after its own part: --probes yes|no|only)

Each row is one probe on one data source, measured beside the floor of that
same source: what reading it costs before any monitor does anything with it.

  hwraid json/text  the MegaRAID parser in process (bench/hwraid_parse.c, as
                    bench/hwraid.py: 24 virtual drives on 96 drives) per pass,
                    against `cat` of the capture as a process (the floor of
                    any tool run); per logical drive
  redfish           `redmon status --json` with only redfish.so, against the
                    live HTTPS service of tests/integration/redfish_server.py
                    on 127.0.0.1 (the DMTF tower mockup: login, 41 GETs,
                    logout), against curl doing the same GETs in one process
                    (HTTP Basic, one kept connection); per poll
  redfish daemon    `redmon daemon` polling it every second, session and
                    connection kept: CPU of the whole process per poll over 3
                    polls, against curl's CPU per extra walk on one kept
                    connection ((11 walks - 1 walk) / 10 in one process each)
  smart             `redmon status --json` with only smart.so and a
                    stand-in smartctl on PATH (bench/fake_tool.c printing a
                    corpus capture) for 8 controller devices and the host's
                    disks, against as many runs of that same stand-in; per disk
  zfs               the same with a stand-in zpool printing a dRAID capture
                    (tests/captures/zfs); per run of zpool
  btrfs status      `redmon status --json --root CAPTURE` with only btrfs.so on
                    tests/captures/btrfs/raid6-four-devices, against
                    bench/floor.c reading, as a process, exactly the files the
                    probe opened (its openat2 calls under the root, seen once
                    with strace); per scan
  btrfs daemon      `redmon daemon --root CAPTURE` rescanning every 100 ms: CPU
                    of the whole process per rescan, against floor.c's CPU per
                    pass over the same files in process (open, read, close)

`redmon status` rows are whole-process CPU from wait4 rusage, which includes
the tools it ran and reaped; they also show `redmon status` with only md.so
on an empty root (start-up, configuration, plugin loading, JSON: no probe
work) in every round, and the row less that start-up against the floor.
Every round runs every row once, in turn; the table gives the median and
min-max over rounds of the per-round ratios, as bench/run does.

Memory: `redmon daemon` with that plugin alone, RssAnon and VmRSS after its
first scan (the groups or disks announced), median over the memory rounds,
beside the same daemon with only md.so on an empty root, and with every
plugin of the build installed as a package installs them (each with its
NAME.sources: those without a source stay unloaded) on an empty root.

Processes are stopped by PID.  Nothing here fails a build.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import hwraid  # noqa: E402

os.environ["REDMON_CONF"] = ""
PLUGINS = ("md", "hwraid", "redfish", "smart", "zfs", "btrfs")
REDFISH_CASE = os.path.join(REPO, "tests", "corpus", "redfish", "dmtf-tower-psu-warning-volumes")
SMART_CAPTURE = os.path.join(REPO, "tests", "corpus", "smart", "smartctl-exporter-ata-reallocated-304",
                             "smartctl-j.json")
SMART_DEVICES = ["/dev/bus/0 megaraid,%d" % i for i in range(8)]
ZPOOL_CAPTURE = os.path.join(REPO, "tests", "captures", "zfs", "openzfs-docs-draid-resilver-replacing-under-spare",
                             "zpool-status.txt")
BTRFS_CAPTURE = os.path.join(REPO, "tests", "captures", "btrfs", "raid6-four-devices")
RF_USER, RF_PASSWORD = "bench", "bench-only-not-a-secret"


def log(msg):
    sys.stderr.write("bench probes: %s\n" % msg)
    sys.stderr.flush()


def cpu_ns_of(argv, env=None, want_rc=(0,)):
    """Whole-process CPU (user + system, ns) of one run from wait4 rusage: the
    process and every child it waited for; and its output."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, st, ru = os.wait4(p.pid, 0)
        rc = os.waitstatus_to_exitcode(st)
        if rc not in want_rc:
            raise RuntimeError("%s exited %d" % (" ".join(argv[:3]), rc))
        out.seek(0)
        return int((ru.ru_utime + ru.ru_stime) * 1e9), out.read()


def proc_cpu_ns(pid):
    """The process CPU-time clock of pid (every thread, those ended too), as bench/run."""
    return time.clock_gettime_ns(((~pid) << 3) | 2)


def status_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon"):
                out[k] = int(v.split()[0])
    return out


def stop(proc, timeout=10):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(pred, timeout, what, step=0.02):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(step)


def med_range(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def cc(out, *srcs):
    if not os.path.exists(out):
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-o", out] + list(srcs), check=True)
    return out


class RedfishServer:
    """tests/integration/redfish_server.py on 127.0.0.1 over a copy of the tower mockup."""

    def __init__(self, d):
        self.d = d
        os.makedirs(d)
        shutil.copytree(REDFISH_CASE, os.path.join(d, "tree"))
        self.pw = os.path.join(d, "pw")
        fd = os.open(self.pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, (RF_PASSWORD + "\n").encode())
        os.close(fd)
        self.log = open(os.path.join(d, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "tests", "integration", "redfish_server.py"), "--tree",
             os.path.join(d, "tree"), "--dir", d, "--user", RF_USER, "--password-file", self.pw],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        port = os.path.join(d, "port")
        wait_until(lambda: os.path.exists(port) or self.proc.poll() is not None, 30, "redfish_server.py")
        if self.proc.poll() is not None:
            raise RuntimeError("redfish_server.py exited %s" % self.proc.returncode)
        with open(port) as f:
            self.port = int(f.read())
        self.cert = os.path.join(d, "cert.pem")

    def requests(self):
        try:
            with open(os.path.join(self.d, "requests.jsonl")) as f:
                return [json.loads(x) for x in f.read().split("\n")[:-1] if x.strip()]
        except FileNotFoundError:
            return []

    def probe_opts(self):
        return ["-o", "probe.redfish.url=https://127.0.0.1:%d" % self.port, "-o", "probe.redfish.username=" + RF_USER,
                "-o", "probe.redfish.password_file=" + self.pw, "-o", "probe.redfish.ca_file=" + self.cert]

    def curl_config(self, paths):
        """A curl config (no credential on a command line) doing these GETs in one process."""
        conf = os.path.join(self.d, "curl.conf")
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write('cacert = "%s"\nuser = "%s:%s"\nsilent\nshow-error\nfail\n' % (self.cert, RF_USER, RF_PASSWORD))
            for p in paths:
                f.write('url = "https://127.0.0.1:%d%s"\noutput = "/dev/null"\n' % (self.port, p))
        return conf

    def close(self):
        stop(self.proc)
        self.log.close()


class ProbeBench:
    def __init__(self, build, base, smoke):
        self.smoke = smoke
        self.base = base
        # A snapshot of the binaries: a rebuild during the run must not change what is measured.
        for f in ["redmon", "redmond"] + ["plugins/%s.so" % p for p in PLUGINS] + ["plugins/lib/libredmon-plugin.a"]:
            if not os.path.exists(os.path.join(build, f)):
                raise RuntimeError("%s/%s is missing: run make first" % (build, f))
        self.build = os.path.join(base, "build")
        os.makedirs(os.path.join(self.build, "plugins"))
        shutil.copy2(os.path.join(build, "redmon"), self.build)
        shutil.copy2(os.path.join(build, "redmond"), self.build)  # what `redmon daemon` execs
        shutil.copy2(os.path.join(build, "redmon-snmp.so"), self.build)  # what redmond loads for SNMP
        self.plugdirs = {}
        for p in PLUGINS:
            shutil.copy2(os.path.join(build, "plugins", p + ".so"), os.path.join(self.build, "plugins"))
            d = self.plugdirs[p] = os.path.join(base, "plugins-" + p)
            os.makedirs(d)
            os.symlink(os.path.join(self.build, "plugins", p + ".so"), os.path.join(d, p + ".so"))
        # Every plugin of the build with its NAME.sources, as a package installs them.
        every = self.plugdirs["every"] = os.path.join(base, "plugins-every")
        os.makedirs(every)
        for f in sorted(os.listdir(os.path.join(build, "plugins"))):
            if f.endswith(".so") or f.endswith(".sources"):
                shutil.copy2(os.path.join(build, "plugins", f), every)
        self.empty = os.path.join(base, "empty")
        os.makedirs(self.empty)
        self.redmon = os.path.join(self.build, "redmon")
        self.server = None
        self._hwraid(build)
        self._tools()
        self._btrfs()

    def _hwraid(self, build):
        self.hw = {}
        parser = os.path.join(self.base, "hwraid_parse")
        hwraid.build_parser(build, parser)
        self.hw_parser = parser
        for fmt, name, body in (("json", "storcli-call-show-all.json", hwraid.big_json()),
                                ("text", "storcli-call-show-all.txt", hwraid.big_text())):
            root = os.path.join(self.base, "hwraid-" + fmt)
            os.makedirs(root)
            with open(os.path.join(root, name), "w") as f:
                f.write(body)
            self.hw[fmt] = (root, os.path.join(root, name))
            # The probe must see the whole controller: 24 groups, two not ok.
            _, out = cpu_ns_of(self.status_argv("hwraid", root), want_rc=(0, 1, 2))
            hwraid.check_groups(out, fmt)

    def _tools(self):
        """bin/smartctl and bin/zpool: bench/fake_tool.c, each printing its capture."""
        exe = cc(os.path.join(self.base, "fake_tool"), os.path.join(HERE, "fake_tool.c"))
        self.bin = os.path.join(self.base, "bin")
        os.makedirs(self.bin)
        for tool, capture in (("smartctl", SMART_CAPTURE), ("zpool", ZPOOL_CAPTURE)):
            shutil.copy2(exe, os.path.join(self.bin, tool))
            shutil.copy2(capture, os.path.join(self.bin, tool + ".out"))
        self.tool_env = dict(os.environ, PATH=self.bin + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        self.smart_opts = ["-o", "probe.smart.devices=" + "; ".join(SMART_DEVICES)]
        _, out = cpu_ns_of(self.status_argv("smart", None, self.smart_opts), env=self.tool_env, want_rc=(0, 1, 2))
        self.disks = json.loads(out).get("disks") or []
        if len(self.disks) < len(SMART_DEVICES) or any(d["health"] != "warning" for d in self.disks):
            raise RuntimeError("smart: want %d or more disks at warning, got %r" % (len(SMART_DEVICES), self.disks))
        # The stand-in runs as the probe runs smartctl, once per disk.
        self.smart_runs = [["-j", "-a", "-n", "standby"] + (
            ["-d", d["device"].split(" ", 1)[1], d["device"].split(" ", 1)[0]] if " " in d["device"]
            else [d["device"]]) for d in self.disks]
        _, out = cpu_ns_of(self.status_argv("zfs", None), env=self.tool_env, want_rc=(0, 1, 2))
        groups = json.loads(out)["groups"]
        if [g["id"] for g in groups] != ["zfs:tank"] or groups[0]["members_total"] < 10:
            raise RuntimeError("zfs: want zfs:tank with its dRAID members, got %r" % groups)

    def _btrfs(self):
        """The files the btrfs probe opens under the capture, from one traced run."""
        self.btrfs_list = os.path.join(self.base, "btrfs-floor.list")
        self.floor = cc(os.path.join(self.base, "floor"), os.path.join(HERE, "floor.c"))
        trace = os.path.join(self.base, "btrfs.strace")
        if not shutil.which("strace"):
            raise RuntimeError("strace is not installed: the btrfs floor's file list comes from it")
        subprocess.run(["strace", "-f", "-y", "-e", "trace=openat,openat2,open", "-o", trace]
                       + self.status_argv("btrfs", BTRFS_CAPTURE), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        files = []
        pat = re.compile(r'openat2?\(\d+<%s>, "([^"]+)", ([^)]*)\) = \d+<' % re.escape(BTRFS_CAPTURE))
        with open(trace) as f:
            for line in f:
                m = pat.search(line)
                if m and "O_DIRECTORY" not in m.group(2) and "O_PATH" not in m.group(2):
                    files.append(m.group(1))
        if len(files) < 5:
            raise RuntimeError("btrfs: the trace shows %d files read under the capture" % len(files))
        with open(self.btrfs_list, "w") as f:
            f.write("".join(x + "\n" for x in files))
        self.btrfs_files = len(files)

    def status_argv(self, plugin, root, extra=()):
        return [self.redmon, "status", "--json", "--plugin-dir", self.plugdirs[plugin]] + (
            ["--root", root] if root else []) + list(extra)

    def status_ns(self, argv, runs, env=None):
        return sum(cpu_ns_of(argv, env=env, want_rc=(0, 1, 2))[0] for _ in range(runs)) / runs

    # --- one round's rows: (redmon ns, floor ns) per unit -----------------------

    def startup(self, runs):
        """`redmon status` with only md.so on an empty root: no probe work."""
        return self.status_ns(self.status_argv("md", self.empty), runs)

    def hwraid_row(self, fmt, passes, runs):
        _, capture = self.hw[fmt]
        out = subprocess.run([self.hw_parser, capture, str(passes)], check=True, stdout=subprocess.PIPE).stdout
        r = json.loads(out)
        if r["logical_drives"] != hwraid.N_VD or r["not_whole"] != 2:
            raise RuntimeError("hwraid %s: the parser gave %s" % (fmt, r))
        floor = sum(cpu_ns_of(["cat", capture])[0] for _ in range(runs)) / runs
        return r["ns_per_pass"] / hwraid.N_VD, floor / hwraid.N_VD, None

    def redfish_row(self, runs):
        before = len(self.server.requests())
        st = self.status_ns(self.status_argv("redfish", self.empty, self.server.probe_opts()), runs)
        reqs = self.server.requests()[before:]
        gets = [r["path"] for r in reqs if r["method"] == "GET" and r["status"] == 200]
        if len(gets) % runs or not gets:
            raise RuntimeError("redfish: %d GETs in %d polls" % (len(gets), runs))
        self.rf_gets = len(gets) // runs
        self.rf_paths = gets[:self.rf_gets]
        conf = self.server.curl_config(self.rf_paths)
        floor = sum(cpu_ns_of(["curl", "-K", conf])[0] for _ in range(runs)) / runs
        return st, floor, st

    def redfish_daemon_row(self, polls, walks):
        """The daemon's CPU per poll once its session and connection are up,
        against curl's CPU per walk of the same GETs on one kept connection:
        (the walk walks + 1 times - the walk once) / walks, so its start-up
        and TLS handshake cancel out."""
        d = Daemon(self, "redfish", self.empty, self.server.probe_opts() + [
            "-o", "probe.redfish.interval=1s", "-o", "daemon.rescan_interval=1h"])
        try:
            d.wait_lines(8, "redfish's first poll")
            per_poll = self.redfish_poll(d, polls)
        finally:
            d.stop()
        one = cpu_ns_of(["curl", "-K", self.server.curl_config(self.rf_paths)])[0]
        more = cpu_ns_of(["curl", "-K", self.server.curl_config(self.rf_paths * (walks + 1))])[0]
        # Noise larger than the walks leaves no figure rather than a wrong one.
        return per_poll, (more - one) / walks if more > one else None, None

    def smart_row(self, runs):
        st = self.status_ns(self.status_argv("smart", None, self.smart_opts), runs, env=self.tool_env)
        tool = os.path.join(self.bin, "smartctl")
        floor = sum(cpu_ns_of([tool] + a)[0] for _ in range(runs) for a in self.smart_runs) / runs
        k = len(self.disks)
        return st / k, floor / k, st

    def zfs_row(self, runs):
        st = self.status_ns(self.status_argv("zfs", None), runs, env=self.tool_env)
        floor = sum(cpu_ns_of([os.path.join(self.bin, "zpool"), "status", "-p"])[0] for _ in range(runs)) / runs
        return st, floor, st

    def btrfs_status_row(self, runs):
        st = self.status_ns(self.status_argv("btrfs", BTRFS_CAPTURE), runs)
        floor = sum(cpu_ns_of([self.floor, BTRFS_CAPTURE, self.btrfs_list, "1", "orc"])[0]
                    for _ in range(runs)) / runs
        return st, floor, st

    def btrfs_daemon_row(self, window):
        p = subprocess.run([self.floor, BTRFS_CAPTURE, self.btrfs_list, "2000", "orc"], check=True,
                           stdout=subprocess.PIPE)
        floor = json.loads(p.stdout)["cpu_ns_per_pass"]
        d = Daemon(self, "btrfs", BTRFS_CAPTURE, ["-o", "daemon.rescan_interval=100ms"])
        try:
            d.wait_lines(1, "btrfs's first scan")
            time.sleep(0.25)
            c0, t0 = proc_cpu_ns(d.proc.pid), time.monotonic()
            time.sleep(window)
            c1, t1 = proc_cpu_ns(d.proc.pid), time.monotonic()
            d.alive()
        finally:
            d.stop()
        return (c1 - c0) / ((t1 - t0) * 10), floor, None

    # --- memory -----------------------------------------------------------------

    def memory(self, rounds):
        """RssAnon and VmRSS after the first scan, median over rounds; redfish's CPU per poll."""
        cases = [("md (empty root)", "md", self.empty, [], None, 0),
                 ("every plugin (empty root)", "every", self.empty, [], None, 0),
                 ("hwraid", "hwraid", self.hw["json"][0], [], None, hwraid.N_VD),
                 ("redfish", "redfish", self.empty, self.server.probe_opts() + ["-o", "probe.redfish.interval=1s"],
                  None, 8),
                 ("smart", "smart", None, self.smart_opts, self.tool_env, len(self.disks)),
                 ("zfs", "zfs", None, [], self.tool_env, 1),
                 ("btrfs", "btrfs", BTRFS_CAPTURE, [], None, 1)]
        raw = {}
        for _ in range(rounds):
            for name, plugin, root, opts, env, lines in cases:
                d = Daemon(self, plugin, root, opts + ["-o", "daemon.rescan_interval=1h"], env)
                try:
                    if lines:
                        d.wait_lines(lines, "%s's first scan" % name)
                    else:
                        time.sleep(0.5)
                    time.sleep(0.2)
                    d.alive()
                    raw.setdefault(name, []).append(status_kib(d.proc.pid))
                finally:
                    d.stop()
        return {name: {k: statistics.median(x[k] for x in xs) for k in xs[0]} for name, xs in raw.items()}

    def redfish_poll(self, d, polls):
        """The daemon's CPU per walk of the BMC once its session is up: from the
        start of one walk (its GET of the service root) to the start of the
        walk polls later."""
        def walks():
            return sum(1 for r in self.server.requests() if r["method"] == "GET" and r["path"] == "/redfish/v1")
        n0 = walks()
        wait_until(lambda: walks() > n0, 30, "a redfish walk")
        c0, n1 = proc_cpu_ns(d.proc.pid), walks()
        wait_until(lambda: walks() >= n1 + polls, 30 * polls, "redfish walks")
        c1, n2 = proc_cpu_ns(d.proc.pid), walks()
        return (c1 - c0) / (n2 - n1)


class Daemon:
    """`redmon daemon` with one plugin and a JSON Lines sink; stopped by PID."""

    def __init__(self, pb, plugin, root, opts, env=None):
        self.events = os.path.join(pb.base, "events-%s.jsonl" % plugin)
        if os.path.exists(self.events):
            os.unlink(self.events)
        self.err = os.path.join(pb.base, "daemon-%s.err" % plugin)
        # As root, no privileged helper: the stand-in tools live in a temporary directory.
        # A new state directory each time: every group is announced again at the first scan.
        argv = [pb.redmon, "daemon", "--plugin-dir", pb.plugdirs[plugin], "-o", "daemon.user=root",
                "-o", "daemon.state_dir=" + tempfile.mkdtemp(dir=pb.base, prefix="state-"), "-o", "sink.t.type=json",
                "-o", "sink.t.path=" + self.events] + (["--root", root] if root else []) + list(opts)
        with open(self.err, "w") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env)

    def lines(self):
        try:
            with open(self.events, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def wait_lines(self, n, what):
        wait_until(lambda: self.lines() >= n or self.proc.poll() is not None, 60, what)
        self.alive()

    def alive(self):
        if self.proc.poll() is not None:
            with open(self.err, errors="replace") as f:
                raise RuntimeError("daemon exited %s: %s" % (self.proc.returncode, f.read()[-1000:]))

    def stop(self):
        stop(self.proc)


ROWS = (
    # key, probe, unit, redmon side, floor side
    ("hwraid-json", "hwraid (storcli JSON, 24 VDs / 96 drives)", "logical drive", "parse + groups, in process",
     "cat of the capture"),
    ("hwraid-text", "hwraid (storcli text, 24 VDs / 96 drives)", "logical drive", "parse + groups, in process",
     "cat of the capture"),
    ("redfish", "redfish (DMTF tower, HTTPS on 127.0.0.1)", "poll", "redmon status", "curl, same GETs"),
    ("redfish-daemon", "redfish (DMTF tower, HTTPS on 127.0.0.1)", "poll", "daemon, session kept",
     "curl, one more walk"),
    ("smart", "smart (stand-in smartctl, reallocating ATA)", "disk", "redmon status", "the stand-in's runs"),
    ("zfs", "zfs (stand-in zpool, dRAID 13 vdevs)", "zpool run", "redmon status", "the stand-in's run"),
    ("btrfs-status", "btrfs (raid6 of 4, captured sysfs)", "scan", "redmon status", "floor.c, one pass, process"),
    ("btrfs-daemon", "btrfs (raid6 of 4, captured sysfs)", "rescan", "daemon, every thread",
     "floor.c pass, in process"),
)


def run(build, rounds, smoke):
    """Every row once per round, in turn; then memory.  Returns the results."""
    base = tempfile.mkdtemp(prefix="redmon-bench-probes-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    res = {"started": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "loadavg_start": os.getloadavg(),
           "rounds": [], "smoke": smoke}
    runs, passes, window = (1, 20, 0.6) if smoke else (5, 200, 2.0)
    pb = None
    try:
        log("preparing (captures, stand-ins, the Redfish service, the btrfs file list)")
        pb = ProbeBench(build, base, smoke)
        pb.server = RedfishServer(os.path.join(base, "redfish"))
        res.update(disks=len(pb.disks), btrfs_files=pb.btrfs_files)
        for rnd in range(rounds):
            log("round %d/%d" % (rnd + 1, rounds))
            row = {"startup": pb.startup(runs)}
            for key, fn in (("hwraid-json", lambda: pb.hwraid_row("json", passes, runs)),
                            ("hwraid-text", lambda: pb.hwraid_row("text", passes, runs)),
                            ("redfish", lambda: pb.redfish_row(max(1, runs // 2))),
                            ("redfish-daemon", lambda: pb.redfish_daemon_row(*((1, 4) if smoke else (3, 10)))),
                            ("smart", lambda: pb.smart_row(runs)),
                            ("zfs", lambda: pb.zfs_row(runs)),
                            ("btrfs-status", lambda: pb.btrfs_status_row(runs)),
                            ("btrfs-daemon", lambda: pb.btrfs_daemon_row(window))):
                r_ns, f_ns, whole = fn()
                row[key] = {"redmon_ns": r_ns, "floor_ns": f_ns, "status_whole_ns": whole}
            res["rounds"].append(row)
        res["redfish_gets"] = pb.rf_gets
        log("memory after the first scan, each plugin alone")
        res["memory"] = pb.memory(1 if smoke else 3)
    finally:
        if pb and pb.server:
            pb.server.close()
        shutil.rmtree(base, ignore_errors=True)
    res["loadavg_end"] = os.getloadavg()
    res["finished"] = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    summarize(res)
    return res


def summarize(res):
    rows = res["rounds"]
    res["rows"] = {}
    for key, *_ in ROWS:
        xs = [r[key] for r in rows]
        out = {"redmon_ns": med_range([x["redmon_ns"] for x in xs]), "floor_ns": med_range([x["floor_ns"] for x in xs]),
               "ratio": med_range([x["redmon_ns"] / x["floor_ns"] for x in xs if x["floor_ns"]])}
        if xs[0]["status_whole_ns"] is not None:
            # The same run less redmon's own start-up of that round, per unit, against the floor.
            unit = [x["status_whole_ns"] / x["redmon_ns"] for x in xs]
            out["less_startup_ratio"] = med_range([(x["status_whole_ns"] - r["startup"]) / u / x["floor_ns"]
                                                   for x, r, u in zip(xs, rows, unit)])
        res["rows"][key] = out
    res["startup_ns"] = med_range([r["startup"] for r in rows])


def fmt_r(r, digits=2):
    if not r:
        return "-"
    f = "%%.%df" % digits
    # "to" where a bound is negative: "-0.93--0.31" reads badly.
    sep = " to " if r["min"] < 0 else "-"
    return (f + " (" + f + sep + f + ")") % (r["median"], r["min"], r["max"])


def us(r):
    return "%.1f us" % (r["median"] / 1e3) if r else "-"


def print_table(res):
    la0, la1 = res["loadavg_start"], res["loadavg_end"]
    print("New probes: CPU per unit, redmon against the floor of the same data source; median (min-max) over %d "
          "interleaved rounds of the per-round ratio; load average %.2f at start, %.2f at end" % (
              len(res["rounds"]), la0[0], la1[0]))
    print("`redmon status` start-up alone (only md.so, empty root): %s CPU; %d disks for smart (8 named + the "
          "host's); %d GETs per Redfish poll; btrfs floor: %d files" % (
              us(res["startup_ns"]), res["disks"], res.get("redfish_gets", 0), res["btrfs_files"]))
    hdr = ("probe", "unit", "redmon", "floor", "redmon/floor", "less start-up/floor", "RssAnon", "VmRSS")
    out = []
    mem = res.get("memory", {})
    for key, probe, unit, rside, fside in ROWS:
        r = res["rows"][key]
        m = mem.get(probe.split()[0]) if key not in ("btrfs-daemon", "hwraid-text", "redfish-daemon") else None
        out.append((probe, unit, "%s (%s)" % (us(r["redmon_ns"]), rside), "%s (%s)" % (us(r["floor_ns"]), fside),
                    fmt_r(r["ratio"]), fmt_r(r.get("less_startup_ratio")),
                    "%d KiB" % m["RssAnon"] if m else "", "%d KiB" % m["VmRSS"] if m else ""))
    w = [max(len(h), *(len(x[i]) for x in out)) for i, h in enumerate(hdr)]
    print("  " + "  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
    for x in out:
        print("  " + "  ".join(v.ljust(w[i]) for i, v in enumerate(x)))
    if mem:
        m = mem.get("md (empty root)")
        if m:
            print("memory reference: the daemon with only md.so on an empty root: RssAnon %d KiB, VmRSS %d KiB" % (
                m["RssAnon"], m["VmRSS"]))
        m = mem.get("every plugin (empty root)")
        if m:
            print("memory reference: the daemon with every plugin installed (NAME.sources too) on an empty root: "
                  "RssAnon %d KiB, VmRSS %d KiB" % (m["RssAnon"], m["VmRSS"]))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench probes: terminated"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("REDMON_BUILD", "build"))
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--smoke", action="store_true", help="2 rounds, one run per row")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    build = a.build if os.path.isabs(a.build) else os.path.join(REPO, a.build)
    res = run(build, 2 if a.smoke else a.rounds, a.smoke)
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "%s-probes%s.json" % (res["started"].replace(":", ""), "-smoke" if a.smoke else ""))
    with open(path, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    print_table(res)
    print("raw results: %s" % os.path.relpath(path, REPO))


if __name__ == "__main__":
    main()

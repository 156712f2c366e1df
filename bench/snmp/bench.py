#!/usr/bin/env python3
"""Benchmark: snmpbulkwalk of the whole REDMON-MIB tree with N groups through a
real snmpd (AgentX master), beside a walk of a native snmpd table of similar
size in the same run.

redmon runs with bench/snmp/synth.c, a probe plugin that reports N healthy
raid1 groups of M members.  The native table is NET-SNMP-EXTEND-MIB's
nsExtendConfigTable with N `extend` entries (8 columns, served inside snmpd;
walking it runs no command).  Both walks use the same snmpbulkwalk options.

Printed per walk: varbinds, seconds, varbinds/s, and the CPU time per varbind
of redmon and of snmpd (from /proc/PID/schedstat, nanosecond resolution); at
the end the ratio redmon/native of varbinds/s, for the fast path (default) and
for net-snmp's own request path ([snmp] fast_path = no).

Loopback only, free ports, own config and persistent dirs; every process is
stopped by PID.  Usage: bench/snmp/bench.py [--build build] [--groups 1000]
[--members 2] [--repetitions 10] [--runs 3]

BENCH_VERBOSE=1 adds, per walk, redmon's sleeps, user and system CPU per
varbind; BENCH_PERF=FILE records the fast-path walk with `perf record`
(BENCH_TOOL=strace: `strace -c` instead) into FILE.
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROOT_OID = "1.3.6.1.4.1.8072.9999.9999.7336"
EXTEND_CONFIG_TABLE = "1.3.6.1.4.1.8072.1.3.2.2"


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def utime_stime(pid):
    """User and system CPU seconds, from /proc/PID/stat (clock ticks)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / hz, int(fields[12]) / hz


def switches(pid):
    """Voluntary context switches: how often the process slept waiting."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return 0


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="rmb-", dir="/tmp")
        self.port = free_port()
        self.sock = os.path.join(self.tmp, "ax.sock")
        self.procs = []
        for d in ("noconf", "persist", "plugins", "cpersist"):
            os.makedirs(os.path.join(self.tmp, d))
        os.makedirs(os.path.join(self.tmp, "persist", "cert_indexes"), mode=0o700)
        os.makedirs(os.path.join(self.tmp, "cpersist", "cert_indexes"), mode=0o700)
        self.env = dict(os.environ, SNMPCONFPATH=os.path.join(self.tmp, "noconf"),
                        SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "cpersist"), MIBS="")

    def start(self, argv, log, env=None):
        out = open(os.path.join(self.tmp, log), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                             env=env or self.env)
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def cleanup(self):
        for p in self.procs:
            self.stop(p)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def build_plugin(self):
        so = os.path.join(self.tmp, "plugins", "synth.so")
        subprocess.run(["cc", "-I" + os.path.join(REPO, "include"), "-O2", "-shared", "-fPIC",
                        "-o", so, os.path.join(REPO, "bench", "snmp", "synth.c")], check=True)

    def start_snmpd(self):
        conf = os.path.join(self.tmp, "snmpd.conf")
        with open(conf, "w") as f:
            f.write("[snmpd]\nagentaddress udp:127.0.0.1:%d\nmaster agentx\n"
                    "agentXSocket unix:%s\nrocommunity public 127.0.0.1\n" % (self.port, self.sock))
            for i in range(self.args.groups):
                f.write("extend e%06d /bin/true arg%d\n" % (i, i))
            f.write("[snmp]\npersistentDir %s\n" % os.path.join(self.tmp, "persist"))
        self.snmpd = self.start(["snmpd", "-f", "-Lo", "-C", "-c", conf], "snmpd.log",
                                dict(self.env, SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "persist")))
        self.wait_for(["snmpget"] + self.client() + ["1.3.6.1.2.1.1.3.0"], "Timeticks")

    def client(self):
        return ["-v2c", "-c", "public", "-t", "5", "-r", "0", "-On", "127.0.0.1:%d" % self.port]

    def wait_for(self, argv, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=self.env, universal_newlines=True)
            if text in p.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("timed out waiting for %s" % " ".join(argv))

    def start_redmon(self, fast):
        argv = [os.path.join(self.args.build, "redmon"), "daemon",
                "--plugin-dir", os.path.join(self.tmp, "plugins"),
                "-o", "probe.synth.groups=%d" % self.args.groups,
                "-o", "probe.synth.members=%d" % self.args.members,
                "-o", "snmp.enabled=yes", "-o", "snmp.agentx_socket=unix:" + self.sock,
                "-o", "snmp.state_file=" + os.path.join(self.tmp, "snmp-index"),
                "-o", "snmp.fast_path=" + ("yes" if fast else "no"),
                "-o", "sink.null.type=json", "-o", "sink.null.path=/dev/null",
                "-o", "daemon.rescan_interval=1h"]
        p = self.start(argv, "redmon-%s.log" % ("fast" if fast else "slow"))
        last = "%s.1.2.1.2.%d" % (ROOT_OID, self.args.groups)
        self.wait_for(["snmpget"] + self.client() + [last], "STRING")
        return p

    def walk(self, oid, pids):
        argv = ["snmpbulkwalk"] + self.client() + ["-Cr%d" % self.args.repetitions, oid]
        perf = None
        if os.environ.get("BENCH_PERF") and len(pids) > 1 and getattr(self, "perf_on", False):
            tool = os.environ.get("BENCH_TOOL", "perf")
            cmd = (["perf", "record", "-e", "cpu-clock:u", "-F", "20000", "--call-graph", "dwarf,16384", "-o", os.environ["BENCH_PERF"], "-p", str(pids[0])]
                   if tool == "perf" else ["strace", "-c", "-o", os.environ["BENCH_PERF"], "-p", str(pids[0])])
            perf = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        before = [cpu_ns(p) for p in pids]
        sw0 = switches(pids[0])
        us0 = utime_stime(pids[0])
        t0 = time.monotonic()
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                           universal_newlines=True)
        secs = time.monotonic() - t0
        after = [cpu_ns(p) for p in pids]
        self.last_switches = switches(pids[0]) - sw0
        us1 = utime_stime(pids[0])
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.strip()))
        n = sum(1 for line in p.stdout.splitlines() if line.startswith("."))
        if os.environ.get("BENCH_VERBOSE"):
            print("  %s: %.2f sleeps/varbind, user %.1f us, system %.1f us per varbind" % (
                pids[0], self.last_switches / max(n, 1), (us1[0] - us0[0]) * 1e6 / max(n, 1),
                (us1[1] - us0[1]) * 1e6 / max(n, 1)))
        cpu = [(a - b) / 1000.0 / max(n, 1) for a, b in zip(after, before)]
        return n, secs, cpu


def median_walk(b, oid, pids, runs):
    results = [b.walk(oid, pids) for _ in range(runs)]
    results.sort(key=lambda r: r[0] / r[1])
    return results[len(results) // 2]


def report(label, r, names):
    n, secs, cpu = r
    cpus = ", ".join("%s %.1f us/varbind" % (name, c) for name, c in zip(names, cpu))
    print("%-34s %6d varbinds %7.3f s %8.0f varbinds/s   CPU: %s" % (label, n, secs, n / secs, cpus))
    return n / secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--members", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=10, help="snmpbulkwalk -Cr")
    ap.add_argument("--runs", type=int, default=3, help="walks per case; the median is shown")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    b = Bench(args)
    try:
        b.build_plugin()
        b.start_snmpd()
        version = subprocess.run(["snmpd", "-v"], stdout=subprocess.PIPE,
                                 universal_newlines=True).stdout.split("version:")
        print("%d groups x %d members, snmpbulkwalk -Cr%d, median of %d walks, snmpd %s, %d CPUs" % (
            args.groups, args.members, args.repetitions, args.runs,
            version[1].split()[0] if len(version) > 1 else "?", os.cpu_count()))
        native = report("native nsExtendConfigTable", median_walk(
            b, EXTEND_CONFIG_TABLE, [b.snmpd.pid], args.runs), ["snmpd"])
        rates = {}
        for fast in (True, False):
            r = b.start_redmon(fast)
            b.perf_on = fast
            label = "REDMON-MIB (%s)" % ("fast path" if fast else "net-snmp path")
            rates[fast] = report(label, median_walk(b, ROOT_OID, [r.pid, b.snmpd.pid], args.runs),
                                 ["redmon", "snmpd"])
            b.stop(r)
        print("ratio REDMON-MIB / native, varbinds/s: fast path %.2f, net-snmp path %.2f" % (
            rates[True] / native, rates[False] / native))
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""docs/snmp.md's check_snmp lines, run as written against the real snmpd.

The doc is the one source: the fenced block after the marker comment
("<!-- check_snmp: ...") holds the command lines, and the table after it the
exit code each line must give for the worst group's health.  This test runs
every line with check_snmp from monitoring-plugins (only -H localhost becomes
the test snmpd's address and port) while redmon's subagent serves a
temporary md tree through that snmpd, in three states:

- ok: md1 (raid1) and md3 (raid6) in sync;
- degraded: md3 lost a disk (raid6: one more failure tolerated);
- critical: md1 lost a disk too (raid1: none).

For each, once REDMON-MIB says that health, every line must exit with the
code the table gives (0 OK, 1 WARNING, 2 CRITICAL) and say so on stdout.
"""

import os
import re
import shlex
import subprocess

import harness
import snmp_harness
import test_snmp as ts

NAME = "integration/check_snmp/"
CHECK_SNMP = "/usr/lib/nagios/plugins/check_snmp"
MARKER = "<!-- check_snmp:"
DOC = os.path.join(harness.REPO, "docs", "snmp.md")
WORDS = {0: "OK", 1: "WARNING", 2: "CRITICAL"}


def doc_checks():
    """([argv of each command line], {health: [exit code per line]}) from docs/snmp.md."""
    with open(DOC) as f:
        lines = f.read().splitlines()
    try:
        at = next(i for i, line in enumerate(lines) if line.startswith(MARKER))
    except StopIteration:
        raise harness.TestError("docs/snmp.md has no %r marker" % MARKER)
    if lines[at + 1] != "```":
        raise harness.TestError("docs/snmp.md: no fenced block right after the marker")
    end = lines.index("```", at + 2)
    commands = [shlex.split(line) for line in lines[at + 2:end] if line.strip()]
    if not commands or any(c[0] != "check_snmp" for c in commands):
        raise harness.TestError("docs/snmp.md: the block is not check_snmp lines: %r" % lines[at + 2:end])
    want = {}
    for line in lines[end + 1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if want and not line.startswith("|"):
            break
        if line.startswith("|") and cells[0] in ts.HEALTH:
            codes = [int(re.match(r"^(\d) ", c).group(1)) for c in cells[1:]]
            if len(codes) != len(commands):
                raise harness.TestError("docs/snmp.md: row %r has %d codes for %d lines" %
                                        (cells[0], len(codes), len(commands)))
            want[cells[0]] = codes
    if not want:
        raise harness.TestError("docs/snmp.md: no table of exit codes after the check_snmp block")
    return commands, want


class CheckPeers(ts.Peers):
    """snmpd and redmon only: no trap targets, nothing but the tables matter."""

    def write_conf(self, fast_path=None):
        self.conf = os.path.join(self.tmp, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 1h\n[sink.events]\ntype = json\npath = %s\n"
                    "[snmp]\nenabled = yes\nagentx_socket = unix:%s\nping_interval = 1s\n"
                    "state_file = %s\n" % (self.events_path, self.sock,
                                           os.path.join(self.tmp, "snmp-index")))


def run_check(p, argv):
    argv = list(argv)
    i = argv.index("-H")
    argv[i + 1:i + 2] = ["127.0.0.1", "-p", str(p.port)]
    r = subprocess.run([CHECK_SNMP] + argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=30, env=p.env)
    return r.returncode, r.stdout.strip()


def run(p, rep):
    commands, want = doc_checks()
    t = p.tree
    t.mdstat(ts.MD1_OK, ts.MD3_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    t.array("md3", "raid6", ["sdc1", "sdd1", "sde1", "sdf1"])
    p.start_snmpd()
    p.start_daemon()

    def overall():
        out = p.client("snmpget", ["-Oqve", "REDMON-MIB::redmonOverallHealth.0"], check=False)
        return int(out.strip()) if out.strip().isdigit() else None

    def fail(name, dev, slot):
        t.put("sys/block/%s/md/dev-%s/state" % (name, dev), "faulty\n")
        t.put("sys/block/%s/md/degraded" % name, "1\n")
        t.unlink("sys/block/%s/md/rd%d" % (name, slot))

    steps = (("ok", None), ("degraded", lambda: (fail("md3", "sde1", 2), t.mdstat(ts.MD1_OK, ts.MD3_FAILED))),
             ("critical", lambda: (fail("md1", "sdb1", 1), t.mdstat(ts.MD1_FAILED, ts.MD3_FAILED))))
    for health, change in steps:
        def check(health=health, change=change):
            if health not in want:
                return ["docs/snmp.md's table has no row for %s" % health]
            if change:
                change()
            p.wait(lambda: overall() == ts.HEALTH[health], "redmonOverallHealth %s" % health)
            out = []
            for argv, code in zip(commands, want[health]):
                rc, text = run_check(p, argv)
                if rc != code or not text.startswith("SNMP %s" % WORDS[code]):
                    out.append("%s while %s: exit %d %r; the doc says %d %s" %
                               (" ".join(argv), health, rc, text[:200], code, WORDS[code]))
            return out
        rep.run(NAME + "doc-lines-while-" + health, check)


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run, tools=("snmpd", "snmpget", CHECK_SNMP), peers=CheckPeers)

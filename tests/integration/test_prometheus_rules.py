#!/usr/bin/env python3
"""The Prometheus side of the textfile sink: contrib/prometheus/redmon.rules.yml
passes `promtool check rules` and its unit tests (`promtool test rules`: each rule
fires on the series redmon writes and stays quiet on a healthy host), and a
textfile the real daemon wrote passes `promtool check metrics` (the exposition
format node_exporter parses) with every metric the rules use present.
"""

import os
import shutil
import subprocess
import tempfile

import harness
from alerts_harness import Daemon, Tree, ini, raid1, wait_until

NAME = "integration/prometheus/"
RULES = os.path.join(harness.REPO, "contrib", "prometheus")
PROMTOOL = shutil.which("promtool")


def promtool(*args, stdin=None):
    p = subprocess.run([PROMTOOL] + list(args), input=stdin, capture_output=True, text=True,
                       cwd=RULES, timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not PROMTOOL:
        rep.skip(NAME + "all", "promtool (Debian's prometheus package) is not installed")
        rep.exit()

    def check_rules():
        rc, out = promtool("check", "rules", "redmon.rules.yml")
        return [] if rc == 0 and "SUCCESS: 5 rules found" in out else ["check rules: %s" % out]
    rep.run(NAME + "check-rules", check_rules)

    def test_rules():
        rc, out = promtool("test", "rules", "redmon.rules.test.yml")
        return [] if rc == 0 else ["test rules: %s" % out]
    rep.run(NAME + "test-rules", test_rules)

    tmp = tempfile.mkdtemp(prefix="rm-prom-")
    d = None
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0", True))
        prom = os.path.join(tmp, "redmon.prom")
        conf = ini({
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms"},
            "sink.prom": {"type": "textfile", "path": prom},
        })
        d = Daemon(args.build, tmp, conf).start()

        def textfile_metrics():
            def text():
                try:
                    with open(prom) as f:
                        return f.read()
                except FileNotFoundError:
                    return ""
            wait_until(lambda: "redmon_last_scan_timestamp_seconds" in text(),
                       "a textfile with a scan time", daemon=d)
            body = text()
            out = []
            rc, lint = promtool("check", "metrics", stdin=body)
            if rc != 0 or lint:
                out.append("promtool check metrics: rc %d: %s" % (rc, lint))
            for metric in ("redmon_group_health{", "redmon_probe_up{",
                           "redmon_last_scan_timestamp_seconds "):
                if metric not in body:
                    out.append("the rules use %s, the file lacks it" % metric.rstrip("{ "))
            if 'health="critical"} 1' not in body:
                out.append("md0 is not critical in the file")
            return out
        rep.run(NAME + "daemon-textfile-check-metrics", textfile_metrics)
        rc = d.stop()
        d = None
        rep.check(NAME + "daemon-stops", [] if rc == 0 else ["daemon exit %s" % rc])
    finally:
        if d:
            d.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

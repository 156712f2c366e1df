#!/usr/bin/env python3
"""The md daemon scenario once under valgrind memcheck: zero errors, zero leaks.

Reuses tests/integration/test_daemon_md.py (its tree, its Daemon and event
checks) with the daemon started as

    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
             --error-exitcode=99 redmon daemon ...

and longer waits (valgrind runs the daemon some 20-50x slower).  Steps: start
(every group appears), a disk fails, a recovery starts, advances and finishes,
SIGHUP with a broken config, SIGTERM.  Then the valgrind log must say
`ERROR SUMMARY: 0 errors` with nothing definitely or indirectly lost, and
the daemon must exit 0 (99 would be valgrind's error exit).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import harness  # noqa: E402
from harness import TestError  # noqa: E402
import test_daemon_md as tdm  # noqa: E402

NAME = "integration/valgrind_daemon/"
tdm.STEP_TIMEOUT = 60.0
tdm.STOP_TIMEOUT = 60.0
tdm.POLL = 0.05


class VgDaemon(tdm.Daemon):
    """test_daemon_md.Daemon with the same argv run under valgrind."""

    def __init__(self, build, tmp):  # noqa: super().__init__ would start a plain daemon
        self.events_path = os.path.join(tmp, "events.jsonl")
        self.err_path = os.path.join(tmp, "daemon.err")
        self.vg_log = os.path.join(tmp, "valgrind.log")
        self.conf = os.path.join(tmp, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write("# redmon valgrind test\n[daemon]\nprogress_step = 10\n")
        plugins = os.path.join(tmp, "plugins")
        os.makedirs(plugins)
        os.symlink(os.path.join(build, "plugins", "md.so"), os.path.join(plugins, "md.so"))
        argv = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect", "--error-exitcode=99", "--num-callers=30",
                "--log-file=" + self.vg_log,
                # redmond itself: valgrind does not follow the light redmon's exec of it.
                os.path.join(build, "redmond"), "daemon", "--root", tmp, "--plugin-dir", plugins,
                "-c", self.conf, "-o", "sink.t.type=json", "-o", "sink.t.path=" + self.events_path,
                "-o", "daemon.rescan_interval=1h"]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err,
                                     env=harness.test_env())
        self.events = []
        self.consumed = 0
        self._partial = b""
        self._offset = 0

    def valgrind_log(self):
        try:
            with open(self.vg_log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""


def log_problems(text):
    out = []
    m = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
    if not m:
        out.append("no ERROR SUMMARY in the valgrind log: %s" % harness.tail(text))
    elif int(m[-1]) != 0:
        out.append("valgrind: %s errors: %s" % (m[-1], harness.tail(text, 30)))
    for kind in ("definitely", "indirectly"):
        lm = re.findall(r"%s lost: ([\d,]+) bytes" % kind, text)
        if lm and lm[-1].replace(",", "") != "0":
            out.append("%s lost: %s bytes" % (kind, lm[-1]))
    return out


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    exe = os.path.join(args.build, "redmond")
    if not os.access(exe, os.X_OK):
        rep.fail(NAME + "start", "%s is missing: build it first" % exe)
        rep.exit()
    if not shutil.which("valgrind"):
        rep.fail(NAME + "memcheck", "valgrind is not installed (apt-get install valgrind)")
        rep.exit()
    if harness.sanitizer_build(exe):
        rep.skip(NAME + "memcheck", "%s is an ASan build; valgrind runs on the plain build" % exe)
        rep.exit()
    tmp = tempfile.mkdtemp(prefix="redmon-vg-")
    d = None
    try:
        tree = tdm.build_tree(tmp)
        d = VgDaemon(args.build, tmp)
        md0, md1 = "md:md0", "md:md1"

        def step(label, action, wanted):
            try:
                action()
                d.wait_for(wanted)
                d.alive_or_raise()
                rep.ok(NAME + label)
            except TestError as e:
                rep.fail(NAME + label, str(e))

        step("start", lambda: None, [("group_appeared", md0, None), ("group_appeared", md1, None)])

        def fail_sdb1():
            tree.put("sys/block/md0/md/dev-sdb1/state", "faulty\n")
            tree.put("sys/block/md0/md/degraded", "1\n")
            tree.unlink("sys/block/md0/md/rd1")
            tree.put("proc/mdstat", tdm.mdstat(tdm.MD1_OK, tdm.MD0_FAILED))
        step("fail-disk", fail_sdb1, [("health_changed", md0, None), ("member_changed", md0, "sdb1")])

        def start_recovery():
            tree.remove_dir("sys/block/md0/md/dev-sdb1")
            tree.add_dir("sys/block/md0/md/dev-sdg1", {"state": "spare\n", "slot": "1\n"})
            tree.link("sys/block/md0/md/rd1", "dev-sdg1")
            tree.put("sys/block/md0/md/sync_completed", "%d / %d\n" % (tdm.SECTORS // 10 + 1, tdm.SECTORS))
            tree.put("sys/block/md0/md/sync_action", "recover\n")
            tree.put("proc/mdstat", tdm.mdstat(tdm.MD1_OK, tdm.recovery(100)))
        step("recovery-start", start_recovery, [("member_changed", md0, "sdb1"), ("member_changed", md0, "sdg1"),
                                                ("rebuild_started", md0, None)])

        def progress():
            tree.put("sys/block/md0/md/sync_completed", "%d / %d\n" % (tdm.SECTORS * 550 // 1000 + 1, tdm.SECTORS),
                     inplace=True)
            tree.put("proc/mdstat", tdm.mdstat(tdm.MD1_OK, tdm.recovery(550)), inplace=True)
        step("recovery-progress", progress, [("rebuild_progress", md0, None)])

        def finish():
            tree.put("sys/block/md0/md/dev-sdg1/state", "in_sync\n", inplace=True)
            tree.put("sys/block/md0/md/sync_action", "idle\n", inplace=True)
            tree.put("sys/block/md0/md/sync_completed", "none\n", inplace=True)
            tree.put("sys/block/md0/md/degraded", "0\n", inplace=True)
            tree.put("proc/mdstat", tdm.mdstat(tdm.MD1_OK, tdm.MD0_RESTORED), inplace=True)
        step("recovery-finish", finish, [("rebuild_finished", md0, None), ("health_changed", md0, None),
                                         ("member_changed", md0, "sdg1")])

        # A reload with a broken config, then one with a good one: both paths free what they parsed.
        problems = []
        for text in ("[daemon\nrescan_interval = soon\n", "[daemon]\nprogress_step = 5\n"):
            with open(d.conf, "w") as f:
                f.write(text)
            before = len(d.stderr())
            d.proc.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + tdm.STEP_TIMEOUT
            while d.proc.poll() is None and time.monotonic() < deadline and \
                    "reload" not in d.stderr()[before:].lower() and d.conf not in d.stderr()[before:]:
                time.sleep(tdm.POLL)
            if d.proc.poll() is not None:
                problems.append("exited after SIGHUP: %s" % harness.tail(d.stderr()))
                break
        rep.check(NAME + "reload", problems)

        rc, took = d.stop()
        problems = []
        if rc is None:
            problems.append("no exit within %.0fs of SIGTERM" % took)
        elif rc == 99:
            problems.append("valgrind's error exit (99)")
        elif rc != 0:
            problems.append("exit %s" % rc)
        if rc is not None:
            problems += log_problems(d.valgrind_log())
        rep.check(NAME + "memcheck", problems)
    finally:
        if d is not None:
            d.kill()
            if rep.failed:
                sys.stderr.write("daemon stderr:\n%s\nvalgrind log:\n%s\n" % (d.stderr(), d.valgrind_log()[-6000:]))
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The privileged helper: commands probes register, run as root after the daemon dropped.

The test probe (tests/integration/cmd_probe.c, build/tests/probes/cmd.so)
registers `/usr/bin/id -u` in init() and, at each scan, runs it, asks for an id
it never registered, tries to register a command late, and then acts as a
daemon taken over would: it finds the helper's socket and asks it directly for
its own registered argv (which must work, so the next refusal means
something) and for `/bin/sh -c "id -u"` (which must be refused).

  daemon/*          root, `--user nobody`: the helper (comm redmon-priv) is root
                    with only its capabilities; the daemon is nobody; the
                    registered command prints 0; everything else is refused
  reload            SIGHUP re-registers the same command (same id, still runs);
                    a reload that changes it is refused (the list is fixed at start)
  dies-with-daemon  kill -9 the daemon: the helper is gone within a second
  stop              SIGTERM: the daemon exits 0 and has reaped its helper
  no-drop           [daemon] user = root: no helper, the same command runs in
                    the daemon and the probe sees the same results
  oneshot-nobody    `redmon status` run as nobody: in-process, prints 65534
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness
from harness import TestError

# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_RAWIO, CAP_SYS_ADMIN (src/privhelper.c)
HELPER_CAPS = (1 << 1) | (1 << 2) | (1 << 17) | (1 << 21)
NOBODY = 65534


def status_of(pid):
    """/proc/PID/status as a dict, or None once the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
    except (FileNotFoundError, ProcessLookupError):
        return None


def gone(pid):
    st = status_of(pid)
    return st is None or st.get("State", "").startswith(("Z", "X"))


def children(pid):
    out = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            st = status_of(int(e))
            if st and st.get("PPid") == str(pid):
                out.append(int(e))
    return out


class Daemon:
    def __init__(self, build, tmp, extra):
        self.err_path = os.path.join(tmp, "daemon-%d.err" % len(os.listdir(tmp)))
        self.err = open(self.err_path, "w")
        self.conf = os.path.join(tmp, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write("[probe.cmd]\nrun = /usr/bin/id -u\n")
        argv = [os.path.join(build, "redmon"), "daemon", "-c", self.conf, "--root", os.path.join(tmp, "root"),
                "--plugin-dir", os.path.join(tmp, "plugins"), "-o", "daemon.rescan_interval=1h"]
        self.proc = subprocess.Popen(argv + extra, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.err, env=harness.test_env())

    def text(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait_scanned(self, timeout=15):
        deadline = time.monotonic() + timeout
        # The probe's last line of a scan ("no helper socket" when there is
        # none): "cmd: rogue" alone matched its first (rogue-registered), and
        # the text was taken half written.
        while "cmd: rogue rc=" not in self.text() and "cmd: rogue: no helper" not in self.text():
            if self.proc.poll() is not None:
                raise TestError("daemon exited %d: %s" % (self.proc.returncode, harness.tail(self.text())))
            if time.monotonic() > deadline:
                raise TestError("no scan within %ss: %s" % (timeout, harness.tail(self.text())))
            time.sleep(0.05)
        return self.text()

    def helper(self):
        kids = [p for p in children(self.proc.pid) if (status_of(p) or {}).get("Name") == "redmon-priv"]
        if len(kids) != 1:
            raise TestError("the daemon has %d redmon-priv children" % len(kids))
        return kids[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def expect(text, lines):
    out = ["no %r in the log: %s" % (l, harness.tail(text, 14)) for l in lines if l not in text]
    if any(m in text for m in harness.SAN_MARKERS):
        out.append("sanitizer: %s" % harness.tail(text, 12))
    return out


REFUSALS = ["cmd: relative rc=-22", "cmd: unregistered-id rc=-2 err=no command registered with id 1000",
            "cmd: late-register rc=-1"]


def reload_case(d, tmp):
    """The same command again after SIGHUP; then a changed one, refused."""
    out = []
    for n, run, want in ((2, "/usr/bin/id -u", ["cmd: registered id=0", "cmd: run rc=0 exit=0 signal=0 out=0 err="]),
                         (3, "/usr/bin/id -g", ["cmd: registered id=-1", "commands are fixed at start",
                                                "cmd: run rc=-2 exit=-1"])):
        with open(d.conf, "w") as f:
            f.write("[probe.cmd]\nrun = %s\n" % run)
        before = d.text()
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while d.text().count("cmd: rogue rc=") < n:
            if time.monotonic() > deadline or d.proc.poll() is not None:
                return out + ["no scan after reload %d: %s" % (n, harness.tail(d.text()))]
            time.sleep(0.05)
        out += expect(d.text()[len(before):], want)
    return out


def daemon_cases(rep, build, tmp):
    d = Daemon(build, tmp, ["--user", "nobody"])
    try:
        text = d.wait_scanned()
        helper = d.helper()

        def runs_as_root():
            return expect(text, ["privileged helper (pid %d) runs the probes' 1 command as root" % helper,
                                 "cmd: run rc=0 exit=0 signal=0 out=0 err=",
                                 "cmd: rogue-registered rc=0 out=0"])

        def refused():
            return expect(text, REFUSALS + [
                "cmd: rogue rc=-1 out= err=/bin/sh: not a registered command",
                "cmd: rogue-malformed rc=-74 out= err=malformed request",
                "cmd: rogue-add rc=-1 err=/bin/sh: the command list is sealed",
                "privileged helper: refused /bin/sh: not a registered command"])

        def credentials():
            h, me = status_of(helper), status_of(d.proc.pid)
            out = []
            if h["Uid"].split() != ["0"] * 4:
                out.append("helper Uid %s" % h["Uid"])
            if int(h["CapBnd"], 16) != HELPER_CAPS or int(h["CapEff"], 16) != HELPER_CAPS:
                out.append("helper CapBnd %s CapEff %s, want %x" % (h["CapBnd"], h["CapEff"], HELPER_CAPS))
            if h.get("NoNewPrivs") != "1":
                out.append("helper NoNewPrivs %s" % h.get("NoNewPrivs"))
            if me["Uid"].split() != [str(NOBODY)] * 4:
                out.append("daemon Uid %s" % me["Uid"])
            fds = sorted(int(f) for f in os.listdir("/proc/%d/fd" % helper))
            if fds != [0, 1, 2, 3]:
                out.append("helper fds %s, want 0-3" % fds)
            return out

        rep.run("privhelper/daemon/registered-runs-as-root", runs_as_root)
        rep.run("privhelper/daemon/unregistered-refused", refused)
        rep.run("privhelper/daemon/helper-root-daemon-not", credentials)
        rep.run("privhelper/reload", reload_case, d, tmp)

        def dies():
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            deadline = time.monotonic() + 1.0
            while not gone(helper):
                if time.monotonic() > deadline:
                    return ["helper %d still alive 1 s after kill -9 of the daemon" % helper]
                time.sleep(0.02)
            return []
        rep.run("privhelper/dies-with-daemon", dies)
    except TestError as e:
        rep.fail("privhelper/daemon", e)
    finally:
        d.stop()


def stop_case(build, tmp):
    d = Daemon(build, tmp, ["--user", "nobody"])
    try:
        d.wait_scanned()
        helper = d.helper()
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(timeout=10)
        out = [] if rc == 0 else ["daemon exited %d: %s" % (rc, harness.tail(d.text()))]
        if status_of(helper) is not None:
            out.append("helper %d not reaped: %s" % (helper, (status_of(helper) or {}).get("State")))
        return out
    finally:
        d.stop()


def no_drop_case(build, tmp):
    d = Daemon(build, tmp, ["-o", "daemon.user=root"])
    try:
        text = d.wait_scanned()
        out = expect(text, REFUSALS + ["cmd: run rc=0 exit=0 signal=0 out=0 err=", "cmd: rogue: no helper socket"])
        if "privileged helper" in text or children(d.proc.pid):
            out.append("a helper was started: %s" % harness.tail(text))
        return out
    finally:
        d.stop()


def oneshot_nobody(build, tmp):
    plugins = os.path.join(tmp, "nobody-plugins")
    os.makedirs(plugins, exist_ok=True)
    os.chmod(plugins, 0o755)
    shutil.copy2(os.path.join(build, "tests", "probes", "cmd.so"), plugins)
    p = harness.run_as_nobody(build, ["status", "--root", os.path.join(tmp, "root"),
                                      "--plugin-dir", plugins], tmp)
    out = [] if p.returncode == 0 else ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
    return out + expect(p.stderr, REFUSALS + ["cmd: run rc=0 exit=0 signal=0 out=%d err=" % NOBODY,
                                              "cmd: rogue: no helper socket"])


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    probe = os.path.join(args.build, "tests", "probes", "cmd.so")
    if os.geteuid() != 0 or not shutil.which("runuser"):
        rep.skip("privhelper", "needs root (to drop privileges) and runuser(1)")
        rep.exit()
    if not os.path.exists(probe):
        rep.fail("privhelper", "%s is missing (make check builds it)" % probe)
        rep.exit()
    tmp = tempfile.mkdtemp(prefix="rm-privhelper-")
    os.chmod(tmp, 0o755)  # nobody must reach the tree and its copy of redmon
    try:
        os.makedirs(os.path.join(tmp, "root"))
        os.makedirs(os.path.join(tmp, "plugins"))
        shutil.copy2(probe, os.path.join(tmp, "plugins"))
        daemon_cases(rep, args.build, tmp)
        rep.run("privhelper/stop", stop_case, args.build, tmp)
        rep.run("privhelper/no-drop", no_drop_case, args.build, tmp)
        rep.run("privhelper/oneshot-nobody", oneshot_nobody, args.build, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The lvmraid probe through the daemon, with a fake dmsetup on PATH, and the real one.

A temporary bin/dmsetup is a shell script that answers `dmsetup status` with
what a mode file beside it says (the runner gives a tool only PATH and
LC_ALL, so the script names its files by absolute path):

  ok        the corpus's `dmsetup status` of raid1/raid5/raid6 and three mirrors
            (tests/corpus/lvm-raid/check_raid-dmsetup-status-lvm-raid-and-mirror-types)
  degraded  the same with vg-raid1's second leg dead ("AD", as the kernel printed it
            in lvm2's lvconvert-repair-raid.sh: tests/unit/test_lvmraid.c)
  recover   the same with vg-raid1's second leg being recovered, half done
  hang      sleeps for 10 minutes
  garbage   prints a line that is no status line ("device-mapper: something
            went wrong, sorry"), exit 0

`redmon daemon` (only the lvmraid plugin, interval 1 s, timeout 2 s, events
as JSON Lines) must: report vg-raid1 ok (margin 1) and the mirrors; on
`degraded`, health_changed to critical and member_changed vg-raid1_rimage_1
to failed; on `recover`, activity recovery at 50 %; on `hang`, probe_failed
naming the timeout and the group unknown; on `garbage`, still failed, the
reason naming the line; on `ok`, probe_recovered and the group ok.
One-shot `redmon check` (it runs the fake itself) exits 0 when ok, 2 when
degraded, 3 on garbage.  The real /usr/sbin/dmsetup on this machine (a
kernel without device-mapper: it exits 1) gives no group, no error, exit 0.
Under --root, the corpus case gives its groups without running anything.
Last, `--user nobody`: the daemon is nobody and dmsetup runs as root (the
fake writes its uid) through the privileged helper.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness
from harness import TestError

CASE = os.path.join(harness.CORPUS, "lvm-raid", "check_raid-dmsetup-status-lvm-raid-and-mirror-types")
RAID1 = "vg-raid1: 0 2097152 raid raid1 2 AA 2097152/2097152 idle 0"
GROUP = "lvmraid:vg-raid1"
NOBODY = 65534
STEP = 10.0

SCRIPT = """#!/bin/sh
# A fake dmsetup for tests/integration/test_lvmraid.py.
[ "$*" = status ] || {{ echo "unexpected arguments: $*" >&2; exit 2; }}
mode=$(cat {d}/mode)
id -u > {d}/uid.new && mv {d}/uid.new {d}/uid
case "$mode" in
ok|degraded|recover) cat {d}/$mode.txt ;;
hang) sleep 600 ;;
*) echo "device-mapper: something went wrong, sorry" ;;
esac
"""


class Fake:
    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "bin"))
        os.chmod(d, 0o755)
        os.chmod(os.path.join(d, "bin"), 0o755)
        with open(os.path.join(CASE, "dmsetup-status.txt")) as f:
            ok = f.read()
        if RAID1 not in ok:
            raise TestError("the corpus case no longer has %r" % RAID1)
        variants = {"ok": ok,
                    "degraded": ok.replace(RAID1, "vg-raid1: 0 2097152 raid raid1 2 AD 2097152/2097152 idle 0"),
                    "recover": ok.replace(RAID1, "vg-raid1: 0 2097152 raid raid1 2 Aa 1048576/2097152 recover 0")}
        for name, text in variants.items():
            with open(os.path.join(d, name + ".txt"), "w") as f:
                f.write(text)
        tool = os.path.join(d, "bin", "dmsetup")
        with open(tool, "w") as f:
            f.write(SCRIPT.format(d=d))
        os.chmod(tool, 0o755)
        self.mode("ok")

    def mode(self, m):
        tmp = os.path.join(self.d, "mode.new")
        with open(tmp, "w") as f:
            f.write(m + "\n")
        os.rename(tmp, os.path.join(self.d, "mode"))

    def env(self):
        env = harness.test_env()
        env["PATH"] = os.path.join(self.d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
        return env


def redmon(build, plugins, env, args, timeout=30):
    argv = [os.path.join(build, "redmon")] + args + ["--plugin-dir", plugins]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env, timeout=timeout, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    return p


def status(build, plugins, env, args=()):
    p = redmon(build, plugins, env, ["status", "--json"] + list(args))
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        raise TestError("status --json: %r %s" % (p.stdout[:200], harness.tail(p.stderr)))
    probe = [x for x in doc.get("probes", []) if x.get("name") == "lvmraid"]
    if len(probe) != 1:
        raise TestError("no lvmraid probe: %r" % doc.get("probes"))
    return probe[0], {g["id"]: g for g in doc["groups"]}


def group_event(ev, health=None, group=GROUP):
    g = ev.get("group") or {}
    return ev.get("event") in ("group_appeared", "health_changed") and g.get("id") == group and \
        (health is None or g.get("health") == health)


def daemon(build, plugins, env, events, state, user=("-o", "daemon.user=root")):
    argv = [os.path.join(build, "redmon"), "daemon", "--plugin-dir", plugins] + list(user) + [
        "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
        "-o", "daemon.rescan_interval=1h", "-o", "daemon.state_dir=" + state,
        "-o", "probe.lvmraid.interval=1s", "-o", "probe.lvmraid.timeout=2s"]
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
    return proc, err


def run(build, rep):
    tmp = tempfile.mkdtemp(prefix="redmon-lvmraid-")
    fake = Fake(tmp)
    plugins = os.path.join(tmp, "plugins")
    os.makedirs(plugins)
    os.chmod(plugins, 0o755)
    shutil.copy(os.path.join(build, "plugins", "lvmraid.so"), plugins)
    proc, err = daemon(build, plugins, fake.env(), os.path.join(tmp, "events.jsonl"), os.path.join(tmp, "state"))
    w = harness.EventWaiter(os.path.join(tmp, "events.jsonl"), proc, err, STEP)
    try:
        def appeared():
            new = w.wait_for([lambda e: group_event(e, "ok"),
                              lambda e: group_event(e, None, "lvmraid:vg-mirror--mirrorlog--disk"),
                              lambda e: group_event(e, "ok", "lvmraid:vg-raid6")])
            g = [e for e in new if group_event(e)][-1]["group"]
            if (g.get("margin"), g.get("margin_nominal"), g.get("members_total")) != (1, 1, 2):
                raise TestError("vg-raid1: %r" % g)
            ids = sorted({(e.get("group") or {}).get("id") for e in new if e.get("event") == "group_appeared"})
            if any(i.endswith(("_mlog", "_rimage_0", "_mimage_0")) for i in ids):
                raise TestError("a sub-LV reported: %r" % ids)

        def degraded():
            fake.mode("degraded")
            new = w.wait_for([lambda e: group_event(e, "critical"),
                              lambda e: e.get("event") == "member_changed" and
                              (e.get("member") or {}).get("name") == "vg-raid1_rimage_1"])
            m = [e for e in new if e.get("event") == "member_changed"][-1]["member"]
            return [] if m.get("role") == "failed" else ["vg-raid1_rimage_1 role %r" % m.get("role")]

        def check_exit(mode, want, word):
            fake.mode(mode)
            p = redmon(build, plugins, fake.env(), ["check"])
            if p.returncode != want or word not in p.stdout:
                return ["check (%s): exit %d, expected %d: %r %s" % (mode, p.returncode, want, p.stdout,
                                                                      harness.tail(p.stderr))]
            return []

        def recover():
            fake.mode("recover")
            new = w.wait_for([lambda e: (e.get("group") or {}).get("id") == GROUP and
                              (e.get("group") or {}).get("activity") == "recovery"])
            g = [e for e in new if (e.get("group") or {}).get("id") == GROUP][-1]["group"]
            if abs((g.get("progress") or 0) - 50.0) > 0.01 or g.get("margin") != 0:
                return ["vg-raid1 recovering: %r" % g]
            return []

        def hang():
            fake.mode("hang")
            t0 = time.monotonic()
            new = w.wait_for([lambda e: e.get("event") == "probe_failed" and e.get("probe") == "lvmraid",
                              lambda e: group_event(e, "unknown")])
            why = json.dumps([e for e in new if e.get("event") == "probe_failed"][-1])
            if "no answer within 2000 ms" not in why:
                return ["probe_failed does not name the timeout: %s" % why[:300]]
            if time.monotonic() - t0 > 8:
                return ["took %.1fs" % (time.monotonic() - t0)]
            return []

        def garbage():
            fake.mode("garbage")
            probe, _ = status(build, plugins, fake.env())
            if probe.get("status") != "failed" or "line 1: no target" not in str(probe.get("error")):
                return ["status with garbage: %r" % probe]
            return check_exit("garbage", 3, "UNKNOWN")

        def recovered():
            fake.mode("ok")
            w.wait_for([lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "lvmraid",
                        lambda e: group_event(e, "ok")])

        def real_dmsetup():
            """This kernel has no device-mapper: the real dmsetup exits 1, which is no error here."""
            if not shutil.which("dmsetup", path="/usr/sbin:/sbin"):
                raise TestError("no dmsetup installed (scripts/install-deps.sh: dmsetup)")
            if os.path.exists("/sys/class/misc/device-mapper"):
                return []  # a kernel with device-mapper: the groups are whatever the host has
            env = harness.test_env()
            probe, groups = status(build, plugins, env)
            if probe.get("status") != "ok" or groups:
                return ["real dmsetup without device-mapper: %r %r" % (probe, sorted(groups))]
            # No device-mapper is no failure: nothing found, which --empty ok makes OK.
            p = redmon(build, plugins, env, ["check", "--empty", "ok"])
            return [] if p.returncode == 0 else ["check exit %d: %r" % (p.returncode, p.stdout)]

        def under_root():
            """--root: the captures are read, nothing runs (the fake would hang)."""
            fake.mode("hang")
            t0 = time.monotonic()
            probe, groups = status(build, plugins, fake.env(), ["--root", CASE])
            g = groups.get("lvmraid:vg-mirror--mirrorlog--disk") or {}
            probs = []
            if len(groups) != 6 or probe.get("status") != "ok":
                probs.append("groups %r, probe %r" % (sorted(groups), probe))
            if g.get("activity") != "resync" or abs(g.get("progress", 0) - 35.6) > 0.06:
                probs.append("vg-mirror--mirrorlog--disk: %r" % g)
            if time.monotonic() - t0 > 5:
                probs.append("took %.1fs: did it run dmsetup?" % (time.monotonic() - t0))
            return probs

        rep.run("lvmraid/daemon-appeared-ok", appeared)
        rep.run("lvmraid/daemon-degraded-critical", degraded)
        rep.run("lvmraid/check-critical", check_exit, "degraded", 2, "CRITICAL")
        fake.mode("degraded")  # check_exit leaves the mode; the daemon's next step starts from it
        rep.run("lvmraid/daemon-recovery-progress", recover)
        rep.run("lvmraid/daemon-tool-hangs", hang)
        rep.run("lvmraid/tool-prints-garbage", garbage)
        rep.run("lvmraid/daemon-recovers", recovered)
        rep.run("lvmraid/check-ok", check_exit, "ok", 0, "OK")
        rep.run("lvmraid/real-dmsetup-no-device-mapper", real_dmsetup)
        rep.run("lvmraid/root-reads-captures", under_root)
        rep.check("lvmraid/daemon-stops", harness.stop_daemon(proc, err))
        if os.geteuid() == 0 and shutil.which("runuser"):
            rep.run("lvmraid/daemon-as-nobody-tool-as-root", as_nobody, build, tmp, fake, plugins)
        else:
            rep.skip("lvmraid/daemon-as-nobody-tool-as-root", "needs root (to drop privileges)")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if os.environ.get("REDMON_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def as_nobody(build, tmp, fake, plugins):
    """`--user nobody`: the daemon drops to nobody, dmsetup still runs, as root, through the
    privileged helper, and the group appears."""
    mine = os.path.join(tmp, "nobody")
    os.makedirs(mine)
    os.chown(mine, NOBODY, NOBODY)
    fake.mode("ok")
    if os.path.exists(os.path.join(tmp, "uid")):
        os.unlink(os.path.join(tmp, "uid"))  # written again by this daemon's runs only
    events = os.path.join(mine, "events.jsonl")
    proc, err = daemon(build, plugins, fake.env(), events, os.path.join(mine, "state"), ("--user", "nobody"))
    try:
        harness.EventWaiter(events, proc, err, STEP).wait_for([lambda e: group_event(e, "ok")])
        with open("/proc/%d/status" % proc.pid) as f:
            uid = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        probs = [] if uid == [str(NOBODY)] * 4 else ["the daemon runs as uid %r, not nobody" % uid]
        with open(os.path.join(tmp, "uid")) as f:
            ran_as = f.read().strip()
        if ran_as != "0":
            probs.append("dmsetup ran as uid %s, not root" % ran_as)
        return probs + harness.stop_daemon(proc, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    run(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()

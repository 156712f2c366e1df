#!/usr/bin/env python3
"""The hwmon probe's fan sets: a max31790 fan tray, by --root and through libsensors.

A fake sysfs subtree holds a max31790 on i2c-3 0x20 with six tachometer channels,
four enabled (fanN_enable 1) and two disabled (fanN_enable 0, their input 0 RPM and
their fault set: a disabled channel is no member and never a failure).  Read as a
captured tree (--root) and, as root, through libsensors in a private mount namespace
(`unshare --mount`, the tree's class/ bind-mounted over /sys/class, as
test_hwmon_sensors.py does: RECIPES.md section 4), the probe must report one group of
kind fan, 3+1 with the policy assumed, or 2+2 with fans_required = 2.  A daemon (on the
captured tree, then in the namespace) must report as events: a fan at 0 RPM (degraded
with 2+2), a second fan's fault (critical, that member failed), both restored (ok).
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import TestError
from test_hwmon_sensors import Tree, check, comparable, group, has, in_ns, member

CHIP = "max31790-i2c-3-20"
GROUP = "hwmon:%s:fans" % CHIP
STEP_TIMEOUT = 5.0
ASSUMED = "cooling policy assumed: N+1, one fan may stop (fans_required sets N)"


def fan_values():
    v = {}
    for i in range(1, 7):
        on = i <= 4
        v.update({"fan%d_enable" % i: int(on), "fan%d_input" % i: 4100 + i if on else 0,
                  "fan%d_fault" % i: 0 if on else 1, "fan%d_target" % i: 9000})
    v["fan1_label"] = "front"
    return v


class FanTree(Tree):
    """Tree's layout (i2c-3 adapter, class links) with one max31790 at 0x20."""

    def __init__(self, sys_dir, absolute):
        self.r = sys_dir
        self.absolute = absolute
        R = sys_dir
        os.makedirs(R + "/class/hwmon")
        os.makedirs(R + "/class/i2c-adapter")
        os.makedirs(R + "/bus/i2c/drivers/max31790")
        A = R + "/devices/platform/i2c-fake/i2c-3"
        os.makedirs(A)
        self.write(A + "/name", "fake-i2c-adapter")
        os.symlink("../../../../bus/i2c", A + "/subsystem")
        os.symlink(A if absolute else "../../devices/platform/i2c-fake/i2c-3",
                   R + "/class/i2c-adapter/i2c-3")
        D = A + "/3-0020"
        H = D + "/hwmon/hwmon0"
        os.makedirs(H)
        self.write(D + "/name", "max31790")
        os.symlink("../../../../../bus/i2c", D + "/subsystem")
        os.symlink("../../../3-0020", H + "/device")
        self.write(H + "/name", "max31790")
        self.set(H, fan_values())
        self.hw = {0: H}
        self.link(0)


def status_args(build, tree, args):
    """`redmon status --json` in the namespace with more arguments."""
    argv = in_ns(tree, [os.path.join(build, "redmon"), "status", "--json"] + args)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=harness.test_env(), timeout=30, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    if p.returncode != 0:
        raise TestError("status exited %d: %s" % (p.returncode, harness.tail(p.stderr)))
    return json.loads(p.stdout)


def shape(g, assumed=True):
    """The set as first read: four enabled fans, all turning."""
    out = check(g, kind="fan", health="ok", margin_nominal=1 if assumed else 2,
                type="3+1" if assumed else "2+2", margin=1 if assumed else 2, members_total=4,
                members_ok=4, members_failed=0)
    out += has(g.get("reason"), ASSUMED, "reason") if assumed else check(g, reason=None)
    names = sorted(m["name"] for m in g["members"])
    if names != ["fan1", "fan2", "fan3", "fan4"]:
        out.append("members %s, expected fan1..fan4 (fan5, fan6 disabled)" % names)
    m = member(g, "fan1")
    if m.get("state") != "front: no alarm" or m.get("location") != "i2c 3-0020":
        out.append("fan1 %s" % m)
    return out


def one_stopped(g):
    """fan3 at 0 RPM under the assumed N+1: margin 0, critical."""
    out = check(g, health="critical", margin=0, members_failed=1)
    m = member(g, "fan3")
    if m["role"] != "failed":
        out.append("fan3 role %s" % m["role"])
    return out + has(m.get("reason"), "stopped (0 RPM)", "fan3 reason")


def root_cases(rep, redmon, d):
    root = os.path.join(d, "root")
    t = FanTree(os.path.join(root, "sys"), absolute=False)

    def first():
        return shape(group(redmon.status(root), GROUP))
    rep.run("hwmon/fans/root/4-enabled-2-disabled", first)

    def required():
        p = redmon.run(["status", "--json", "--root", root, "-o", "probe.hwmon.fans_required=2"])
        if p.returncode != 0:
            return ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
        return shape(group(json.loads(p.stdout), GROUP), assumed=False)
    rep.run("hwmon/fans/root/fans-required", required)

    def stopped():
        t.set(t.hw[0], {"fan3_input": 0})
        try:
            return one_stopped(group(redmon.status(root), GROUP))
        finally:
            t.set(t.hw[0], {"fan3_input": 4103})
    rep.run("hwmon/fans/root/one-stopped", stopped)

    def not_default():
        # The same chip as a board Super-I/O: no set unless named in fan_chips.
        t.set(t.hw[0], {"name": "nct6779"})
        try:
            doc = redmon.status(root)
            out = ["a fan set by default: %s" % g["id"] for g in doc["groups"] if g["kind"] == "fan"]
            p = redmon.run(["status", "--json", "--root", root, "-o", "probe.hwmon.fan_chips=nct67*"])
            g = group(json.loads(p.stdout), "hwmon:nct6779-i2c-3-20:fans")
            return out + check(g, type="3+1", members_total=4, health="ok")
        finally:
            t.set(t.hw[0], {"name": "max31790"})
    rep.run("hwmon/fans/root/super-io-only-when-named", not_default)
    return root, t


def daemon_events(rep, build, name, argv_pre, tree, extra):
    """A daemon's events for one fan stopped, another faulted, both restored."""
    d = tempfile.mkdtemp(prefix="rm-hwmon-fan-ev-")
    events = os.path.join(d, "events.jsonl")
    argv = argv_pre + [os.path.join(build, "redmon"), "daemon", "-o", "sink.t.type=json",
                       "-o", "sink.t.path=" + events, "-o", "daemon.rescan_interval=1h",
                       "-o", "probe.hwmon.poll_interval=200ms",
                       "-o", "probe.hwmon.fans_required=2", "-o", "daemon.user=root"] + extra
    err = tempfile.TemporaryFile()
    daemon = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                              env=harness.test_env())
    wait_for = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT).wait_for
    H = tree.hw[0]

    def ev(event, **kw):
        def p(e):
            if e.get("event") != event or (e.get("group") or {}).get("id") != GROUP:
                return False
            for k, v in kw.items():
                if k in ("health", "margin", "kind"):
                    if e["group"].get(k) != v:
                        return False
                elif (e.get("member") or {}).get(k) != v:
                    return False
            return True
        return p

    def steps():
        wait_for([ev("group_appeared", health="ok", margin=2, kind="fan")])
        tree.set(H, {"fan3_input": 0})
        wait_for([ev("health_changed", health="degraded", margin=1),
                  ev("member_changed", name="fan3", previous_role="active", role="failed")])
        tree.set(H, {"fan1_fault": 1})
        wait_for([ev("health_changed", health="critical", margin=0),
                  ev("member_changed", name="fan1", previous_role="active", role="failed")])
        tree.set(H, {"fan1_fault": 0, "fan3_input": 4103})
        wait_for([ev("health_changed", health="ok", margin=2),
                  ev("member_changed", name="fan1", previous_role="failed", role="active"),
                  ev("member_changed", name="fan3", previous_role="failed", role="active")])
        # A disabled channel's fault and 0 RPM changing is no event at all;
        # nor is a turning fan's speed moving (every real fan's does).  fan3
        # stopping after it is: the polls did run, and fan1 said nothing before.
        before = len(harness.EventWaiter(events, None, None, 0).read())
        tree.set(H, {"fan5_fault": 0, "fan5_input": 10, "fan1_input": 4150})
        time.sleep(0.5)
        tree.set(H, {"fan5_fault": 1, "fan5_input": 0, "fan1_input": 4080})
        time.sleep(1.0)  # five polls: an absence has no event to wait for
        tree.set(H, {"fan3_input": 0})
        wait_for([ev("member_changed", name="fan3", previous_role="active", role="failed")])
        moved = [e for e in harness.EventWaiter(events, None, None, 0).read()[before:]
                 if (e.get("member") or {}).get("name") == "fan1"]
        # The tree as it was: the later cases read it too.
        tree.set(H, {"fan1_input": 4101, "fan3_input": 4103})
        wait_for([ev("member_changed", name="fan3", previous_role="failed", role="active")])
        return ["fan1's speed moving made an event: %s" % e for e in moved]
    try:
        rep.run("hwmon/fans/%s/daemon-events" % name, steps)
        rep.run("hwmon/fans/%s/daemon-stops" % name, harness.stop_daemon, daemon, err)
        daemon = None

        def quiet():
            bad = [e for e in harness.EventWaiter(events, None, None, 0).read()
                   if (e.get("member") or {}).get("name") in ("fan5", "fan6")]
            return ["event of a disabled channel: %s" % e for e in bad]
        rep.run("hwmon/fans/%s/disabled-channels-silent" % name, quiet)
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(d, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = harness.Redmon(args.build)
    d = tempfile.mkdtemp(prefix="rm-hwmon-fan-")
    try:
        root, captured = root_cases(rep, redmon, d)
        daemon_events(rep, args.build, "root", [], captured, ["--root", root])
        if os.geteuid() != 0:
            rep.skip("hwmon/fans/sensors", "needs root for unshare --mount (RECIPES.md 4)")
            rep.exit()
        if not shutil.which("unshare"):
            rep.skip("hwmon/fans/sensors", "unshare(1) not installed")
            rep.exit()
        live = FanTree(os.path.join(d, "live"), absolute=True)

        def sensors_first():
            return shape(group(status_args(args.build, live, []), GROUP))
        rep.run("hwmon/fans/sensors/4-enabled-2-disabled", sensors_first)

        def both_paths():
            a = comparable(group(status_args(args.build, live, []), GROUP))
            b = comparable(group(redmon.status(root), GROUP))
            return [] if a == b else ["libsensors %s != sysfs %s" % (a, b)]
        rep.run("hwmon/fans/sensors/libsensors-and-root-agree", both_paths)

        def sensors_stopped():
            live.set(live.hw[0], {"fan3_input": 0})
            try:
                return one_stopped(group(status_args(args.build, live, []), GROUP))
            finally:
                live.set(live.hw[0], {"fan3_input": 4103})
        rep.run("hwmon/fans/sensors/one-stopped", sensors_stopped)

        daemon_events(rep, args.build, "sensors", in_ns(live, []), live, [])
    finally:
        shutil.rmtree(d, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

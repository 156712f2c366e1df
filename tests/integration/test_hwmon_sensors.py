#!/usr/bin/env python3
"""The hwmon probe with libsensors against a fake PMBus tree in a private mount namespace.

Two dps650ab supplies (i2c-3 0x58 and 0x59) are built as a sysfs subtree; `unshare
--mount` bind-mounts its class/ over /sys/class (the host's /sys is untouched, and
/sys stays a real sysfs, as libsensors requires: RECIPES.md section 4), and redmon
runs inside with root "/", so the probe reads it through libsensors.  The test
checks a failed supply, an alarm cleared and set, and that the --root path (the
same tree read as plain files) reaches the same verdict.  Then the daemon runs in
the namespace and must report an alarm, its clearing and a supply whose chip
vanishes, as events.  Last, the corpus hwmon cases agree with their expected.json.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import TestError

GROUP = "hwmon:psu"
PSU1, PSU2 = "dps650ab-i2c-3-58", "dps650ab-i2c-3-59"
STEP_TIMEOUT = 5.0


def values(state):
    f = 1 if state == "fail" else 0
    return dict(in1_label="vin", in1_input=0 if f else 230000, in1_alarm=f, in1_crit=264000,
                in1_lcrit=90000, in1_lcrit_alarm=0,
                in2_label="vout1", in2_input=0 if f else 12050, in2_alarm=0,
                curr1_label="iin", curr1_input=1250, curr1_max=4000, curr1_max_alarm=0,
                curr2_label="iout1", curr2_input=24500,
                power1_label="pin", power1_input=310000000, power1_max=650000000, power1_alarm=f,
                power2_label="pout1", power2_input=294000000,
                fan1_input=0 if f else 8200, fan1_fault=f, fan1_alarm=f,
                temp1_input=35500, temp1_crit=100000, temp1_crit_alarm=0, temp1_max=85000,
                temp1_max_alarm=0)


class Tree:
    """A fake sysfs subtree standing for /sys (RECIPES.md A.7, in Python).

    absolute=True: class entries are absolute links into the tree, for a bind
    mount over /sys/class; False: relative links, for --root."""

    def __init__(self, sys_dir, absolute, states=("ok", "fail")):
        self.r = sys_dir
        self.absolute = absolute
        R = sys_dir
        os.makedirs(R + "/class/hwmon")
        os.makedirs(R + "/class/i2c-adapter")
        os.makedirs(R + "/bus/i2c/drivers/dps650ab")
        A = R + "/devices/platform/i2c-fake/i2c-3"
        os.makedirs(A)
        self.write(A + "/name", "fake-i2c-adapter")
        os.symlink("../../../../bus/i2c", A + "/subsystem")
        os.symlink(A if absolute else "../../devices/platform/i2c-fake/i2c-3", R + "/class/i2c-adapter/i2c-3")
        self.hw = {}
        for i, (addr, st) in enumerate(zip(("58", "59"), states)):
            D = "%s/3-00%s" % (A, addr)
            H = "%s/hwmon/hwmon%d" % (D, i)
            os.makedirs(H)
            self.write(D + "/name", "dps650ab")
            os.symlink("../../../../../bus/i2c", D + "/subsystem")
            os.symlink("../../../3-00" + addr, H + "/device")
            self.write(H + "/name", "dps650ab")
            self.set(H, values(st))
            self.hw[i] = H
            self.link(i)

    @staticmethod
    def write(path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("%s\n" % text)
        os.rename(tmp, path)

    def put(self, path, text):
        """A value changed: for --root, a new file renamed over, as a capture
        tool writes (write()).  For the live stand-in, in place: a real sysfs
        attribute is never replaced, its show() answers each read, so the
        probe keeps it open and preads it (hwmon_lsensors.c); a file renamed
        over would keep the old text there."""
        if not self.absolute:
            self.write(path, text)
            return
        data = ("%s\n" % text).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, data, 0)  # never empty for a reader, as O_TRUNC would leave it
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)

    def set(self, hwdir, vals):
        for k, v in vals.items():
            self.put("%s/%s" % (hwdir, k), v)

    def link(self, i):
        rel = os.path.relpath(self.hw[i], self.r + "/class/hwmon")
        os.symlink(self.hw[i] if self.absolute else rel, "%s/class/hwmon/hwmon%d" % (self.r, i))

    def unlink(self, i):
        os.unlink("%s/class/hwmon/hwmon%d" % (self.r, i))


def in_ns(tree, argv):
    """argv run inside a private mount namespace with the tree over /sys/class."""
    script = 'mount --bind "$1" /sys/class && shift && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            tree.r + "/class"] + argv


def status_ns(build, tree):
    argv = in_ns(tree, [os.path.join(build, "redmon"), "status", "--json"])
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=harness.test_env(), timeout=30, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    if p.returncode != 0:
        raise TestError("status in the namespace exited %d: %s" % (p.returncode, harness.tail(p.stderr)))
    return json.loads(p.stdout)


def group(doc, gid=GROUP):
    gs = [g for g in doc["groups"] if g["id"] == gid]
    if not gs:
        raise TestError("no %s in %s" % (gid, [g["id"] for g in doc["groups"]]))
    return gs[0]


def member(g, name):
    for m in g["members"]:
        if m["name"] == name:
            return m
    raise TestError("no member %s in %s" % (name, [m["name"] for m in g["members"]]))


def check(g, **want):
    out = harness.group_problems(g, g.get("id"))
    for k, v in want.items():
        if g.get(k) != v:
            out.append("%s = %r, expected %r" % (k, g.get(k), v))
    return out


def has(text, needle, what):
    return [] if needle in (text or "") else ["%s %r lacks %r" % (what, text, needle)]


def comparable(g):
    """What both readers must agree on."""
    return {k: g.get(k) for k in ("id", "type", "health", "margin", "margin_nominal", "members_total",
                                  "members_ok", "members_failed", "reason")} | {
        "members": [(m["name"], m["role"], m.get("state"), m.get("reason"), m.get("location"))
                    for m in g["members"]]}


def golden(rep, redmon):
    """Corpus hwmon cases: redmon status --root CASE agrees with expected.json."""
    corpus = os.path.join(harness.CORPUS, "hwmon")
    if not os.path.isdir(corpus):
        rep.fail("hwmon/golden", "corpus folder %s not found" % corpus)
        return
    for case in sorted(os.listdir(corpus)):
        root = os.path.join(corpus, case)
        if not os.path.isfile(os.path.join(root, "expected.json")):
            continue

        def one(root=root):
            with open(os.path.join(root, "expected.json")) as f:
                exp = json.load(f)
            doc = redmon.status(root)
            probes = {p["name"]: p for p in doc["probes"]}
            out = []
            if probes.get("hwmon", {}).get("status") != "ok":
                out.append("hwmon probe %r" % probes.get("hwmon"))
            got = [g for g in doc["groups"] if g["probe"] == "hwmon"]
            want = exp.get("psu_groups_expected", len(exp["groups"]))
            if len(got) != want:
                out.append("%d hwmon groups, expected %d: %s" % (len(got), want, [g["id"] for g in got]))
            for g in got:
                out += harness.group_problems(g, g["id"])
            return out
        rep.run("hwmon/golden/" + case, one)


SECRET = "s3cr3t-outside-the-root"


def hostile_tree(d):
    """A captured tree of two PSUs under d/root whose links lead out of it,
    to a secret in d/outside: PSU1's in1_label is an absolute link, PSU2's
    name climbs past the root with ../, and class entry hwmon2 is an
    absolute link to a whole chip directory outside (name dps650ab, alarm set)."""
    out = os.path.join(d, "outside")
    os.makedirs(out + "/chip")
    with open(out + "/secret", "w") as f:
        f.write(SECRET + "\n")
    Tree.write(out + "/chip/name", "dps650ab")
    Tree.write(out + "/chip/in1_label", SECRET)
    Tree.write(out + "/chip/in1_alarm", "1")
    root = os.path.join(d, "root")
    t = Tree(os.path.join(root, "sys"), absolute=False, states=("ok", "ok"))
    os.unlink(t.hw[0] + "/in1_label")
    os.symlink(out + "/secret", t.hw[0] + "/in1_label")
    os.unlink(t.hw[1] + "/name")
    os.symlink("../" * 16 + out.lstrip("/") + "/secret", t.hw[1] + "/name")
    os.symlink(out + "/chip", root + "/sys/class/hwmon/hwmon2")
    return root


def links_out(rep, redmon):
    """--root: links planted to leave the root resolve inside it (to nothing):
    the secret is never read, and each affected supply is unknown, with the
    reason, and so is the set; none is silently left out."""
    d = tempfile.mkdtemp(prefix="rm-hwmon-esc-")
    try:
        root = hostile_tree(d)

        def one():
            p = redmon.run(["status", "--json", "--root", root])
            if SECRET in p.stdout or SECRET in p.stderr:
                return ["the secret outside the root was read: %s" % harness.tail(p.stdout)]
            g = group(json.loads(p.stdout))
            out = check(g, health="unknown", margin=None, members_total=3)
            lead = "a link that leads nowhere in the root"
            for name, why in ((PSU1, "unreadable: in1_label: " + lead),
                              ("hwmon1", "cannot tell whether it is a supply: name: " + lead),
                              ("hwmon2", "cannot tell whether it is a supply: its link: " + lead)):
                m = member(g, name)
                if m["role"] != "unknown":
                    out.append("%s role %s" % (name, m["role"]))
                out += has(m.get("reason"), why, name + " reason")
                out += has(g.get("reason"), name + ": " + why, "group reason")
            return out
        rep.run("hwmon/root/links-out-of-the-root", one)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def unreadable(rep, build):
    """A supply whose hwmon directory, or only its name, cannot be read (chmod
    000, redmon run as nobody) is an unknown member and the set is unknown:
    never "1+0 nonredundant", REDMON OK."""
    d = tempfile.mkdtemp(prefix="rm-hwmon-perm-")
    os.chmod(d, 0o755)  # nobody must reach the tree; only the planted part is closed
    try:
        root = os.path.join(d, "root")
        t = Tree(os.path.join(root, "sys"), absolute=False, states=("ok", "ok"))
        for what, path in (("directory", t.hw[1]), ("name", t.hw[1] + "/name")):
            def one(path=path):
                mode = os.stat(path).st_mode & 0o777
                os.chmod(path, 0)
                try:
                    c = harness.run_as_nobody(build, ["check", "--root", root], d)
                    p = harness.run_as_nobody(build, ["status", "--json", "--root", root], d)
                finally:
                    os.chmod(path, mode)
                out = []
                if c.returncode != 3 or "REDMON UNKNOWN" not in c.stdout:
                    out.append("check exited %d: %s" % (c.returncode, c.stdout.strip()))
                if p.returncode != 0:
                    return out + ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
                g = group(json.loads(p.stdout))
                out += check(g, health="unknown", margin=None, members_total=2, members_ok=1)
                m = member(g, "hwmon1")
                if m["role"] != "unknown":
                    out.append("hwmon1 role %s" % m["role"])
                out += has(m.get("reason"), "name: Permission denied", "hwmon1 reason")
                return out
            rep.run("hwmon/root/unreadable-" + what, one)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = harness.Redmon(args.build)
    golden(rep, redmon)
    links_out(rep, redmon)
    if os.geteuid() != 0:
        rep.skip("hwmon/sensors", "needs root for unshare --mount (RECIPES.md 4)")
        rep.exit()
    if not shutil.which("unshare"):
        rep.skip("hwmon/sensors", "unshare(1) not installed")
        rep.exit()
    if not os.path.exists(os.path.join(args.build, "plugins", "hwmon.so")):
        rep.fail("hwmon/sensors", "%s/plugins/hwmon.so is not built" % args.build)
        rep.exit()
    unreadable(rep, args.build)

    d = tempfile.mkdtemp(prefix="rm-hwmon-")
    daemon = None
    try:
        live = Tree(os.path.join(d, "live"), absolute=True)
        root = os.path.join(d, "root")
        captured = Tree(os.path.join(root, "sys"), absolute=False)

        def failed():
            g = group(status_ns(args.build, live))
            out = check(g, kind="psu", type="1+1", health="critical", margin=0, margin_nominal=1,
                        members_total=2, members_ok=1, members_failed=1)
            m = member(g, PSU2)
            if m["role"] != "failed":
                out.append("%s role %s" % (PSU2, m["role"]))
            out += has(m.get("reason"), "input lost (vin below 1 V)", "reason")
            out += has(m.get("reason"), "vin in1_alarm", "reason")
            out += has(m.get("reason"), "fan1_fault", "reason")
            if member(g, PSU1)["role"] != "active" or member(g, PSU1).get("location") != "i2c 3-0058":
                out.append("%s: %s" % (PSU1, member(g, PSU1)))
            return out
        rep.run("hwmon/sensors/failed-supply", failed)

        def both_paths():
            a = comparable(group(status_ns(args.build, live)))
            b = comparable(group(redmon.status(root)))
            return [] if a == b else ["libsensors %s != sysfs %s" % (a, b)]
        rep.run("hwmon/sensors/libsensors-and-root-agree", both_paths)

        def cleared():
            live.set(live.hw[1], values("ok"))
            g = group(status_ns(args.build, live))
            return check(g, health="ok", margin=1, members_ok=2, members_failed=0, reason=None)
        rep.run("hwmon/sensors/alarm-cleared", cleared)

        def alarm_set():
            live.set(live.hw[0], {"in1_lcrit_alarm": 1})
            g = group(status_ns(args.build, live))
            out = check(g, health="critical", margin=0, members_failed=1)
            out += has(member(g, PSU1).get("reason"), "alarm: vin in1_lcrit_alarm", "reason")
            live.set(live.hw[0], {"in1_lcrit_alarm": 0})
            # Warning-level alarms name themselves but keep the margin.
            live.set(live.hw[0], {"temp1_max_alarm": 1})
            g = group(status_ns(args.build, live))
            out += check(g, health="ok", margin=1)
            out += has(member(g, PSU1).get("reason"), "warning: temp1_max_alarm", "reason")
            live.set(live.hw[0], {"temp1_max_alarm": 0})
            return out
        rep.run("hwmon/sensors/alarm-set", alarm_set)

        def compute():
            # A sensors.conf compute line applies to inputs: read through libsensors
            # then (without a config the probe reads them itself, hwmon_lsensors.c).
            conf = os.path.join(d, "sensors.conf")
            with open(conf, "w") as f:
                f.write('chip "dps650ab-*"\n    compute in1 @/1000, @*1000\n')
            argv = in_ns(live, [os.path.join(args.build, "redmon"), "status", "--json",
                                "-o", "probe.hwmon.sensors_config=" + conf])
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=harness.test_env(), timeout=30, universal_newlines=True)
            if p.returncode != 0:
                return ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
            g = group(json.loads(p.stdout))
            out = check(g, health="failed", members_ok=0)
            out += has(member(g, PSU1).get("reason"), "input lost (vin below 1 V)", "reason")
            return out
        rep.run("hwmon/sensors/compute-applies", compute)

        events = os.path.join(d, "events.jsonl")
        argv = in_ns(live, [os.path.join(args.build, "redmon"), "daemon", "-o", "sink.t.type=json",
                            "-o", "sink.t.path=" + events, "-o", "daemon.rescan_interval=1h",
                            "-o", "probe.hwmon.poll_interval=200ms",
                            # Reads the live root as root on purpose: no drop to the redmon user.
                            "-o", "daemon.user=root"])
        err = tempfile.TemporaryFile()
        daemon = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  env=harness.test_env())
        wait_for = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT).wait_for

        def ev(kind, **kw):
            def p(e):
                if e.get("event") != kind or (e.get("group") or {}).get("id") != GROUP:
                    return False
                for k, v in kw.items():
                    if k in ("health", "margin"):
                        if e["group"].get(k) != v:
                            return False
                    elif (e.get("member") or {}).get(k) != v:
                        return False
                return True
            return p

        def daemon_events():
            wait_for([ev("group_appeared", health="ok")])
            live.set(live.hw[1], {"fan1_fault": 1})
            wait_for([ev("health_changed", health="critical", margin=0),
                      ev("member_changed", name=PSU2, previous_role="active", role="failed")])
            live.set(live.hw[1], {"fan1_fault": 0})
            wait_for([ev("health_changed", health="ok", margin=1),
                      ev("member_changed", name=PSU2, previous_role="failed", role="active")])
            # The supply is pulled: its PMBus client and hwmon entry vanish.
            live.unlink(1)
            wait_for([ev("health_changed", health="critical", margin=0),
                      ev("member_changed", name=PSU2, previous_role="active", role="missing")])
            live.link(1)
            wait_for([ev("health_changed", health="ok", margin=1),
                      ev("member_changed", name=PSU2, previous_role="missing", role="active")])
            # The input voltage moving, as every PMBus supply's does, is no event.
            # A fault after it is: the polls did run, and nothing came before it.
            before = len(harness.EventWaiter(events, None, None, 0).read())
            live.set(live.hw[0], {"in1_input": 231300})
            time.sleep(0.6)  # three polls
            live.set(live.hw[0], {"in1_input": 229800})
            time.sleep(0.6)
            live.set(live.hw[0], {"fan1_fault": 1})
            seen = wait_for([ev("member_changed", name=PSU1, previous_role="active", role="failed")])
            moved = [e for e in harness.EventWaiter(events, None, None, 0).read()[before:]
                     if e not in seen]
            return ["the input voltage moving made an event: %s %s" % (
                e.get("event"), (e.get("member") or {}).get("state")) for e in moved]
        rep.run("hwmon/sensors/daemon-events", daemon_events)

        rep.run("hwmon/sensors/daemon-stops", harness.stop_daemon, daemon, err)
        daemon = None
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(d, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The daemon follows Linux bonds through failures: from inotify on a captured tree, and from rtnetlink.

Part 1 (inotify).  A captured-style tree is copied to a temporary root: bond0,
an 802.3ad bond of three slaves with a live LACP partner, as
/proc/net/bonding/bond0 only; bond1, an active-backup bond, as sysfs only.
`redmon daemon --root TMP` runs with only the bond probe, a JSON Lines sink,
a one-hour rescan and rtnetlink off, so every event must come from inotify.
bond0 loses a slave while another one flaps (its link failure count rises
while it stays up: a member_changed with the same role and a "link flapping"
reason), then the LACP partner of another slave, then recovers;
bond1's backup slave goes down and comes back (sysfs written in place); a
bond appears and vanishes; SIGTERM.  Each step's events must arrive within
STEP_TIMEOUT, in order, with the right fields.

Part 0 (hostile trees, issue 12).  The demo tree (tests/fixtures/demo) is
copied and given links out of the root towards a secret file the test
writes beside it (standing for the host's /etc/shadow), absolute and
relative: the issue's recipe (proc/net/bonding/bond0 removed,
bonding/slaves -> the secret), and the secret behind bonding_masters,
proc/net/bonding/bond0 and a slave's directory.  `redmon status` (text and
JSON) and the daemon's JSON Lines events must never carry the secret, and
where the slave list is such a link the bond is unknown with a reason.  With
garbage in both sources of the mode, the bond is unknown, not ok.

Part 2 (rtnetlink).  In a private network namespace (created and removed
here; SKIP without root or iproute2) a veth pair is named like a slave of the
fixture (eth1).  The daemon runs inside the namespace with inotify off and
rtnetlink on: the test edits the fixture (no event may follow: nothing
watches the files), then flips the veth with `ip link set`, and the link
message must trigger the rescan that reads the edited fixture.  The delay from
the link change (as a second rtnetlink listener in the namespace receives it,
bounded by the start and the end of the `ip` command) to the JSON line in the
sink file is measured over FLIPS flips; its median and maximum are printed,
and each must stay below DELAY_BOUND.
"""

import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import TestError

STEP_TIMEOUT = 5.0  # seconds to wait for a step's events
QUIET = 0.15        # seconds of silence that prove "no event"
STOP_TIMEOUT = 2.0
POLL = 0.0005
FLIPS = 40          # link changes in part 2 (20 down, 20 up)
DELAY_BOUND = 1.0   # seconds from a link change to its JSON line

NAME = "integration/daemon_bond/"

# --- fixture text, as bond_procfs.c prints it -------------------------------

LACP_HEAD = """Ethernet Channel Bonding Driver: v6.1.0-13-amd64

Bonding Mode: IEEE 802.3ad Dynamic link aggregation
Transmit Hash Policy: layer3+4 (1)
MII Status: up
MII Polling Interval (ms): 100
Up Delay (ms): 0
Down Delay (ms): 0
Peer Notification Delay (ms): 0

802.3ad info
LACP active: on
LACP rate: fast
Min links: 0
Aggregator selection policy (ad_select): stable
System priority: 65535
System MAC address: 52:54:00:00:00:01
Active Aggregator Info:
\tAggregator ID: 1
\tNumber of ports: %d
\tActor Key: 15
\tPartner Key: 32783
\tPartner Mac Address: 00:1c:73:aa:bb:cc
"""
PARTNER = "00:1c:73:aa:bb:cc"
NOBODY = "00:00:00:00:00:00"


def lacp_slave(name, mii="up", agg=1, actor=61, partner=61, partner_mac=PARTNER, failures=0):
    return """
Slave Interface: %s
MII Status: %s
Speed: %s
Duplex: %s
Link Failure Count: %d
Permanent HW addr: 52:54:00:00:01:%s
Slave queue ID: 0
Aggregator ID: %d
Actor Churn State: none
Partner Churn State: %s
Actor Churned Count: 0
Partner Churned Count: 0
details actor lacp pdu:
    system priority: 65535
    system mac address: 52:54:00:00:00:01
    port key: 15
    port priority: 255
    port number: 1
    port state: %d
details partner lacp pdu:
    system priority: 32768
    system mac address: %s
    oper key: 32783
    port priority: 32768
    port number: 17
    port state: %d
""" % (name, mii, "10000 Mbps" if mii == "up" else "Unknown", "full" if mii == "up" else "Unknown",
       failures, name[-2:], agg, "none" if partner_mac == PARTNER else "churned", actor, partner_mac,
       partner)


def bond0(slaves, ports):
    return LACP_HEAD % ports + "".join(slaves)


BOND0_OK = bond0([lacp_slave("eth0"), lacp_slave("eth1"), lacp_slave("eth2")], 3)
# eth0's link goes: the kernel detaches it (aggregator 2, defaulted).  In the
# same interval eth2 lost its link and got it back (its failure count rose).
BOND0_ETH0_DOWN = bond0([lacp_slave("eth0", mii="down", agg=2, actor=69, partner=1, partner_mac=NOBODY,
                                    failures=1),
                         lacp_slave("eth1"), lacp_slave("eth2", failures=1)], 2)
# Then eth1's LACP partner stops talking: still attached, but defaulted and
# not collecting/distributing (actor 0x45, partner 0x01).
BOND0_ETH1_NO_PARTNER = bond0([lacp_slave("eth0", mii="down", agg=2, actor=69, partner=1, partner_mac=NOBODY,
                                          failures=1),
                               lacp_slave("eth1", actor=69, partner=1, partner_mac=NOBODY),
                               lacp_slave("eth2", failures=1)], 2)
BOND0_RECOVERED = bond0([lacp_slave("eth0", failures=1), lacp_slave("eth1"), lacp_slave("eth2", failures=1)],
                        3)

AB_TEXT = """Ethernet Channel Bonding Driver: v6.1.0-13-amd64

Bonding Mode: fault-tolerance (active-backup)
Primary Slave: None
Currently Active Slave: eth0
MII Status: up
MII Polling Interval (ms): 100
Up Delay (ms): 0
Down Delay (ms): 0
Peer Notification Delay (ms): 0

Slave Interface: eth0
MII Status: up
Speed: 10000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 52:54:00:00:02:00
Slave queue ID: 0

Slave Interface: eth1
MII Status: %s
Speed: 10000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 52:54:00:00:02:01
Slave queue ID: 0
"""

# bond1 of part 1 seen through /proc as a lone slave: nonredundant.
BOND2_ONE_SLAVE = (AB_TEXT % "up").split("\nSlave Interface: eth1")[0]
# The same bond with slaves eth5 (active) and eth6, then eth4 too (a backup).
BOND2_TWO = (AB_TEXT % "up").replace("eth1", "eth6").replace("eth0", "eth5")
BOND2_WITH_ETH4 = BOND2_TWO + """
Slave Interface: eth4
MII Status: up
Speed: 10000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 52:54:00:00:02:04
Slave queue ID: 0
"""


class Tree:
    """A temporary root, written atomically (rename) or in place."""

    def __init__(self, root):
        self.root = root
        self.stage = os.path.join(root, ".stage")
        os.makedirs(self.stage)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def put(self, rel, text, inplace=False):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = text.encode()
        if inplace:
            fd = os.open(p, os.O_WRONLY)
            try:
                os.write(fd, data)
                os.ftruncate(fd, len(data))
            finally:
                os.close(fd)
        else:
            tmp = os.path.join(os.path.dirname(p), "." + os.path.basename(p) + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, p)

    def unlink(self, rel):
        os.unlink(self.path(rel))


def sysfs_ab_bond(tree):
    """bond1, active-backup, sysfs only: eth3 active, eth4 backup."""
    b = "sys/class/net/bond1/"
    for k, v in (("mode", "active-backup 1"), ("slaves", "eth3 eth4"), ("miimon", "100"),
                 ("arp_interval", "0"), ("min_links", "0"), ("active_slave", "eth3"), ("primary", ""),
                 ("mii_status", "up")):
        tree.put(b + "bonding/" + k, v + "\n" if v else "")
    tree.put(b + "operstate", "up\n")
    tree.put(b + "flags", "0x1403\n")
    for name, state in (("eth3", "active"), ("eth4", "backup")):
        s = "sys/class/net/%s/" % name
        for k, v in (("state", state), ("mii_status", "up"), ("link_failure_count", "0"),
                     ("ad_aggregator_id", "N/A")):
            tree.put(s + "bonding_slave/" + k, v + "\n")
        tree.put(s + "operstate", "up\n")
        tree.put(s + "speed", "10000\n")
        tree.put(s + "duplex", "full\n")


# --- the daemon and its events ------------------------------------------------

def parse_time(s):
    if not harness.TIME_RE.match(str(s)):
        raise ValueError("time %r is not UTC with milliseconds" % s)
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def key(ev):
    return (ev.get("event"), (ev.get("group") or {}).get("id"), (ev.get("member") or {}).get("name"))


def short(ev):
    g = ev.get("group") or {}
    m = ev.get("member") or {}
    s = "#%s %s %s" % (ev.get("seq"), ev.get("event"), g.get("id"))
    if m:
        s += " %s %s->%s" % (m.get("name"), m.get("previous_role"), m.get("role"))
    if g:
        s += " [%s m=%s ok=%s]" % (g.get("health"), g.get("margin"), g.get("members_ok"))
    return s


def severity_of(group):
    h = group.get("health")
    return "critical" if h in ("critical", "failed") else "warning" if h in ("degraded", "unknown") else "info"


class Daemon:
    """build/redmon daemon with only the bond plugin, a JSON Lines sink, 1 h rescans."""

    def __init__(self, build, tmp, root, options, prefix=()):
        self.events_path = os.path.join(tmp, "events.jsonl")
        self.err_path = os.path.join(tmp, "daemon.err")
        plugins = os.path.join(tmp, "plugins")
        os.makedirs(plugins, exist_ok=True)
        so = os.path.join(build, "plugins", "bond.so")
        if not os.path.exists(so):
            raise TestError("%s is missing: build it first" % so)
        os.symlink(so, os.path.join(plugins, "bond.so"))
        argv = list(prefix) + [os.path.join(build, "redmon"), "daemon", "--root", root,
                               "--plugin-dir", plugins,
                               "-o", "sink.t.type=json", "-o", "sink.t.path=" + self.events_path,
                               "-o", "daemon.rescan_interval=1h"]
        for o in options:
            argv += ["-o", o]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err,
                                     env=harness.test_env())
        self.events = []
        self.seen_at = []  # time.time() when each event's line was read
        self.consumed = 0
        self._partial = b""
        self._offset = 0

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def read(self):
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        now = time.time()
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            try:
                ev = json.loads(line.decode("utf-8"))
            except ValueError as e:
                raise TestError("events file line is not JSON (%s): %r" % (e, line[:200]))
            self.events.append(ev)
            self.seen_at.append(now)

    def alive_or_raise(self):
        if self.proc.poll() is not None:
            raise TestError("daemon exited with %s: %s" % (self.proc.returncode, harness.tail(self.stderr())))

    def wait_for(self, wanted, timeout=STEP_TIMEOUT):
        """Wait until the unclaimed events are exactly `wanted` (keys, in this
        order); claim and return them.  Anything else is an error."""
        deadline = time.monotonic() + timeout
        while True:
            self.read()
            new = self.events[self.consumed:]
            if len(new) >= len(wanted):
                break
            if time.monotonic() > deadline:
                raise TestError("after %.1fs got %s, expected %s" % (
                    timeout, [short(e) for e in new] or "nothing", wanted))
            self.alive_or_raise()
            time.sleep(POLL)
        got = [key(e) for e in new]
        if got != list(wanted):
            raise TestError("events %s, expected %s" % ([short(e) for e in new], wanted))
        self.consumed += len(new)
        return new

    def quiet(self, seconds=QUIET):
        """No event for `seconds`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read()
            if len(self.events) > self.consumed:
                raise TestError("unexpected event %s" % short(self.events[self.consumed]))
            time.sleep(0.005)

    def resync(self):
        """After a failed step: let the daemon settle, then skip whatever came,
        so that one failure does not fail every later step too."""
        time.sleep(QUIET)
        self.read()
        self.consumed = len(self.events)

    def stop(self):
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def event_problems(ev, since):
    out = []
    if ev.get("version") != 1:
        out.append("version %r" % ev.get("version"))
    try:
        t = parse_time(ev.get("time"))
        if not since - 2 <= t <= time.time() + 2:
            out.append("time %s is not now" % ev.get("time"))
    except ValueError as e:
        out.append(str(e))
    if ev.get("probe") != "bond":
        out.append("probe %r" % ev.get("probe"))
    g = ev.get("group")
    if not isinstance(g, dict):
        return out + ["no group object"]
    out += harness.group_problems(g, "group")
    if g.get("kind") != "nic":
        out.append("kind %r" % g.get("kind"))
    if ev.get("severity") != severity_of(g):
        out.append("severity %r for a %s group" % (ev.get("severity"), g.get("health")))
    return ["%s: %s" % (short(ev), p) for p in out]


def field_problems(ev, want):
    out = []
    for path, v in want.items():
        obj = ev
        for part in path.split("."):
            obj = obj.get(part) if isinstance(obj, dict) else None
        if callable(v):
            if not v(obj):
                out.append("%s: %s is %r" % (short(ev), path, obj))
        elif obj != v or type(obj) is bool:
            out.append("%s: %s expected %r, got %r" % (short(ev), path, v, obj))
    return out


def contains(part):
    return lambda s: isinstance(s, str) and part in s


# --- part 0: hostile trees -------------------------------------------------------

DEMO = os.path.join(harness.REPO, "tests", "fixtures", "demo")
# Valid interface names and a /proc slave block: read through a link, they
# would become bond or slave names.
SECRET = ("RMSECRETa1 RMSECRETb2\nroot:$y$j9T$RMSECRETc3:19000:0:99999:7:::\n"
          "\nSlave Interface: RMSECRETe5\nMII Status: up\n")
SECRET_MARK = "RMSECRET"


def hostile_tree(tmp, label, plant):
    """A copy of the demo tree at tmp/label/root with plant(root, secret) applied;
    the secret file is tmp/label/secret, outside the root."""
    base = os.path.join(tmp, label)
    root = os.path.join(base, "root")
    shutil.copytree(DEMO, root, symlinks=True)
    secret = os.path.join(base, "secret")
    with open(secret, "w") as f:
        f.write(SECRET)
    # A slave directory outside the root: read, it would say "link down".
    os.makedirs(os.path.join(base, "outdir", "bonding_slave"))
    with open(os.path.join(base, "outdir", "bonding_slave", "mii_status"), "w") as f:
        f.write("down\n")
    plant(root, secret)
    return root


def relink(root, rel, target):
    p = os.path.join(root, rel)
    if os.path.isdir(p) and not os.path.islink(p):
        shutil.rmtree(p)
    elif os.path.lexists(p):
        os.unlink(p)
    os.symlink(target, p)


def up_to_base(rel):
    """The relative path from the directory of root/rel to the parent of root."""
    return "../" * (rel.count("/") + 1)


SLAVES = "sys/class/net/bond0/bonding/slaves"
PROC = "proc/net/bonding/bond0"

# (label, plant, None or the reason of an unknown bond0: what is behind the link is not read)
HOSTILE = (
    ("recipe-absolute", lambda r, s: (os.unlink(os.path.join(r, PROC)), relink(r, SLAVES, s)),
     "slave list not readable (sys/class/net/bond0/bonding/slaves)"),
    ("recipe-relative", lambda r, s: (os.unlink(os.path.join(r, PROC)),
                                      relink(r, SLAVES, up_to_base(SLAVES) + "secret")),
     "slave list not readable (sys/class/net/bond0/bonding/slaves)"),
    ("recipe-deep-relative", lambda r, s: (os.unlink(os.path.join(r, PROC)),
                                           relink(r, SLAVES, "../" * 12 + s.lstrip("/"))),
     "slave list not readable (sys/class/net/bond0/bonding/slaves)"),
    ("bonding-masters", lambda r, s: relink(r, "sys/class/net/bonding_masters", s), None),
    ("proc-file", lambda r, s: relink(r, PROC, up_to_base(PROC) + "secret"), None),
    ("slave-directory", lambda r, s: (os.unlink(os.path.join(r, PROC)),
                                      relink(r, "sys/class/net/eth0", os.path.join(os.path.dirname(s), "outdir"))),
     "eth0: link state not readable"),
)


def hostile_status_problems(redmon, root, reason):
    out = []
    text = redmon.run(["status", "--root", root])
    doc = redmon.status(root)
    for where, blob in (("status", text.stdout + text.stderr), ("status --json", json.dumps(doc))):
        if SECRET_MARK in blob:
            out.append("%s shows the secret: %s" % (where, harness.tail(blob, 4)))
    bonds = [g for g in doc["groups"] if g.get("id") == "bond:bond0"]
    if len(bonds) != 1:
        return out + ["bond:bond0 expected once, got %s" % [g.get("id") for g in doc["groups"]]]
    g = bonds[0]
    if reason is not None:
        if g.get("health") != "unknown" or g.get("margin") is not None:
            out.append("bond0 health %r margin %r, expected unknown" % (g.get("health"), g.get("margin")))
        if reason not in (g.get("reason") or ""):
            out.append("bond0 reason %r lacks %r" % (g.get("reason"), reason))
    elif g.get("health") == "unknown":
        out.append("bond0 unknown (%r): the tree still holds every fact" % g.get("reason"))
    return out


def hostile_daemon_problems(args, tmp, root):
    """The daemon on the recipe tree: bond0 appears unknown, the secret changing
    outside the root asks for nothing, and no event or log line carries it."""
    d = Daemon(args.build, tmp, root, ["probe.bond.netlink=no", "probe.bond.inotify=yes"])
    out = []
    try:
        got = d.wait_for([("group_appeared", "bond:bond0", None)])
        out += field_problems(got[0], {"group.health": "unknown",
                                       "group.reason": contains("slave list not readable")})
        with open(os.path.join(os.path.dirname(root), "secret"), "a") as f:
            f.write("RMSECRETd4\n")
        d.quiet(0.3)
    finally:
        rc, _ = d.stop()
        d.kill()
    if rc != 0:
        out.append("daemon exited %r: %s" % (rc, harness.tail(d.stderr())))
    with open(d.events_path, errors="replace") as f:
        events = f.read()
    for where, blob in (("events", events), ("daemon log", d.stderr())):
        if SECRET_MARK in blob:
            out.append("%s carry the secret: %s" % (where, harness.tail(blob, 3)))
    return out


def garbage_mode_problems(redmon, tmp):
    """Issue 12, H3: garbage in sysfs bonding/mode and in /proc/net/bonding/bond0."""
    out = []
    for label, proc_text in (("mode-line", None), ("whole-file", "garbage garbage\n")):
        root = os.path.join(tmp, "garbage-" + label)
        shutil.copytree(DEMO, root, symlinks=True)
        path = os.path.join(root, PROC)
        with open(path) as f:
            text = f.read()
        if proc_text is None:
            proc_text = text.replace("Bonding Mode: IEEE 802.3ad Dynamic link aggregation",
                                     "Bonding Mode: garbage").replace("802.3ad info", "garbage info")
        with open(path, "w") as f:
            f.write(proc_text)
        with open(os.path.join(root, "sys/class/net/bond0/bonding/mode"), "w") as f:
            f.write("zzz 9\n")
        doc = redmon.status(root)
        g = [g for g in doc["groups"] if g.get("id") == "bond:bond0"]
        if len(g) != 1:
            out.append("%s: bond:bond0 missing" % label)
            continue
        g = g[0]
        if g.get("health") != "unknown" or g.get("margin") is not None or g.get("type") != "unknown":
            out.append("%s: health %r margin %r type %r, expected unknown" % (
                label, g.get("health"), g.get("margin"), g.get("type")))
        if "bonding mode not readable" not in (g.get("reason") or "") or \
                "sys/class/net/bond0/bonding/mode" not in (g.get("reason") or ""):
            out.append("%s: reason %r does not name the mode's files" % (label, g.get("reason")))
    return out


def part_hostile(args, rep):
    tmp = tempfile.mkdtemp(prefix="redmon-bond-hostile-")
    redmon = harness.Redmon(args.build)
    try:
        for label, plant, reason in HOSTILE:
            root = hostile_tree(tmp, label, plant)
            rep.run(NAME + "hostile/" + label, hostile_status_problems, redmon, root, reason)
        rep.run(NAME + "hostile/daemon-recipe", hostile_daemon_problems, args,
                os.path.join(tmp, "recipe-absolute"), os.path.join(tmp, "recipe-absolute", "root"))
        rep.run(NAME + "garbage-mode-is-unknown", garbage_mode_problems, redmon, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- part 1: inotify ------------------------------------------------------------

def part_inotify(args, rep):
    tmp = tempfile.mkdtemp(prefix="redmon-bond-it-")
    d = None
    b0, b1 = "bond:bond0", "bond:bond1"
    try:
        root = os.path.join(tmp, "root")
        tree = Tree(root)
        tree.put("proc/net/bonding/bond0", BOND0_OK)
        sysfs_ab_bond(tree)
        d = Daemon(args.build, tmp, root, ["probe.bond.netlink=no", "probe.bond.inotify=yes"])
        seq = [0]

        def step(label, action, wanted, fields):
            since = time.time()
            try:
                action()
                got = d.wait_for(wanted)
                problems = []
                for ev in got:
                    seq[0] += 1
                    if ev.get("seq") != seq[0]:
                        problems.append("%s: seq %r, expected %d" % (short(ev), ev.get("seq"), seq[0]))
                    problems += event_problems(ev, since)
                    problems += field_problems(ev, fields.get(key(ev), {}))
                d.quiet()
            except TestError as e:
                problems = [str(e)]
            if problems:
                d.resync()
                seq[0] = d.events[-1].get("seq", seq[0]) if d.events else seq[0]
            rep.check(NAME + label, problems)
            return not problems

        # 0. First scan: both bonds appear healthy (groups in id order).
        step("start", lambda: None,
             [("group_appeared", b0, None), ("group_appeared", b1, None)],
             {("group_appeared", b0, None): {
                 "group.type": "802.3ad", "group.health": "ok", "group.margin": 2, "group.margin_nominal": 2,
                 "group.members_total": 3, "group.members_ok": 3, "group.members_failed": 0,
                 "group.reason": None, "severity": "info"},
              ("group_appeared", b1, None): {
                 "group.type": "active-backup", "group.health": "ok", "group.margin": 1,
                 "group.members_ok": 2, "severity": "info"}})

        # 1. bond0 loses eth0 (the file replaced by rename).
        # eth2's reason changes (flapping): the core reports a member's new
        # reason as member_changed with the same role.
        step("bond0 loses a slave, another flaps", lambda: tree.put("proc/net/bonding/bond0", BOND0_ETH0_DOWN),
             [("health_changed", b0, None), ("member_changed", b0, "eth0"), ("member_changed", b0, "eth2")],
             {("health_changed", b0, None): {
                 "group.health": "degraded", "group.margin": 1, "group.members_ok": 2,
                 "group.members_failed": 1, "previous.health": "ok", "previous.margin": 2,
                 "group.reason": contains("eth0: link down; eth2: link flapping: 1 link failure since last "
                                          "scan (1 in total)"),
                 "severity": "warning"},
              ("member_changed", b0, "eth0"): {
                 "member.role": "failed", "member.previous_role": "active",
                 "member.state": "mii down, aggregator 2"},
              ("member_changed", b0, "eth2"): {
                 "member.role": "active", "member.previous_role": "active",
                 "member.state": "mii up, aggregator 1",
                 "group.members": lambda ms: any(
                     m.get("name") == "eth2" and m.get("reason") ==
                     "link flapping: 1 link failure since last scan (1 in total)" for m in ms or [])}})

        # 2. eth1's LACP partner goes away (rewritten in place).
        step("bond0 loses the LACP partner of another slave",
             lambda: tree.put("proc/net/bonding/bond0", BOND0_ETH1_NO_PARTNER, inplace=True),
             [("health_changed", b0, None), ("member_changed", b0, "eth1"), ("member_changed", b0, "eth2")],
             {("health_changed", b0, None): {
                 "group.health": "critical", "group.margin": 0, "group.members_ok": 1,
                 "group.members_failed": 2, "previous.health": "degraded", "previous.margin": 1,
                 "group.reason": lambda r: isinstance(r, str) and "flapping" not in r and (
                     "eth1: in the active aggregator but LACP is not collecting and distributing "
                     "(actor state 0x45, partner state 0x01)") in r,
                 "severity": "critical"},
              ("member_changed", b0, "eth1"): {"member.role": "failed", "member.previous_role": "active"},
              # No new failure on eth2 since: its flapping reason goes.
              ("member_changed", b0, "eth2"): {
                 "member.role": "active", "member.previous_role": "active",
                 "group.members": lambda ms: any(
                     m.get("name") == "eth2" and "reason" not in m for m in ms or [])}})

        # 3. Everything recovers.
        step("bond0 recovers", lambda: tree.put("proc/net/bonding/bond0", BOND0_RECOVERED),
             [("health_changed", b0, None), ("member_changed", b0, "eth0"), ("member_changed", b0, "eth1")],
             {("health_changed", b0, None): {
                 "group.health": "ok", "group.margin": 2, "group.members_ok": 3, "group.members_failed": 0,
                 "previous.health": "critical", "previous.margin": 0, "group.reason": None,
                 "severity": "info"},
              ("member_changed", b0, "eth0"): {"member.role": "active", "member.previous_role": "failed"},
              ("member_changed", b0, "eth1"): {"member.role": "active", "member.previous_role": "failed"}})

        # 4. bond1 (sysfs): the backup slave's link goes and comes back, in place.
        step("bond1 backup down (sysfs, in place)",
             lambda: tree.put("sys/class/net/eth4/bonding_slave/mii_status", "down\n", inplace=True),
             [("health_changed", b1, None), ("member_changed", b1, "eth4")],
             {("health_changed", b1, None): {
                 "group.health": "critical", "group.margin": 0, "previous.health": "ok",
                 "group.reason": "eth4: link down"},
              ("member_changed", b1, "eth4"): {"member.role": "failed", "member.previous_role": "standby"}})
        step("bond1 backup back (sysfs, in place)",
             lambda: tree.put("sys/class/net/eth4/bonding_slave/mii_status", "up\n", inplace=True),
             [("health_changed", b1, None), ("member_changed", b1, "eth4")],
             {("health_changed", b1, None): {"group.health": "ok", "group.margin": 1},
              ("member_changed", b1, "eth4"): {"member.role": "standby", "member.previous_role": "failed"}})

        # 5. A bond appears (one slave: nonredundant) and vanishes.
        step("bond appears", lambda: tree.put("proc/net/bonding/bond2", BOND2_ONE_SLAVE),
             [("group_appeared", "bond:bond2", None)],
             {("group_appeared", "bond:bond2", None): {
                 "group.health": "nonredundant", "group.margin": 0, "group.margin_nominal": 0,
                 "group.members_total": 1}})
        step("bond vanishes", lambda: tree.unlink("proc/net/bonding/bond2"),
             [("group_vanished", "bond:bond2", None)], {})

        # 6. A slave moves from one bond to another, both files rewritten in
        # place: no file or directory comes or goes, and periodic scans
        # (1 h here) no longer list the bonds, yet both bonds change.
        b2 = "bond:bond2"
        step("bond appears (eth5, eth6)", lambda: tree.put("proc/net/bonding/bond2", BOND2_TWO),
             [("group_appeared", b2, None)],
             {("group_appeared", b2, None): {"group.health": "ok", "group.margin": 1}})

        def move_eth4():
            tree.put("sys/class/net/bond1/bonding/slaves", "eth3\n", inplace=True)
            tree.put("proc/net/bonding/bond2", BOND2_WITH_ETH4, inplace=True)

        step("eth4 moves from bond1 to bond2 (in place)", move_eth4,
             [("health_changed", b1, None), ("member_changed", b1, "eth4"),
              ("health_changed", b2, None), ("member_changed", b2, "eth4")],
             {("health_changed", b1, None): {"group.health": "nonredundant", "group.margin": 0,
                                             "group.members_total": 1},
              ("member_changed", b1, "eth4"): {"member.role": "absent"},
              ("health_changed", b2, None): {"group.health": "ok", "group.margin": 2,
                                             "group.members_total": 3},
              ("member_changed", b2, "eth4"): {"member.role": "standby", "member.previous_role": "absent"}})

        if d.proc.poll() is None:
            rc, took = d.stop()
            rep.check(NAME + "sigterm", [] if rc == 0 else [
                "exit %s after %.1fs: %s" % (rc, took, harness.tail(d.stderr()))])
        else:
            rep.fail(NAME + "sigterm", "daemon already gone (exit %s)" % d.proc.returncode)
    finally:
        if d is not None:
            d.kill()
            if rep.failed:
                sys.stderr.write("daemon stderr:\n" + d.stderr())
        shutil.rmtree(tmp, ignore_errors=True)


# --- part 2: rtnetlink in a network namespace -------------------------------------

# Prints "<time.time()> <ifname>" for every RTM_NEWLINK/DELLINK the kernel sends.
LISTENER = r"""
import socket, struct, sys, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 1))  # RTMGRP_LINK
print("ready", flush=True)
while True:
    data = s.recv(65536)
    now = time.time()
    off = 0
    while off + 16 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if mtype in (16, 17):
            a = off + 32
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype == 3:
                    print("%.6f %s" % (now, data[a + 4:a + alen].split(b"\0")[0].decode()), flush=True)
                a += (alen + 3) & ~3
        off += (length + 3) & ~3
"""


class Listener:
    """A second rtnetlink listener in the namespace: when did the kernel announce a change?"""

    def __init__(self, ns):
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", LISTENER],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                     universal_newlines=True)
        self.lines = []
        self.cv = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for line in self.proc.stdout:
            with self.cv:
                self.lines.append(line.split())
                self.cv.notify_all()

    def wait(self, pred, start, timeout=5.0):
        """The first line from index start matching pred; (index, line) or None."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for i in range(start, len(self.lines)):
                    if pred(self.lines[i]):
                        return i, self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def ip(*argv):
    p = subprocess.run(["ip"] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=10)
    if p.returncode != 0:
        raise TestError("ip %s: %s" % (" ".join(argv), p.stderr.strip()))


def part_netlink(args, rep):
    label = NAME + "netlink-veth-flips"
    if os.geteuid() != 0 or not shutil.which("ip"):
        rep.skip(label, "needs root and iproute2 for a private network namespace")
        return
    ns = "redmon-bond-%d" % os.getpid()
    try:
        ip("netns", "add", ns)
    except (TestError, OSError) as e:
        rep.skip(label, "cannot create a network namespace: %s" % e)
        return
    tmp = tempfile.mkdtemp(prefix="redmon-bond-nl-")
    d = listener = None
    problems = []
    delays, upper = [], []
    try:
        ip("-n", ns, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p")
        ip("-n", ns, "link", "set", "eth1p", "up")
        ip("-n", ns, "link", "set", "eth1", "up")
        root = os.path.join(tmp, "root")
        tree = Tree(root)
        tree.put("proc/net/bonding/bond0", AB_TEXT % "up")
        listener = Listener(ns)
        if not listener.wait(lambda l: l == ["ready"], 0):
            raise TestError("the rtnetlink listener did not start")
        d = Daemon(args.build, tmp, root, ["probe.bond.inotify=no", "probe.bond.netlink=yes"],
                   prefix=["ip", "netns", "exec", ns])
        d.wait_for([("group_appeared", "bond:bond0", None)])
        for i in range(FLIPS):
            down = i % 2 == 0
            state = "down" if down else "up"
            # The fixture changes first: nothing watches it, so nothing happens.
            tree.put("proc/net/bonding/bond0", AB_TEXT % state)
            d.quiet(0.05)
            mark = len(listener.lines)
            t0 = time.time()
            ip("-n", ns, "link", "set", "eth1", state)
            t1 = time.time()
            got = d.wait_for([("health_changed", "bond:bond0", None), ("member_changed", "bond:bond0", "eth1")],
                             timeout=DELAY_BOUND + 2)
            g = got[0]["group"]
            want = ("critical", "failed") if down else ("ok", "standby")
            if (g.get("health"), got[1]["member"].get("role")) != want:
                raise TestError("flip %d (%s): health %s, eth1 %s, expected %s" % (
                    i, state, g.get("health"), got[1]["member"].get("role"), want))
            hit = listener.wait(lambda l: len(l) == 2 and l[1] == "eth1", mark)
            if not hit:
                raise TestError("flip %d: the listener saw no message for eth1" % i)
            # Every clock here runs late (a process must be scheduled to read
            # it); the change happened after t0 and no later than the earlier
            # of the listener's and ip's return.
            t_link = max(t0, min(float(hit[1][0]), t1))
            delays.append(d.seen_at[d.consumed - 2] - t_link)
            upper.append(d.seen_at[d.consumed - 2] - t0)
        slow = [x for x in delays if x > DELAY_BOUND]
        if slow:
            problems.append("%d of %d flips over %.1fs: %s" % (len(slow), len(delays), DELAY_BOUND, slow[:5]))
        print("# netlink delay, link change -> JSON line read from the sink: median %.1f ms, max %.1f ms, "
              "min %.1f ms over %d flips (from the start of `ip link set`: median %.1f ms, max %.1f ms)"
              % (1000 * statistics.median(delays), 1000 * max(delays), 1000 * min(delays), len(delays),
                 1000 * statistics.median(upper), 1000 * max(upper)), flush=True)
        rc, took = d.stop()
        if rc != 0:
            problems.append("exit %s after SIGTERM (%.1fs): %s" % (rc, took, harness.tail(d.stderr())))
    except TestError as e:
        problems.append(str(e))
    finally:
        if d is not None:
            d.kill()
            if problems:
                sys.stderr.write("daemon stderr:\n" + d.stderr())
        if listener is not None:
            listener.stop()
        try:
            ip("netns", "del", ns)
        except TestError as e:
            problems.append("cleanup: %s" % e)
        shutil.rmtree(tmp, ignore_errors=True)
    rep.check(label, problems)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(NAME + "start", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    part_hostile(args, rep)
    part_inotify(args, rep)
    part_netlink(args, rep)
    rep.exit()


if __name__ == "__main__":
    main()

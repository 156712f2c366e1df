#!/usr/bin/env python3
"""The SNMP subagent against real peers: snmpd as AgentX master, snmptrapd.

Everything listens on 127.0.0.1 (free ports), with its own config and
persistent directories; AgentX goes over a unix socket in a short temporary
directory; every process is stopped by PID.  redmon runs `daemon` on a
captured-style md tree (md1 raid1, md3 raid6) with only the md probe, a JSON
Lines sink (for event sequence numbers) and [snmp] enabled with a 1 s ping
interval, direct v2c, v3 authPriv TRAP and v3 authPriv INFORM targets, and a
heartbeat.  The master forwards our notifications as v2c traps (community
public), so each notification reaches snmptrapd by four routes, told apart by
community or user.

Cases: start before the master; walk and snmptable with symbolic names; every
group and member row equal to `redmon status --json`; scalars and probe
table; [snmp] fast_path only warns; nothing is
writable; a failed disk gives redmonGroupCritical and redmonMemberFailed with
the right varbinds on every route and an alarm row; a rebuild gives
rebuild started/finished, member and group recovered, and clears the alarm; a
master restart: the walk works again within the ping interval and a
notification raised while it was down arrives after; indexes stay stable
across a daemon restart with a group added that sorts first; heartbeats.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness
from harness import TestError

NAME = "integration/snmp/"
STEP = 8.0  # seconds to wait for anything
POLL = 0.05
ROOT_OID = ".1.3.6.1.4.1.8072.9999.9999.7336"
ENGINE_ID = "0x80001f88047265646d6f6e2d74657374"  # text "redmon-test"
TRAPD_ENGINE_ID = "0x80001f8804726d74726170642d74"
AUTH, PRIV = "authpass-1234", "privpass-5678"
HEALTH = {"ok": 1, "nonredundant": 2, "degraded": 3, "unknown": 4, "critical": 5, "failed": 6}
ROLE = {"active": 1, "spare": 2, "standby": 3, "rebuilding": 4, "failed": 5, "missing": 6, "unknown": 7}
ACTIVITY = {"none": 1, "recovery": 2, "resync": 3, "reshape": 4, "check": 5, "repair": 6, "delayed": 7,
            "pending": 8}
ROUTES = ("v2c via master", "v2c direct", "v3 trap", "v3 inform")

PERS = "Personalities : [raid1] [raid6] [raid5] [raid4] \n"
MD1_OK = """md1 : active raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD1_FAILED = """md1 : active raid1 sdb1[1](F) sda1[0]
      976630464 blocks super 1.2 [2/1] [U_]
"""
MD1_RECOVERY = """md1 : active raid1 sdg1[2] sda1[0]
      976630464 blocks super 1.2 [2/1] [U_]
      [==>..................]  recovery = 12.5% (122078808/976630464) finish=70.1min speed=203012K/sec
"""
MD1_RESTORED = """md1 : active raid1 sdg1[2] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD3_OK = """md3 : active raid6 sdf1[3] sde1[2] sdd1[1] sdc1[0]
      1953260544 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/4] [UUUU]
"""
MD3_FAILED = """md3 : active raid6 sdf1[3] sde1[2](F) sdd1[1] sdc1[0]
      1953260544 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/3] [UU_U]
"""
MD0_OK = """md0 : active raid1 sdh1[1] sdi1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
SECTORS = 1953260928


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Tree:
    """A temporary root with /proc/mdstat and /sys/block/mdX/md, changed atomically."""

    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "proc"))
        self.arrays = {}

    def put(self, rel, text):
        p = os.path.join(self.root, rel)
        tmp = os.path.join(os.path.dirname(p), "." + os.path.basename(p) + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, p)

    def mdstat(self, *arrays):
        self.put("proc/mdstat", PERS + "".join(a + "\n" for a in arrays) + "unused devices: <none>\n")

    def array(self, name, level, members):
        d = "sys/block/%s/md" % name
        os.makedirs(os.path.join(self.root, d))
        for f, v in (("level", level), ("raid_disks", str(len(members))), ("degraded", "0"),
                     ("array_state", "clean"), ("sync_action", "idle"), ("sync_completed", "none"),
                     ("metadata_version", "1.2")):
            self.put("%s/%s" % (d, f), v + "\n")
        for slot, dev in enumerate(members):
            self.member(name, dev, "in_sync", slot)

    def member(self, name, dev, state, slot):
        d = os.path.join(self.root, "sys/block/%s/md/dev-%s" % (name, dev))
        os.makedirs(d, exist_ok=True)
        self.put("sys/block/%s/md/dev-%s/state" % (name, dev), state + "\n")
        self.put("sys/block/%s/md/dev-%s/slot" % (name, dev), "%s\n" % slot)
        if slot is not None:
            self.link("sys/block/%s/md/rd%d" % (name, slot), "dev-" + dev)

    def link(self, rel, target):
        p = os.path.join(self.root, rel)
        tmp = p + ".tmp"
        os.symlink(target, tmp)
        os.rename(tmp, p)

    def unlink(self, rel):
        os.unlink(os.path.join(self.root, rel))

    def remove_member(self, name, dev):
        shutil.rmtree(os.path.join(self.root, "sys/block/%s/md/dev-%s" % (name, dev)))


class Peers:
    """snmpd, snmptrapd and redmon in one short temporary directory."""

    def __init__(self, build):
        self.build = build
        self.tmp = tempfile.mkdtemp(prefix="rms-", dir="/tmp")
        self.snmpd = self.trapd = self.daemon = None
        self.port, self.trap_port = free_port(), free_port()
        self.sock = os.path.join(self.tmp, "ax.sock")
        for d in ("noconf", "persist", "tpersist", "cpersist", "plugins"):
            os.makedirs(os.path.join(self.tmp, d))
        for d in ("persist", "tpersist", "cpersist"):
            os.makedirs(os.path.join(self.tmp, d, "cert_indexes"), mode=0o700)
        mibs = "%s:%s" % (os.path.join(build, "mibs"), os.path.join(harness.REPO, "mibs"))
        self.env = dict(os.environ, SNMPCONFPATH=os.path.join(self.tmp, "noconf"),
                        SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "cpersist"),
                        MIBDIRS=mibs, MIBS="SNMPv2-MIB:REDMON-MIB")
        os.symlink(os.path.join(build, "plugins", "md.so"), os.path.join(self.tmp, "plugins", "md.so"))
        self.tree = Tree(os.path.join(self.tmp, "root"))
        self.events_path = os.path.join(self.tmp, "events.jsonl")
        self.traps_path = os.path.join(self.tmp, "traps.log")
        self.trap_offset = 0
        self.traps = []
        self.events = []
        self.ev_offset = 0
        self.walk_cache = {}
        for name, secret in (("auth", AUTH), ("priv", PRIV)):
            path = os.path.join(self.tmp, name)
            with open(path, "w") as f:
                f.write(secret + "\n")
            os.chmod(path, 0o600)

    # --- processes -----------------------------------------------------------

    def spawn(self, argv, log, env=None):
        out = open(os.path.join(self.tmp, log), "a")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env or self.env)
        out.close()
        return p

    @staticmethod
    def stop(p, timeout=5.0):
        if p is None or p.poll() is not None:
            return p.returncode if p else None
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None

    def start_trapd(self):
        conf = os.path.join(self.tmp, "snmptrapd.conf")
        with open(conf, "w") as f:
            f.write("[snmptrapd]\ndisableAuthorization yes\nformat2 NOTIF %%P [%%b]: %%v\\n\n"
                    "exactEngineID %s\n"
                    "createUser -e %s trapuser SHA %s AES %s\n"
                    "createUser trapuser SHA %s AES %s\n"
                    "[snmp]\npersistentDir %s\n" % (
                        TRAPD_ENGINE_ID, ENGINE_ID, AUTH, PRIV, AUTH, PRIV,
                        os.path.join(self.tmp, "tpersist")))
        self.trapd = self.spawn(["snmptrapd", "-f", "-A", "-Lf", self.traps_path, "-C", "-c", conf,
                                 "udp:127.0.0.1:%d" % self.trap_port], "snmptrapd.out")
        self.wait(lambda: self.udp_bound(self.trap_port), "snmptrapd listening")

    @staticmethod
    def udp_bound(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True
        finally:
            s.close()

    def start_snmpd(self):
        conf = os.path.join(self.tmp, "snmpd.conf")
        with open(conf, "w") as f:
            f.write("[snmpd]\nagentaddress udp:127.0.0.1:%d\nmaster agentx\nagentXSocket unix:%s\n"
                    "rocommunity public 127.0.0.1\nrwcommunity private 127.0.0.1\n"
                    "trap2sink udp:127.0.0.1:%d public\n[snmp]\npersistentDir %s\n" % (
                        self.port, self.sock, self.trap_port, os.path.join(self.tmp, "persist")))
        env = dict(self.env, SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "persist"))
        self.snmpd = self.spawn(["snmpd", "-f", "-Lo", "-C", "-c", conf], "snmpd.log", env)
        self.wait(lambda: "Timeticks" in self.client("snmpget", ["SNMPv2-MIB::sysUpTime.0"],
                                                       timeout=0.2, check=False),
                  "snmpd answering")

    def write_conf(self, fast_path=None):
        self.conf = os.path.join(self.tmp, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 1h\n"
                    "[sink.events]\ntype = json\npath = %s\n"
                    "[snmp]\nenabled = yes\nagentx_socket = unix:%s\nping_interval = 1s\n"
                    "heartbeat_interval = 2s\nstate_file = %s\n"
                    "trap_v2c = 127.0.0.1:%d direct\n"
                    "trap_v3 = 127.0.0.1:%d\ninform_v3 = 127.0.0.1:%d\n"
                    "v3_user = %s\nv3_auth_password_file = %s\nv3_priv_password_file = %s\n"
                    "v3_engine_id = %s\n%s" % (
                        self.events_path, self.sock, os.path.join(self.tmp, "snmp-index"),
                        self.trap_port, self.trap_port, self.trap_port, "trapuser",
                        os.path.join(self.tmp, "auth"), os.path.join(self.tmp, "priv"), ENGINE_ID,
                        "" if fast_path is None else "fast_path = %s\n" % fast_path))

    def start_daemon(self):
        self.write_conf()
        argv = [os.path.join(self.build, "redmon"), "daemon", "--root", self.tree.root,
                "--plugin-dir", os.path.join(self.tmp, "plugins"), "-c", self.conf]
        self.daemon = self.spawn(argv, "daemon.log", harness.test_env())

    def daemon_log(self):
        with open(os.path.join(self.tmp, "daemon.log"), errors="replace") as f:
            return f.read()

    def alive(self):
        if self.daemon.poll() is not None:
            raise TestError("redmon exited with %s: %s" % (self.daemon.returncode,
                                                          harness.tail(self.daemon_log())))

    def wait(self, cond, what, timeout=STEP):
        deadline = time.monotonic() + timeout
        while True:
            r = cond()
            if r:
                return r
            if time.monotonic() > deadline:
                raise TestError("timed out after %.0fs waiting for %s" % (timeout, what))
            if self.daemon is not None:
                self.alive()
            time.sleep(POLL)

    def cleanup(self):
        for p in (self.daemon, self.snmpd, self.trapd):
            self.stop(p)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- clients ---------------------------------------------------------------

    def client(self, tool, args, community="public", timeout=2.0, check=True):
        argv = [tool, "-v2c", "-c", community, "-t", str(timeout), "-r", "1",
                "127.0.0.1:%d" % self.port] + args
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                           universal_newlines=True, errors="replace", timeout=60)
        if check and (p.returncode != 0 or p.stderr.strip()):
            raise TestError("%s: exit %d: %s" % (" ".join(argv), p.returncode, harness.tail(p.stderr)))
        return p.stdout + p.stderr if not check else p.stdout

    def walk(self, oid="REDMON-MIB::redmonMIB", tool="snmpbulkwalk"):
        """{(object, index): value} of a walk with symbolic names."""
        rows = {}
        for line in self.client(tool, ["-Cr10" if tool == "snmpbulkwalk" else "-Cc", oid]).splitlines():
            m = re.match(r"^REDMON-MIB::(\w+)\.([\d.]+) = (?:(\w+): ?)?(.*)$", line)
            if not m:
                raise TestError("walk line not REDMON-MIB::name.index = TYPE: value: %r" % line)
            rows[(m.group(1), m.group(2))] = value_of(m.group(3), m.group(4))
        return rows

    # --- events and traps --------------------------------------------------------

    def read_events(self):
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self.ev_offset)
                data = f.read()
        except FileNotFoundError:
            return self.events
        end = data.rfind(b"\n") + 1
        self.ev_offset += end
        for line in data[:end].splitlines():
            self.events.append(json.loads(line))
        return self.events

    def event(self, kind, group=None, member=None, after=0):
        for ev in self.read_events():
            if ev["seq"] > after and ev["event"] == kind and \
                    (group is None or (ev.get("group") or {}).get("id") == group) and \
                    (member is None or (ev.get("member") or {}).get("name") == member):
                return ev
        return None

    def read_traps(self):
        try:
            with open(self.traps_path, "rb") as f:
                f.seek(self.trap_offset)
                data = f.read()
        except FileNotFoundError:
            return self.traps
        end = data.rfind(b"\n") + 1
        self.trap_offset += end
        for line in data[:end].decode("utf-8", "replace").splitlines():
            if line.startswith("NOTIF "):
                self.traps.append(parse_trap(line))
        return self.traps

    def traps_of(self, notif, since=0, route=None):
        return [t for t in self.read_traps()[since:] if t["oid"] == "REDMON-MIB::" + notif and
                (route is None or t["route"] == route)]


def value_of(kind, text):
    """The value of a walk or trap varbind: int for numbers and enums, else text."""
    text = text.strip()
    # A tenth-percent (DISPLAY-HINT "d-1"): "37.4 percent" is 374, "-.1 percent" is -1.
    m = re.match(r"^(-?)(\d*)\.(\d) percent$", text)
    if kind == "INTEGER" and m:
        return (-1 if m.group(1) else 1) * (int(m.group(2) or "0") * 10 + int(m.group(3)))
    if kind in ("INTEGER", "Gauge32", "Counter32", "Timeticks"):
        m = re.search(r"\((\d+)\)$", text)  # enum label(n)
        if m and kind == "INTEGER":
            return int(m.group(1))
        m = re.match(r"^\(?(-?\d+)", text)
        return int(m.group(1)) if m else text
    if kind == "STRING" and len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


def route_of(header):
    if "community public" in header:
        return "v2c via master"
    if "community direct" in header:
        return "v2c direct"
    if "TRAP2, SNMP v3, user trapuser" in header:
        return "v3 trap"
    if "INFORM, SNMP v3, user trapuser" in header:
        return "v3 inform"
    return header


def parse_trap(line):
    head, _, vbs = line.partition("]: ")
    t = {"route": route_of(head), "raw": line, "vars": {}}
    for vb in vbs.split("\t"):
        name, _, rest = vb.partition(" = ")
        kind, _, val = rest.partition(": ")
        if name == "SNMPv2-MIB::snmpTrapOID.0":
            t["oid"] = val.strip()
        t["vars"][name] = value_of(kind, val)
    t.setdefault("oid", "")
    return t


def group_index(walk, gid):
    for (obj, idx), v in walk.items():
        if obj == "redmonGroupId" and v == gid:
            return idx
    raise TestError("no row with redmonGroupId %s in %s" % (gid, sorted(
        v for (o, _), v in walk.items() if o == "redmonGroupId")))


def member_index(walk, gi, name):
    for (obj, idx), v in walk.items():
        if obj == "redmonMemberName" and idx.startswith(gi + ".") and v == name:
            return idx
    raise TestError("group %s has no member %s" % (gi, name))


# --- checks -------------------------------------------------------------------

def compare_with_status(p, walk):
    """Every group and member row equals `redmon status --json` for the same tree."""
    doc = harness.Redmon(p.build).run(["status", "--json", "--root", p.tree.root, "--plugin-dir",
                                       os.path.join(p.tmp, "plugins")])
    if doc.returncode != 0:
        raise TestError("status exited %d" % doc.returncode)
    status = json.loads(doc.stdout)
    problems = []
    ids = sorted(v for (o, _), v in walk.items() if o == "redmonGroupId")
    if ids != sorted(g["id"] for g in status["groups"]):
        problems.append("groups over SNMP %s, status says %s" % (ids, [g["id"] for g in status["groups"]]))
    for g in status["groups"]:
        gi = group_index(walk, g["id"])
        want = {
            "redmonGroupProbe": g["probe"], "redmonGroupName": g["name"], "redmonGroupKind": g["kind"],
            "redmonGroupType": g["type"], "redmonGroupHealth": HEALTH[g["health"]],
            "redmonGroupMargin": -1 if g["margin"] is None else g["margin"],
            "redmonGroupMarginNominal": g["margin_nominal"],
            "redmonGroupMembersTotal": -1 if g["members_total"] is None else g["members_total"],
            "redmonGroupMembersOk": -1 if g["members_ok"] is None else g["members_ok"],
            "redmonGroupMembersFailed": g["members_failed"], "redmonGroupSpares": g["spares"],
            "redmonGroupActivity": ACTIVITY[g["activity"]],
            "redmonGroupProgress": -1 if g["progress"] is None else int(round(g["progress"] * 10)),
            "redmonGroupReason": g["reason"] or "",
            "redmonGroupEtaSeconds": g.get("eta_s", -1),
            "redmonGroupSpof": "; ".join(g.get("spof", [])),
        }
        for obj, v in want.items():
            got = walk.get((obj, gi))
            if got != v:
                problems.append("%s.%s (%s) is %r, status says %r" % (obj, gi, g["id"], got, v))
        names = [v for (o, idx), v in sorted(walk.items()) if o == "redmonMemberName" and
                 idx.startswith(gi + ".")]
        if sorted(names) != sorted(m["name"] for m in g["members"]):
            problems.append("%s members over SNMP %s, status says %s" % (
                g["id"], names, [m["name"] for m in g["members"]]))
            continue
        for m in g["members"]:
            mi = member_index(walk, gi, m["name"])
            for obj, v in (("redmonMemberRole", ROLE[m["role"]]), ("redmonMemberState", m.get("state") or ""),
                           ("redmonMemberDevice", m.get("device") or ""),
                           ("redmonMemberSerial", m.get("serial") or ""),
                           ("redmonMemberLocation", m.get("location") or ""),
                           ("redmonMemberReason", m.get("reason") or "")):
                if walk.get((obj, mi)) != v:
                    problems.append("%s.%s (%s %s) is %r, status says %r" % (
                        obj, mi, g["id"], m["name"], walk.get((obj, mi)), v))
    s = status["summary"]
    for obj, v in (("redmonGroupCount", s["groups"]), ("redmonGroupsOk", s["ok"]),
                   ("redmonGroupsDegraded", s["degraded"]), ("redmonGroupsCritical", s["critical"]),
                   ("redmonGroupsFailed", s["failed"]), ("redmonGroupsUnknown", s["unknown"]),
                   ("redmonGroupsNonredundant", s["nonredundant"]),
                   ("redmonOverallHealth", HEALTH[s["worst"]])):
        if walk.get((obj, "0")) != v:
            problems.append("%s.0 is %r, status summary says %r" % (obj, walk.get((obj, "0")), v))
    return problems


def check_group_trap(t, gi, gid, name, gtype, prev_health, health, prev_margin, margin, seq):
    want = {
        "REDMON-MIB::redmonGroupId.%s" % gi: gid, "REDMON-MIB::redmonGroupName.%s" % gi: name,
        "REDMON-MIB::redmonGroupType.%s" % gi: gtype,
        "REDMON-MIB::redmonNotifPrevHealth.0": prev_health, "REDMON-MIB::redmonGroupHealth.%s" % gi: health,
        "REDMON-MIB::redmonNotifPrevMargin.0": prev_margin, "REDMON-MIB::redmonGroupMargin.%s" % gi: margin,
        "REDMON-MIB::redmonNotifSeq.0": seq,
    }
    out = ["%s (%s): %s is %r, expected %r" % (t["oid"], t["route"], k, t["vars"].get(k), v)
           for k, v in want.items() if t["vars"].get(k) != v]
    if "REDMON-MIB::redmonGroupReason.%s" % gi not in t["vars"]:
        out.append("%s (%s): no redmonGroupReason.%s" % (t["oid"], t["route"], gi))
    if not t["vars"].get("REDMON-MIB::redmonNotifText.0"):
        out.append("%s (%s): no redmonNotifText.0" % (t["oid"], t["route"]))
    return out


def wait_routes(p, notif, since, pred, what):
    """Wait for notif on every route with pred(trap) true; returns {route: trap}."""
    def got():
        found = {}
        for t in p.traps_of(notif, since):
            if t["route"] in ROUTES and t["route"] not in found and pred(t):
                found[t["route"]] = t
        return found if len(found) == len(ROUTES) else None
    try:
        return p.wait(got, "%s (%s) on routes %s" % (notif, what, ", ".join(ROUTES)))
    except TestError:
        seen = sorted({t["route"] for t in p.traps_of(notif, since)})
        raise TestError("%s (%s) arrived on %s only, of %s" % (notif, what, seen or "no route",
                                                             ", ".join(ROUTES)))


def alarms(walk):
    out = {}
    for (obj, idx), v in walk.items():
        if obj.startswith("redmonAlarm") and obj != "redmonAlarmCount":
            out.setdefault(idx, {})[obj] = v
    return out


# --- the run -------------------------------------------------------------------

def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    for tool in ("snmpd", "snmptrapd", "snmpbulkwalk", "snmptable"):
        if not shutil.which(tool):
            rep.fail(NAME + "setup", "%s is not installed (scripts/install-deps.sh installs it)" % tool)
            rep.exit()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK) or \
            not os.path.exists(os.path.join(args.build, "plugins", "md.so")):
        rep.fail(NAME + "setup", "%s/redmon or plugins/md.so is missing: build first" % args.build)
        rep.exit()
    fetch = subprocess.run(["sh", os.path.join(harness.REPO, "scripts", "fetch-base-mibs.sh"),
                            os.path.join(args.build, "mibs")], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
    if fetch.returncode != 0:
        rep.fail(NAME + "setup", "fetch-base-mibs.sh: %s" % harness.tail(fetch.stdout))
        rep.exit()

    p = Peers(args.build)
    try:
        run(p, rep)
    finally:
        if rep.failed:
            sys.stderr.write("daemon log:\n" + p.daemon_log() if os.path.exists(
                os.path.join(p.tmp, "daemon.log")) else "")
        p.cleanup()
    rep.exit()


def run(p, rep):
    t = p.tree
    t.mdstat(MD1_OK, MD3_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    t.array("md3", "raid6", ["sdc1", "sdd1", "sde1", "sdf1"])
    p.start_trapd()

    # Start before the master: the subagent waits for it and registers when it comes.
    def start_before_master():
        p.start_daemon()
        p.wait(lambda: "not up yet" in p.daemon_log(), "the daemon's start")
        t0 = time.monotonic()
        p.start_snmpd()
        p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
               "REDMON-MIB through snmpd", timeout=5)
        took = time.monotonic() - t0
        return [] if took < 3 else ["registered %.1fs after snmpd started (ping interval 1s)" % took]
    rep.run(NAME + "start-before-master", start_before_master)
    if rep.failed:
        return

    # Walks with symbolic names; rows equal `redmon status --json`.
    state = {}

    def walk_equals_status():
        state["walk"] = w = p.walk()
        problems = compare_with_status(p, w)
        table = p.client("snmptable", ["-Cf", "|", "REDMON-MIB::redmonGroupTable"])
        if "redmonGroupId|" not in table or "md:md1" not in table:
            problems.append("snmptable redmonGroupTable: %r" % table[:300])
        table = p.client("snmptable", ["-Cf", "|", "REDMON-MIB::redmonMemberTable"])
        if "redmonMemberName|redmonMemberRole" not in table or "sdb1|active" not in table:
            problems.append("snmptable redmonMemberTable: %r" % table[:300])
        if p.walk(tool="snmpwalk") != w:
            problems.append("snmpwalk (GetNext) and snmpbulkwalk (GetBulk) differ")
        return problems
    rep.run(NAME + "walk-equals-status", walk_equals_status)

    def scalars_and_probes():
        w = state.get("walk") or p.walk()
        out = []
        if w.get(("redmonAgentVersion", "0")) in (None, ""):
            out.append("redmonAgentVersion.0 empty")
        last = p.read_events()[-1]["seq"] if p.read_events() else 0
        if w.get(("redmonLastEventSeq", "0")) != last:
            out.append("redmonLastEventSeq.0 %r, events file says %r" % (w.get(("redmonLastEventSeq", "0")), last))
        if not re.match(r"^\d{4}-\d+-\d+,\d+:\d+:\d+\.\d,\+0:0$", str(w.get(("redmonDaemonStartTime", "0")))):
            out.append("redmonDaemonStartTime.0 %r" % w.get(("redmonDaemonStartTime", "0")))
        names = {v: idx for (o, idx), v in w.items() if o == "redmonProbeName"}
        if set(names) != {"md"}:
            out.append("probes %s, expected md" % sorted(names))
        else:
            i = names["md"]
            for obj, v in (("redmonProbeStatus", 1), ("redmonProbeErrors", 0), ("redmonProbeGroups", 2)):
                if w.get((obj, i)) != v:
                    out.append("%s.%s is %r, expected %r" % (obj, i, w.get((obj, i)), v))
        if w.get(("redmonAlarmCount", "0")) != 0 or alarms(w):
            out.append("alarms while every group is fine: %s" % alarms(w))
        return out
    rep.run(NAME + "scalars-and-probes", scalars_and_probes)

    # One request engine: [snmp] fast_path is accepted, warned about (at reload and
    # in --check-config, with file:line) and changes nothing.
    def fast_path_key_warns():
        before = p.walk()
        out = []
        p.write_conf(fast_path="no")
        check = subprocess.run([os.path.join(p.build, "redmon"), "daemon", "--check-config", "-c", p.conf,
                                "--root", p.tree.root, "--plugin-dir", os.path.join(p.tmp, "plugins")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness.test_env(),
                               universal_newlines=True, timeout=60)
        if check.returncode != 0 or "redmon: %s: OK" % p.conf not in check.stdout:
            out.append("--check-config with fast_path: exit %d, %r" % (check.returncode, check.stdout))
        if not re.search(re.escape(p.conf) + r":\d+: \[snmp\] fast_path no longer does anything", check.stderr):
            out.append("--check-config does not warn about fast_path: %r" % check.stderr[-500:])
        mark = len(p.daemon_log())
        p.daemon.send_signal(signal.SIGHUP)
        p.wait(lambda: "reloading configuration" in p.daemon_log()[mark:], "the reload")
        time.sleep(0.2)
        if "fast_path no longer does anything" not in p.daemon_log()[mark:]:
            out.append("the reload does not warn about fast_path: %r" % p.daemon_log()[mark:][-500:])
        for label, w in (("GetBulk", p.walk()), ("GetNext", p.walk(tool="snmpwalk"))):
            diff = [k for k in set(before) | set(w) if before.get(k) != w.get(k)
                    and k[0] not in ("redmonLastEventSeq", "redmonProbeLastPoll")]
            if diff:
                out.append("%s with fast_path = no differs at %s" % (label, sorted(diff)[:5]))
        get = p.client("snmpget", ["REDMON-MIB::redmonGroupName.1", "REDMON-MIB::redmonGroupName.999",
                                   "REDMON-MIB::redmonGroupName.1.5", "REDMON-MIB::redmonAgentVersion.0"])
        if "No Such Instance" not in get or get.count("STRING") != 2:
            out.append("snmpget of present and missing instances: %r" % get)
        p.write_conf()
        mark = len(p.daemon_log())
        p.daemon.send_signal(signal.SIGHUP)
        p.wait(lambda: "reloading configuration" in p.daemon_log()[mark:], "the reload")
        return out
    rep.run(NAME + "fast-path-key-warns-and-changes-nothing", fast_path_key_warns)

    def read_only():
        out = p.client("snmpset", ["REDMON-MIB::redmonGroupName.1", "s", "x"], community="private",
                       check=False)
        if not re.search(r"notWritable|noAccess|noCreation|Reason", out):
            return ["snmpset on redmonGroupName.1 did not fail: %r" % out]
        return []
    rep.run(NAME + "read-only", read_only)

    # A disk fails: redmonGroupCritical and redmonMemberFailed on every route; an alarm row.
    w = state.get("walk") or p.walk()
    gi1 = group_index(w, "md:md1")
    mi_sdb1 = member_index(w, gi1, "sdb1").split(".")[1]

    def fail_disk():
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"]
        t.put("sys/block/md1/md/dev-sdb1/state", "faulty\n")
        t.put("sys/block/md1/md/degraded", "1\n")
        t.unlink("sys/block/md1/md/rd1")
        t.mdstat(MD1_FAILED, MD3_OK)
        hc = p.wait(lambda: p.event("health_changed", "md:md1", after=last), "health_changed event")
        mc = p.wait(lambda: p.event("member_changed", "md:md1", "sdb1", after=last), "member_changed event")
        out = []
        for route, tr in wait_routes(p, "redmonGroupCritical", since,
                                     lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == hc["seq"],
                                     "md1 critical").items():
            out += check_group_trap(tr, gi1, "md:md1", "md1", "raid1", HEALTH["ok"], HEALTH["critical"],
                                    1, 0, hc["seq"])
        for route, tr in wait_routes(p, "redmonMemberFailed", since,
                                     lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == mc["seq"],
                                     "sdb1 failed").items():
            for k, v in (("redmonMemberName.%s.%s" % (gi1, mi_sdb1), "sdb1"),
                         ("redmonNotifPrevRole.0", ROLE["active"]),
                         ("redmonMemberRole.%s.%s" % (gi1, mi_sdb1), ROLE["failed"]),
                         ("redmonMemberState.%s.%s" % (gi1, mi_sdb1), "faulty"),
                         ("redmonGroupHealth.%s" % gi1, HEALTH["critical"])):
                if tr["vars"].get("REDMON-MIB::" + k) != v:
                    out.append("redmonMemberFailed (%s): %s is %r, expected %r" % (
                        route, k, tr["vars"].get("REDMON-MIB::" + k), v))
        a = alarms(p.walk())
        row = a.get(str(hc["seq"]))
        if not row or row.get("redmonAlarmObject") != "md:md1" or \
                row.get("redmonAlarmHealth") != HEALTH["critical"] or \
                row.get("redmonAlarmGroupIndex") != int(gi1) or "critical" not in row.get("redmonAlarmText", ""):
            out.append("alarm table %s has no critical row %s for md:md1" % (a, hc["seq"]))
        state["alarm_seq"] = hc["seq"]
        return out
    rep.run(NAME + "fail-disk-notifications-and-alarm", fail_disk)

    # A rebuild onto a new disk: rebuild started and finished, member and group recovered.
    def rebuild():
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"]
        t.remove_member("md1", "sdb1")
        t.member("md1", "sdg1", "spare", 1)
        t.put("sys/block/md1/md/sync_completed", "%d / %d\n" % (SECTORS // 8, SECTORS))
        t.put("sys/block/md1/md/sync_action", "recover\n")
        t.mdstat(MD1_RECOVERY, MD3_OK)
        rs = p.wait(lambda: p.event("rebuild_started", "md:md1", after=last), "rebuild_started event")
        out = []
        for route, tr in wait_routes(p, "redmonRebuildStarted", since,
                                     lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == rs["seq"],
                                     "md1 recovery").items():
            for k, v in (("redmonGroupActivity.%s" % gi1, ACTIVITY["recovery"]),
                         ("redmonGroupProgress.%s" % gi1, 125)):
                if tr["vars"].get("REDMON-MIB::" + k) != v:
                    out.append("redmonRebuildStarted (%s): %s is %r, expected %r" % (
                        route, k, tr["vars"].get("REDMON-MIB::" + k), v))
        last = p.read_events()[-1]["seq"]
        t.put("sys/block/md1/md/dev-sdg1/state", "in_sync\n")
        t.put("sys/block/md1/md/sync_action", "idle\n")
        t.put("sys/block/md1/md/sync_completed", "none\n")
        t.put("sys/block/md1/md/degraded", "0\n")
        t.mdstat(MD1_RESTORED, MD3_OK)
        hc = p.wait(lambda: p.event("health_changed", "md:md1", after=last), "health_changed event")
        rf = p.wait(lambda: p.event("rebuild_finished", "md:md1", after=last), "rebuild_finished event")
        mc = p.wait(lambda: p.event("member_changed", "md:md1", "sdg1", after=last), "member_changed event")
        for notif, ev in (("redmonGroupRecovered", hc), ("redmonRebuildFinished", rf),
                          ("redmonMemberRecovered", mc)):
            got = wait_routes(p, notif, since,
                              lambda x, s=ev["seq"]: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == s, "md1")
            if notif == "redmonGroupRecovered":
                for route, tr in got.items():
                    out += check_group_trap(tr, gi1, "md:md1", "md1", "raid1", HEALTH["critical"],
                                            HEALTH["ok"], 0, 1, hc["seq"])
            if notif == "redmonRebuildFinished":
                for route, tr in got.items():
                    if tr["vars"].get("REDMON-MIB::redmonNotifPrevActivity.0") != ACTIVITY["recovery"]:
                        out.append("redmonRebuildFinished (%s): previous activity %r" % (
                            route, tr["vars"].get("REDMON-MIB::redmonNotifPrevActivity.0")))
        w2 = p.walk()
        if alarms(w2):
            out.append("alarm rows left after recovery: %s" % alarms(w2))
        out += compare_with_status(p, w2)
        return out
    rep.run(NAME + "rebuild-recovers-and-clears-alarm", rebuild)

    # The master restarts: walk again within the ping interval; what happened meanwhile arrives.
    def master_restart():
        out = []
        rc = p.stop(p.snmpd)
        if rc is None:
            return ["snmpd did not stop on SIGTERM"]
        p.wait(lambda: "lost the AgentX master" in p.daemon_log(), "the daemon noticing")
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"]
        t.put("sys/block/md3/md/dev-sde1/state", "faulty\n")
        t.put("sys/block/md3/md/degraded", "1\n")
        t.unlink("sys/block/md3/md/rd2")
        t.mdstat(MD1_RESTORED, MD3_FAILED)
        hc = p.wait(lambda: p.event("health_changed", "md:md3", after=last), "health_changed md3")
        mc = p.wait(lambda: p.event("member_changed", "md:md3", "sde1", after=last), "member_changed md3")
        # The direct routes do not wait for the master.
        p.wait(lambda: any(x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == hc["seq"]
                           for x in p.traps_of("redmonGroupDegraded", since, "v3 trap")),
               "redmonGroupDegraded by v3 trap while snmpd is down")
        if p.traps_of("redmonGroupDegraded", since, "v2c via master"):
            out.append("a notification through the master while it was down")
        t0 = time.monotonic()
        p.start_snmpd()
        p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonGroupId.%s" % gi1], check=False),
               "REDMON-MIB back through snmpd", timeout=5)
        took = time.monotonic() - t0
        state["reconnect"] = took
        if took > 2.5:
            out.append("walkable again %.1fs after snmpd restarted (ping interval 1s)" % took)
        got = p.wait(lambda: [x for x in p.traps_of("redmonGroupDegraded", since, "v2c via master")
                              if x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == hc["seq"]],
                     "the queued redmonGroupDegraded through the master")
        p.wait(lambda: [x for x in p.traps_of("redmonMemberFailed", since, "v2c via master")
                        if x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == mc["seq"]],
               "the queued redmonMemberFailed through the master")
        order = [x["vars"].get("REDMON-MIB::redmonNotifSeq.0") for x in p.read_traps()[since:]
                 if x["route"] == "v2c via master" and x["oid"] in (
                     "REDMON-MIB::redmonGroupDegraded", "REDMON-MIB::redmonMemberFailed")]
        if order != sorted(order):
            out.append("queued notifications out of order: %s" % order)
        gi3 = group_index(p.walk(), "md:md3")
        out += check_group_trap(got[0], gi3, "md:md3", "md3", "raid6", HEALTH["ok"], HEALTH["degraded"],
                                2, 1, hc["seq"])
        return out
    rep.run(NAME + "master-restart", master_restart)
    if "reconnect" in state:
        print("  | snmpd restart -> REDMON-MIB walkable again after %.2fs" % state["reconnect"])

    def heartbeat():
        p.wait(lambda: len({x["route"] for x in p.traps_of("redmonHeartbeat")} & set(ROUTES)) == len(ROUTES),
               "redmonHeartbeat on every route")
        hb = p.traps_of("redmonHeartbeat", route="v2c direct")[-1]
        if hb["vars"].get("REDMON-MIB::redmonGroupCount.0") != 2:
            return ["heartbeat redmonGroupCount.0 %r" % hb["vars"].get("REDMON-MIB::redmonGroupCount.0")]
        return []
    rep.run(NAME + "heartbeat", heartbeat)

    # Indexes survive a restart of the daemon, with a group added that sorts first.
    def stable_indexes():
        before = p.walk()
        ids = {v: idx for (o, idx), v in before.items() if o == "redmonGroupId"}
        members = {(before[("redmonGroupId", idx.split(".")[0])], v): idx
                   for (o, idx), v in before.items() if o == "redmonMemberName"}
        rc = p.stop(p.daemon)
        if rc != 0:
            return ["daemon exit %r on SIGTERM" % rc]
        t.mdstat(MD0_OK, MD1_RESTORED, MD3_FAILED)
        t.array("md0", "raid1", ["sdi1", "sdh1"])
        p.start_daemon()
        p.wait(lambda: ("redmonGroupId" in p.client("snmpbulkwalk", ["REDMON-MIB::redmonGroupId"], check=False)
                        and "md:md0" in p.client("snmpbulkwalk", ["REDMON-MIB::redmonGroupId"], check=False)),
               "the restarted daemon's rows")
        after = p.walk()
        p.walk_cache = after
        ids2 = {v: idx for (o, idx), v in after.items() if o == "redmonGroupId"}
        out = ["%s had index %s, now %s" % (g, i, ids2.get(g)) for g, i in ids.items() if ids2.get(g) != i]
        if ids2.get("md:md0") in ids.values():
            out.append("md:md0 got index %s, which was %s's" % (ids2["md:md0"], [
                g for g, i in ids.items() if i == ids2["md:md0"]]))
        members2 = {(after[("redmonGroupId", idx.split(".")[0])], v): idx
                    for (o, idx), v in after.items() if o == "redmonMemberName"}
        out += ["member %s had index %s, now %s" % (k, i, members2.get(k))
                for k, i in members.items() if members2.get(k) != i]
        out += compare_with_status(p, after)
        return out
    rep.run(NAME + "stable-indexes-across-restart", stable_indexes)

    # A reload with a bad [snmp] is refused whole; the running one keeps serving.
    def reload_bad_config():
        with open(p.conf, "a") as f:
            f.write("trap_v2c = 127.0.0.1:%d\n" % p.trap_port)  # no community
        mark = len(p.daemon_log())
        p.daemon.send_signal(signal.SIGHUP)
        p.wait(lambda: "reload failed" in p.daemon_log()[mark:], "the refused reload")
        out = [] if "trap_v2c" in p.daemon_log()[mark:] else [
            "the log does not say what is wrong: %r" % harness.tail(p.daemon_log()[mark:])]
        if "md:md0" not in p.client("snmpget", ["REDMON-MIB::redmonGroupId.3"]):
            out.append("not serving after the refused reload")
        p.write_conf()
        return out
    rep.run(NAME + "reload-bad-snmp-config", reload_bad_config)

    def clean_exit():
        rc = p.stop(p.daemon)
        log = p.daemon_log()
        out = [] if rc == 0 else ["exit %r on SIGTERM" % rc]
        bad = [l for l in log.splitlines() if (": error:" in l and "reload failed" not in l)
               or "netsnmp_assert" in l]
        if bad:
            out.append("errors in the log: %s" % bad[:3])
        return out
    rep.run(NAME + "clean-exit", clean_exit)

    # No master at all: notifications go straight to the direct targets.
    def no_master():
        since = len(p.read_traps())
        conf = os.path.join(p.tmp, "nomaster.conf")
        with open(conf, "w") as f:
            f.write("[snmp]\nenabled = yes\nagentx_socket = none\nstate_file = %s\n"
                    "trap_v2c = 127.0.0.1:%d direct\n" % (os.path.join(p.tmp, "snmp-index"), p.trap_port))
        d = p.spawn([os.path.join(p.build, "redmon"), "daemon", "--root", t.root, "--plugin-dir",
                     os.path.join(p.tmp, "plugins"), "-c", conf, "-o", "sink.x.type=json",
                     "-o", "sink.x.path=/dev/null"], "nomaster.log", harness.test_env())
        p.daemon = d
        try:
            # md3 is degraded since the master-restart case: reported at start.
            tr = p.wait(lambda: p.traps_of("redmonGroupDegraded", since, "v2c direct"), "the direct trap")
        finally:
            rc = p.stop(d)
        out = [] if rc == 0 else ["exit %r" % rc]
        if tr[0]["vars"].get("REDMON-MIB::redmonGroupId.%s" % group_index(p.walk_cache, "md:md3")) != "md:md3":
            out.append("trap %s" % tr[0]["raw"][:300])
        return out
    rep.run(NAME + "no-master-direct-targets", no_master)

    def bad_config_refused():
        out = []
        for bad, word in ((["-o", "snmp.trap_v2c=127.0.0.1"], "trap_v2c"),
                          (["-o", "snmp.inform_v3=127.0.0.1", "-o", "snmp.v3_user=u"], "password"),
                          (["-o", "snmp.v3_engine_id=0x12"], "v3_engine_id")):
            r = subprocess.run([os.path.join(p.build, "redmon"), "daemon", "--root", t.root,
                                "--plugin-dir", os.path.join(p.tmp, "plugins"), "-o", "snmp.enabled=yes",
                                "-o", "snmp.agentx_socket=none",
                                "-o", "snmp.state_file=" + os.path.join(p.tmp, "x-index")] + bad,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                               timeout=10, env=harness.test_env())
            if r.returncode == 0 or word not in r.stdout:
                out.append("%s: exit %d, %r" % (" ".join(bad), r.returncode, harness.tail(r.stdout)))
        return out
    rep.run(NAME + "bad-config-refused", bad_config_refused)


if __name__ == "__main__":
    main()

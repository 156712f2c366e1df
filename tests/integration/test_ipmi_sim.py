#!/usr/bin/env python3
"""The ipmi probe against a real BMC simulator (OpenIPMI's ipmi_sim) over IPMI 2.0 LAN.

ipmi_sim runs on free loopback ports with two Power Supply sensors (type 08h,
sensor-specific) and a Power Unit redundancy sensor (type 09h, reading type 0Bh),
as in shared/recipes/RECIPES.md section 2, and three fans: tachometers (type 04h,
threshold, Full Sensor Records so freeipmi decodes RPM; lower critical 500 RPM,
lower non-critical 1000 RPM), a presence sensor for FAN3 and a Fan Redundancy
sensor (type 04h, reading type 0Bh).  `redmon daemon` watches it through
the ipmi probe (driver = lan) with a JSON Lines sink, and an md tree under
--root.  Through the simulator's console the test flips PSU2 to failed, to
input lost, pulls it, restores it, then makes the redundancy sensor disagree
with the supplies (a vendor quirk), and checks the group and the events after
each step.  The fan group goes through the same: a fan stops (the group turns
critical, the BMC's redundancy state then agrees and the reason says so), a
slow fan (a warning), a pulled fan (stays counted, missing), restored; a mere
speed change is no event.  Then it stops the simulator: the group must turn unknown with a
probe_failed event within poll_interval + timeout, while the md probe keeps
answering; a restarted simulator brings probe_recovered.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness
from harness import TestError

POLL = "300ms"
TIMEOUT_S = 2.0
STEP_TIMEOUT = 6.0
GROUP = "ipmi:PSU Redundancy"
FANS = "ipmi:Fan Redundancy"

# Sensor numbers in the emulation.
PSU1, PSU2, RED = 0x10, 0x11, 0x12
FAN1, FAN2, FAN3, FAN3_PRESENT, FAN_RED = 0x20, 0x21, 0x22, 0x23, 0x24
# Tachometer raw values: RPM = 100 * raw (M = 100 in the Full Sensor Record).
RPM_OK, LOWER_CRIT, LOWER_NONCRIT = 60, 5, 10


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def compact_sdr(rec_id, num, entity, inst, stype, ertype, mask, name):
    """A Compact Sensor Record (SDR type 02h, IPMI 2.0 table 43-2)."""
    nb = name.encode()
    body = [0x20, 0x00, num, entity, inst, 0x63, 0x40, stype, ertype,
            mask & 0xff, mask >> 8, mask & 0xff, mask >> 8, mask & 0xff, mask >> 8,
            0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0 | len(nb)] + list(nb)
    return [rec_id & 0xff, rec_id >> 8, 0x51, 0x02, len(body)] + body


def full_sdr(rec_id, num, entity, inst, name):
    """A Full Sensor Record (SDR type 01h, IPMI 2.0 table 43-1) of a fan tachometer:
    sensor type 04h, threshold (01h), unsigned, RPM (unit 18), linear, M = 100."""
    nb = name.encode()
    body = [0x20, 0x00, num, entity, inst, 0x63, 0x44, 0x04, 0x01,
            0, 0, 0, 0, 0x03, 0x03,     # event masks; lower critical and non-critical readable
            0x00, 18, 0,                # units: unsigned, RPM
            0x00, 100, 0, 0, 0, 0, 0,   # linear, M = 100, B = 0, accuracy, exponents 0
            0x00,                       # analog characteristics
            RPM_OK, 0xff, 0,            # nominal, normal max, normal min
            0xff, 0,                    # sensor max, min
            0, 0, 0, 0, LOWER_CRIT, LOWER_NONCRIT,
            0, 0, 0, 0, 0,              # hysteresis, reserved, OEM
            0xc0 | len(nb)] + list(nb)
    return [rec_id & 0xff, rec_id >> 8, 0x51, 0x01, len(body)] + body


def write_sim_config(d, lan_port, console_port):
    sensors = [(PSU1, 0x08, 0x6f, 0x0a, 1, 0x00ff, "PSU1 Status"),
               (PSU2, 0x08, 0x6f, 0x0a, 2, 0x00ff, "PSU2 Status"),
               (RED, 0x09, 0x0b, 0x13, 1, 0x00ff, "PSU Redundancy"),
               (FAN3_PRESENT, 0x04, 0x08, 0x1d, 3, 0x0003, "FAN3 Presence"),
               (FAN_RED, 0x04, 0x0b, 0x1e, 1, 0x00ff, "Fan Redundancy")]
    tachs = [(FAN1, 1, "FAN1"), (FAN2, 2, "FAN2"), (FAN3, 3, "FAN3")]
    lines = ["mc_setbmc 0x20",
             "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02",
             "sel_enable 0x20 1000 0x0a",
             "sensor_add 0x20 0 0 35 0x6f event-only",
             "sensor_set_event_support 0x20 0 0 enable scanning per-state "
             "000000000001111 000000000000000 000000000001111 000000000000000"]
    for num, st, ert, *_ in sensors:
        lines.append("sensor_add 0x20 0 0x%02x 0x%02x 0x%02x" % (num, st, ert))
        lines.append("sensor_set_event_support 0x20 0 0x%02x enable scanning per-state "
                     "000000011111111 000000011111111 000000011111111 000000011111111" % num)
    for num, *_ in sensors:
        # Offset 0 (presence, fully redundant), but a presence sensor's is "present".
        lines.append("sensor_set_bit_clr_rest 0x20 0 0x%02x %d 1 0" % (num, 1 if num == FAN3_PRESENT else 0))
    for num, _, _ in tachs:
        # Thresholds (readable) lower critical and non-critical, then a turning fan.
        lines.append("sensor_add 0x20 0 0x%02x 0x04 0x01" % num)
        lines.append("sensor_set_threshold 0x20 0 0x%02x readable 000011 0 0 0 0 %d %d"
                     % (num, LOWER_CRIT, LOWER_NONCRIT))
        lines.append("sensor_set_event_support 0x20 0 0x%02x enable scanning per-state "
                     "000000000000000 000000000000000 000000000000000 000000000000000" % num)
        lines.append("sensor_set_value 0x20 0 0x%02x %d 0" % (num, RPM_OK))
    for i, (num, st, ert, ent, inst, mask, name) in enumerate(sensors, 1):
        lines.append("main_sdr_add 0x20 " + " ".join(
            "0x%02x" % b for b in compact_sdr(i, num, ent, inst, st, ert, mask, name)))
    for i, (num, inst, name) in enumerate(tachs, len(sensors) + 1):
        lines.append("main_sdr_add 0x20 " + " ".join(
            "0x%02x" % b for b in full_sdr(i, num, 0x1d, inst, name)))
    lines.append("mc_enable 0x20")
    with open(os.path.join(d, "sim.emu"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(d, "lan.conf"), "w") as f:
        f.write("""name "rmsim"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 %d
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  user 1 true  ""        "test" user  10 none md2 md5 straight
  user 2 true  "ipmiusr" "test" admin 10 none md2 md5 straight
console 127.0.0.1 %d
""" % (lan_port, console_port))
    pw = os.path.join(d, "bmc.pw")
    fd = os.open(pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"test\n")
    os.close(fd)
    return pw


def listening(proto, port):
    """Is 127.0.0.1:port bound (udp) or listening (tcp)?  From /proc/net: no ss needed."""
    want = "0100007F:%04X" % port
    with open("/proc/net/" + proto) as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if cols[1] == want and (proto == "udp" or cols[3] == "0A"):
                return True
    return False


class Sim:
    """ipmi_sim on loopback, started and stopped by PID."""

    def __init__(self, d, lan_port, console_port):
        self.d, self.lan_port, self.console_port = d, lan_port, console_port
        self.proc = None

    def start(self):
        state = os.path.join(self.d, "state")
        os.makedirs(state, exist_ok=True)
        self.log = open(os.path.join(self.d, "sim.log"), "ab")
        self.proc = subprocess.Popen(
            ["ipmi_sim", "-c", os.path.join(self.d, "lan.conf"), "-f", os.path.join(self.d, "sim.emu"),
             "-s", state, "-n"], stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            # ipmi_sim dies of SIGPIPE when a console client leaves while it
            # writes; Python ignores SIGPIPE and the child inherits that.
            restore_signals=False)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise TestError("ipmi_sim exited %d: %s" % (self.proc.returncode, self.tail()))
            if listening("udp", self.lan_port) and listening("tcp", self.console_port):
                return
            time.sleep(0.02)
        raise TestError("ipmi_sim console did not come up: %s" % self.tail())

    def tail(self):
        try:
            with open(os.path.join(self.d, "sim.log"), errors="replace") as f:
                return harness.tail(f.read())
        except OSError:
            return ""

    def cmd(self, *cmds):
        """Send console commands (ipmi_sim_cmd(5)); each reply is drained."""
        s = socket.create_connection(("127.0.0.1", self.console_port), timeout=2)
        try:
            self._drain(s)
            for c in cmds:
                s.sendall(c.encode() + b"\n")
                self._drain(s)
        finally:
            s.close()

    @staticmethod
    def _drain(s, t=0.15):
        s.settimeout(t)
        try:
            while s.recv(4096):
                pass
        except socket.timeout:
            pass

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None


class Daemon:
    def __init__(self, build, root, events, args):
        self.events_path = events
        self.argv = [os.path.join(build, "redmon"), "daemon", "--root", root,
                     "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                     "-o", "daemon.rescan_interval=1h"] + args
        self.proc = None
        self.err = None
        self.seen = 0

    def start(self):
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.err, env=harness.test_env())

    def stderr(self):
        if not self.err:
            return ""
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")

    def read_events(self):
        return harness.json_lines(self.events_path)

    def wait_for(self, want, timeout=STEP_TIMEOUT):
        """Wait until every predicate in want matched a new event (in any order
        within the step); return the step's new events."""
        deadline = time.time() + timeout
        while True:
            evs = self.read_events()
            new = evs[self.seen:]
            left = list(want)
            for ev in new:
                for w in left:
                    if w(ev):
                        left.remove(w)
                        break
            if not left:
                self.seen = len(evs)
                return new
            if self.proc.poll() is not None:
                raise TestError("daemon exited %d: %s" % (self.proc.returncode, harness.tail(self.stderr())))
            if time.time() > deadline:
                raise TestError("after %.1fs still waiting for %d event(s); new events: %s"
                                % (timeout, len(left), [short(e) for e in new]))
            time.sleep(0.02)

    def quiet(self, seconds):
        """No new event for `seconds`; returns any that came."""
        time.sleep(seconds)
        evs = self.read_events()
        new = evs[self.seen:]
        self.seen = len(evs)
        return new

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestError("daemon did not stop on SIGTERM within 10 s")
        rc = self.proc.returncode if self.proc else 0
        self.proc = None
        err = self.stderr()
        if any(m in err for m in harness.SAN_MARKERS):
            raise TestError("sanitizer report: %s" % harness.tail(err, 12))
        return rc


def short(ev):
    g = ev.get("group") or {}
    m = ev.get("member") or {}
    s = "%s %s" % (ev.get("event"), g.get("id") or ev.get("probe"))
    if m:
        s += " %s %s->%s" % (m.get("name"), m.get("previous_role"), m.get("role"))
    if g:
        s += " [%s m=%s]" % (g.get("health"), g.get("margin"))
    return s


def ev_health(health, margin, gid=GROUP):
    return lambda e: (e.get("event") == "health_changed" and (e.get("group") or {}).get("id") == gid
                      and e["group"].get("health") == health and e["group"].get("margin") == margin)


def ev_member(name, prev, role, gid=GROUP):
    return lambda e: (e.get("event") == "member_changed" and (e.get("group") or {}).get("id") == gid
                      and (e.get("member") or {}).get("name") == name
                      and e["member"].get("previous_role") == prev and e["member"].get("role") == role)


def ev_appeared(health, gid=GROUP):
    return lambda e: (e.get("event") == "group_appeared" and (e.get("group") or {}).get("id") == gid
                      and e["group"].get("health") == health)


def last_group(evs, gid=GROUP):
    for e in reversed(evs):
        g = e.get("group") or {}
        if g.get("id") == gid:
            return g
    return None


def member(g, name):
    for m in g.get("members", []):
        if m.get("name") == name:
            return m
    raise TestError("member %s not in %s" % (name, [m.get("name") for m in g.get("members", [])]))


def expect(cond, what):
    if not cond:
        raise TestError(what)


MDSTAT_OK = """Personalities : [raid1]
md0 : active raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]

unused devices: <none>
"""
MDSTAT_FAILED = MDSTAT_OK.replace("sdb1[1] sda1[0]", "sdb1[1](F) sda1[0]").replace("[2/2] [UU]", "[2/1] [U_]")


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    for tool in ("ipmi_sim",):
        if not shutil.which(tool):
            rep.skip("ipmi/sim", "%s not installed (apt-get install openipmi)" % tool)
            rep.exit()
    exe = os.path.join(args.build, "redmon")
    if not os.path.exists(os.path.join(args.build, "plugins", "ipmi.so")):
        rep.fail("ipmi/sim", "%s/plugins/ipmi.so is not built" % args.build)
        rep.exit()

    d = tempfile.mkdtemp(prefix="rm-ipmi-")
    lan_port, console_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    pw = write_sim_config(d, lan_port, console_port)
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "proc"))
    with open(os.path.join(root, "proc", "mdstat"), "w") as f:
        f.write(MDSTAT_OK)
    ipmi_opts = ["-o", "probe.ipmi.driver=lan", "-o", "probe.ipmi.host=127.0.0.1:%d" % lan_port,
                 "-o", "probe.ipmi.username=ipmiusr", "-o", "probe.ipmi.password_file=" + pw,
                 "-o", "probe.ipmi.privilege=user", "-o", "probe.ipmi.workaround_flags=opensesspriv",
                 "-o", "probe.ipmi.poll_interval=" + POLL, "-o", "probe.ipmi.timeout=%ds" % TIMEOUT_S]
    sim = Sim(d, lan_port, console_port)
    # -v -v: the probe logs each scan of a published poll ("N PSU/fan sensors").
    daemon = Daemon(args.build, root, os.path.join(d, "events.jsonl"), ipmi_opts + ["-v", "-v"])
    redmon = harness.Redmon(args.build)
    latencies = []

    def flip(*cmds):
        t = time.time()
        sim.cmd(*cmds)
        return t

    def note_latency(t0, evs, gid=GROUP):
        ts = [harness_time(e) for e in evs if (e.get("group") or {}).get("id") == gid]
        if ts:
            latencies.append(min(ts) - t0)

    try:
        def start():
            sim.start()
            # One-shot status against the simulator first: the synchronous path.
            p = redmon.run(["status", "--json", "--root", root] + ipmi_opts)
            doc = json.loads(p.stdout)
            g = [x for x in doc["groups"] if x["id"] == GROUP]
            expect(g, "status shows no %s: %s" % (GROUP, [x["id"] for x in doc["groups"]]))
            g = g[0]
            out = harness.group_problems(g, GROUP)
            for k, v in (("kind", "psu"), ("type", "1+1"), ("health", "ok"), ("margin", 1),
                         ("margin_nominal", 1), ("members_total", 2), ("members_ok", 2)):
                if g.get(k) != v:
                    out.append("status %s = %r, expected %r" % (k, g.get(k), v))
            # The fan group beside it: three fans, the BMC's redundancy state gives N.
            f = [x for x in doc["groups"] if x["id"] == FANS]
            expect(f, "status shows no %s: %s" % (FANS, [x["id"] for x in doc["groups"]]))
            f = f[0]
            out += harness.group_problems(f, FANS)
            for k, v in (("kind", "fan"), ("type", "2+1"), ("health", "ok"), ("margin", 1),
                         ("members_total", 3), ("members_ok", 3), ("reason", None)):
                if f.get(k) != v:
                    out.append("status fans %s = %r, expected %r" % (k, f.get(k), v))
            if "Device Present" not in (member(f, "FAN3").get("state") or ""):
                out.append("FAN3 state %r: its presence sensor not joined" % member(f, "FAN3").get("state"))
            daemon.start()
            evs = daemon.wait_for([ev_appeared("ok"), ev_appeared("ok", FANS)])
            g = last_group(evs)
            expect([m["role"] for m in g["members"]] == ["active", "active"], "members %s" % g["members"])
            return out
        rep.run("ipmi/sim/start-ok", start)

        def failed():
            t0 = flip("sensor_set_bit 0x20 0 0x11 1 1 1", "sensor_set_bit_clr_rest 0x20 0 0x12 1 1 1")
            evs = daemon.wait_for([ev_health("critical", 0), ev_member("PSU2 Status", "active", "failed")])
            note_latency(t0, evs)
            g = last_group(evs)
            m = member(g, "PSU2 Status")
            expect("Power Supply Failure detected" in (m.get("state") or ""), "PSU2 state %r" % m.get("state"))
            expect("failure detected" in (g.get("reason") or ""), "reason %r" % g.get("reason"))
            expect(g["members_total"] == 2 and g["members_ok"] == 1 and g["members_failed"] == 1,
                   "counts %s/%s/%s" % (g["members_total"], g["members_ok"], g["members_failed"]))
            return []
        rep.run("ipmi/sim/psu2-failed", failed)

        def input_lost():
            # Set input lost before clearing failure: the supply never looks fine in between.
            t0 = flip("sensor_set_bit 0x20 0 0x11 3 1 1", "sensor_set_bit 0x20 0 0x11 1 0 1")
            # Role (failed) and margin (0) stay; the member's state changes, and
            # that alone is an event: failed -> failed with the new state.
            evs = daemon.wait_for([lambda e: e.get("event") == "member_changed"
                                   and (e.get("member") or {}).get("name") == "PSU2 Status"
                                   and e["member"].get("previous_role") == "failed"
                                   and e["member"].get("role") == "failed"
                                   and "input lost" in (e["member"].get("state") or "")])
            note_latency(t0, evs)
            bad = [short(e) for e in evs if e.get("event") == "health_changed"]
            g = last_group(evs)
            m = member(g, "PSU2 Status")
            out = ["health must not change: %s" % bad] if bad else []
            if m.get("role") != "failed" or "input lost (AC/DC)" not in (m.get("state") or ""):
                out.append("PSU2 %s %r" % (m.get("role"), m.get("state")))
            if "input lost" not in (g.get("reason") or "") or g.get("margin") != 0:
                out.append("group margin %r reason %r" % (g.get("margin"), g.get("reason")))
            return out
        rep.run("ipmi/sim/psu2-input-lost", input_lost)

        def pulled():
            t0 = flip("sensor_set_bit 0x20 0 0x11 0 0 1", "sensor_set_bit 0x20 0 0x11 3 0 1")
            evs = daemon.wait_for([ev_member("PSU2 Status", "failed", "missing")])
            note_latency(t0, evs)
            g = last_group(evs)
            out = []
            if (g["members_total"], g["members_ok"], g["members_failed"], g["margin"], g["health"]) != \
                    (2, 1, 0, 0, "critical"):
                out.append("pulled: total/ok/failed/margin/health %s" % (
                    (g["members_total"], g["members_ok"], g["members_failed"], g["margin"], g["health"]),))
            if "not present" not in (member(g, "PSU2 Status").get("reason") or ""):
                out.append("PSU2 reason %r" % member(g, "PSU2 Status").get("reason"))
            return out
        rep.run("ipmi/sim/psu2-pulled-counts-missing", pulled)

        def restored():
            t0 = flip("sensor_set_bit_clr_rest 0x20 0 0x11 0 1 1", "sensor_set_bit_clr_rest 0x20 0 0x12 0 1 1")
            evs = daemon.wait_for([ev_member("PSU2 Status", "missing", "active"), ev_health("ok", 1)])
            note_latency(t0, evs)
            g = last_group(evs)
            expect(g.get("reason") is None, "reason after restore %r" % g.get("reason"))
            return []
        rep.run("ipmi/sim/psu2-restored", restored)

        def disagree():
            # Vendor quirk: the supplies still read "Presence detected" but the BMC's
            # redundancy sensor knows better.  The worse wins, and the reason says so.
            flip("sensor_set_bit_clr_rest 0x20 0 0x12 1 1 1")
            evs = daemon.wait_for([ev_health("critical", 0)])
            g = last_group(evs)
            out = []
            if "reporting the worse" not in (g.get("reason") or ""):
                out.append("reason %r" % g.get("reason"))
            flip("sensor_set_bit_clr_rest 0x20 0 0x12 0 1 1")
            daemon.wait_for([ev_health("ok", 1)])
            return out
        rep.run("ipmi/sim/redundancy-sensor-disagrees", disagree)

        def predictive():
            flip("sensor_set_bit 0x20 0 0x10 2 1 1")
            # A predictive failure is an event (member reason) while the margin stays.
            evs = daemon.wait_for([lambda e: e.get("event") == "member_changed"
                                   and (e.get("member") or {}).get("name") == "PSU1 Status"
                                   and e["member"].get("role") == "active"])
            bad = [short(e) for e in evs if e.get("event") == "health_changed"]
            g = last_group(evs)
            out = ["margin must not change: %s" % bad] if bad else []
            m = member(g, "PSU1 Status")
            if g["margin"] != 1 or m.get("role") != "active" or "predictive failure" not in (m.get("reason") or ""):
                out.append("predictive: margin %r PSU1 %s reason %r" % (g["margin"], m.get("role"), m.get("reason")))
            if "predictive failure" not in (g.get("reason") or ""):
                out.append("group reason %r" % g.get("reason"))
            flip("sensor_set_bit 0x20 0 0x10 2 0 1")
            return out
        rep.run("ipmi/sim/predictive-failure-keeps-margin", predictive)

        def fan_redundancy_lost():
            # The BMC reports fan redundancy lost while every fan turns: the worse wins.
            t0 = flip("sensor_set_bit_clr_rest 0x20 0 0x%02x 1 1 1" % FAN_RED)
            evs = daemon.wait_for([ev_health("critical", 0, FANS)])
            note_latency(t0, evs, FANS)
            g = last_group(evs, FANS)
            reason = g.get("reason") or ""
            expect("Fan Redundancy reads redundancy lost but the fan sensors show 3 of 3" in reason,
                   "reason %r" % reason)
            # Then a fan stops: the two agree, the reason names both.
            t0 = flip("sensor_set_value 0x20 0 0x%02x 0 1" % FAN2)
            evs = daemon.wait_for([ev_member("FAN2", "active", "failed", FANS)])
            note_latency(t0, evs, FANS)
            g = last_group(evs, FANS)
            out = []
            reason = g.get("reason") or ""
            if "Fan Redundancy: redundancy lost" not in reason or "FAN2: stopped (0 RPM)" not in reason:
                out.append("agreeing reason %r" % reason)
            if (g["health"], g["margin"], g["members_failed"]) != ("critical", 0, 1):
                out.append("health/margin/failed %s" % ((g["health"], g["margin"], g["members_failed"]),))
            if "Lower Critical" not in (member(g, "FAN2").get("state") or ""):
                out.append("FAN2 state %r" % member(g, "FAN2").get("state"))
            return out
        rep.run("ipmi/sim/fan-redundancy-lost-then-fan-stops", fan_redundancy_lost)

        def fan_restored():
            t0 = flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN2, RPM_OK),
                      "sensor_set_bit_clr_rest 0x20 0 0x%02x 0 1 1" % FAN_RED)
            evs = daemon.wait_for([ev_member("FAN2", "failed", "active", FANS), ev_health("ok", 1, FANS)])
            note_latency(t0, evs, FANS)
            g = last_group(evs, FANS)
            return [] if g.get("reason") is None else ["reason after restore %r" % g.get("reason")]
        rep.run("ipmi/sim/fan-restored", fan_restored)

        def fan_stops_bmc_silent():
            # The BMC still says fully redundant: the fan sensors win, and the reason says so.
            flip("sensor_set_value 0x20 0 0x%02x 0 1" % FAN1)
            evs = daemon.wait_for([ev_health("critical", 0, FANS), ev_member("FAN1", "active", "failed", FANS)])
            g = last_group(evs, FANS)
            out = []
            if "reporting the worse" not in (g.get("reason") or ""):
                out.append("reason %r" % g.get("reason"))
            flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN1, RPM_OK))
            daemon.wait_for([ev_health("ok", 1, FANS)])
            return out
        rep.run("ipmi/sim/fan-stops-redundancy-sensor-silent", fan_stops_bmc_silent)

        def fan_slow_and_speed():
            # Below lower non-critical: a warning on the member, the margin stays.
            flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN1, LOWER_NONCRIT - 2))
            evs = daemon.wait_for([lambda e: e.get("event") == "member_changed"
                                   and (e.get("group") or {}).get("id") == FANS
                                   and (e.get("member") or {}).get("name") == "FAN1"
                                   and e["member"].get("role") == "active"])
            out = ["health changed: %s" % short(e) for e in evs if e.get("event") == "health_changed"]
            m = member(last_group(evs, FANS), "FAN1")
            if "below the lower non-critical threshold" not in (m.get("reason") or ""):
                out.append("slow FAN1 reason %r" % m.get("reason"))
            flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN1, RPM_OK))
            daemon.wait_for([lambda e: e.get("event") == "member_changed"
                             and (e.get("member") or {}).get("name") == "FAN1"
                             and not e["member"].get("reason")])
            # A speed change alone is no news: not published (no rescan), no event.
            scans = daemon.stderr().count("PSU/fan sensors")
            flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN1, RPM_OK + 3),
                 "sensor_set_value 0x20 0 0x%02x %d 1" % (FAN2, RPM_OK - 4))
            noise = [short(e) for e in daemon.quiet(1.0) if (e.get("group") or {}).get("id") == FANS]
            if noise:
                out.append("a speed change made events: %s" % noise)
            if scans == 0 or daemon.stderr().count("PSU/fan sensors") != scans:
                out.append("a speed change was published: scans %d -> %d"
                           % (scans, daemon.stderr().count("PSU/fan sensors")))
            return out
        rep.run("ipmi/sim/fan-slow-warns-speed-is-no-event", fan_slow_and_speed)

        def fan_pulled():
            # FAN3 pulled: its presence sensor says absent, its tachometer reads 0.
            flip("sensor_set_bit_clr_rest 0x20 0 0x%02x 0 1 1" % FAN3_PRESENT,
                 "sensor_set_value 0x20 0 0x%02x 0 1" % FAN3)
            evs = daemon.wait_for([ev_member("FAN3", "active", "missing", FANS), ev_health("critical", 0, FANS)])
            g = last_group(evs, FANS)
            out = []
            if (g["members_total"], g["members_ok"], g["members_failed"]) != (3, 2, 0):
                out.append("pulled: total/ok/failed %s" % ((g["members_total"], g["members_ok"], g["members_failed"]),))
            if "not present" not in (member(g, "FAN3").get("reason") or ""):
                out.append("FAN3 reason %r" % member(g, "FAN3").get("reason"))
            # Turning first, then present: the fan never looks stopped in between.
            flip("sensor_set_value 0x20 0 0x%02x %d 1" % (FAN3, RPM_OK),
                 "sensor_set_bit_clr_rest 0x20 0 0x%02x 1 1 1" % FAN3_PRESENT)
            daemon.wait_for([ev_member("FAN3", "missing", "active", FANS), ev_health("ok", 1, FANS)])
            return out
        rep.run("ipmi/sim/fan-pulled-stays-counted", fan_pulled)

        def sim_stopped():
            t0 = time.time()
            sim.stop()
            limit = 0.3 + TIMEOUT_S + 2.0
            evs = daemon.wait_for([
                lambda e: e.get("event") == "probe_failed" and e.get("probe") == "ipmi",
                lambda e: (e.get("event") == "health_changed" and (e.get("group") or {}).get("id") == GROUP
                           and e["group"].get("health") == "unknown")], timeout=limit + 2)
            took = max(harness_time(e) for e in evs) - t0
            out = []
            pf = [e for e in evs if e.get("event") == "probe_failed"][0]
            if "did not answer" not in (pf.get("error") or ""):
                out.append("probe_failed error %r" % pf.get("error"))
            if took > limit:
                out.append("unknown after %.2fs, limit %.2fs" % (took, limit))
            print("info: BMC stop -> probe_failed + unknown in %.2fs" % took)
            # The md probe still answers while the BMC is down.
            path = os.path.join(root, "proc", "mdstat")
            with open(path + ".tmp", "w") as f:
                f.write(MDSTAT_FAILED)
            os.rename(path + ".tmp", path)
            daemon.wait_for([lambda e: (e.get("event") == "health_changed"
                                        and (e.get("group") or {}).get("id") == "md:md0")], timeout=3)
            return out
        rep.run("ipmi/sim/bmc-down-unknown-md-answers", sim_stopped)

        def recovered():
            sim.start()
            daemon.wait_for([lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "ipmi",
                             ev_health("ok", 1)], timeout=TIMEOUT_S * 3 + 3)
            return []
        rep.run("ipmi/sim/bmc-back-recovered", recovered)

        def stop():
            t = time.time()
            rc = daemon.stop()
            took = time.time() - t
            out = [] if rc == 0 else ["daemon exited %d: %s" % (rc, harness.tail(daemon.stderr()))]
            if took > TIMEOUT_S + 2:
                out.append("SIGTERM took %.1fs" % took)
            return out
        rep.run("ipmi/sim/daemon-stops", stop)
        if latencies:
            print("info: sim flip -> JSON event latency: %s s" % ", ".join("%.3f" % x for x in latencies))
    finally:
        if daemon.proc:
            try:
                daemon.stop()
            except TestError:
                pass
        sim.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept", d)
    rep.exit()


def harness_time(ev):
    import datetime
    return datetime.datetime.strptime(ev["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


if __name__ == "__main__":
    main()

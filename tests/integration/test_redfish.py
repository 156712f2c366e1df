#!/usr/bin/env python3
"""The redfish probe against a live HTTPS Redfish service on loopback.

tests/integration/redfish_server.py serves a copy of the corpus case
dmtf-tower-psu-warning-volumes over HTTPS on 127.0.0.1 (a self-signed
certificate it makes with openssl; the probe's ca_file points at it), with
session login and Basic.  `redmon daemon` watches it with
`[probe.redfish] url = https://127.0.0.1:PORT` and a JSON Lines sink, and an
md tree under --root.  Checked, in order: the groups appear (and
`redmon status` shows them in one shot, logging in and out); a PSU fails (its
served files rewritten mid-run) -> health_changed and member_changed; the
service answers 503, then hangs -> probe_failed, the groups unknown, while md
keeps answering; it recovers -> probe_recovered, groups back; a redirect to
localhost is never followed, with or without a session; `redmon check` exit
codes; with libcurl made unloadable (a mount namespace where it is
/dev/null) the plugin, which links no libcurl, turns the BMC's groups
unknown with the loader's reason while md answers; the daemon logs out at
exit; the password is in no output.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from harness import TestError

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(harness.CORPUS, "redfish", "dmtf-tower-psu-warning-volumes")
CHASSIS = "/redfish/v1/Chassis/Tower"
PSU = "redfish:Chassis/Tower:psu"
VOLUME = "redfish:Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes/Secondary"
SESSIONS = "/redfish/v1/SessionService/Sessions"
USER, PASSWORD = "monitor", "Cr0wbar-never-in-a-log"
INTERVAL = "1s"
TIMEOUT_S = 1
STEP_TIMEOUT = 8.0

MDSTAT_OK = """Personalities : [raid1]
md0 : active raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]

unused devices: <none>
"""
MDSTAT_FAILED = MDSTAT_OK.replace("sdb1[1] sda1[0]", "sdb1[1](F) sda1[0]").replace("[2/2] [UU]", "[2/1] [U_]")


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


class Server:
    """redfish_server.py on loopback, started and stopped by PID."""

    def __init__(self, d, tree):
        self.d, self.tree = d, tree
        self.proc = None
        self.port = None

    def start(self):
        pw = os.path.join(self.d, "server.pw")
        write_atomic(pw, PASSWORD + "\n")
        self.log = open(os.path.join(self.d, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "redfish_server.py"), "--tree", self.tree,
             "--dir", self.d, "--user", USER, "--password-file", pw],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        port = os.path.join(self.d, "port")
        while not os.path.exists(port):
            if self.proc.poll() is not None or time.time() > deadline:
                raise TestError("redfish_server.py did not start: %s" % self.tail())
            time.sleep(0.02)
        with open(port) as f:
            self.port = int(f.read())

    def tail(self):
        try:
            with open(os.path.join(self.d, "server.log"), errors="replace") as f:
                return harness.tail(f.read())
        except OSError:
            return ""

    def faults(self, doc):
        write_atomic(os.path.join(self.d, "faults.json"), json.dumps(doc))

    def requests(self):
        try:
            with open(os.path.join(self.d, "requests.jsonl")) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        # A line still being written (the server appends as we read) is left for next time.
        return [json.loads(l) for l in text.split("\n")[:-1] if l.strip()]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


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

    def events(self):
        return harness.json_lines(self.events_path)

    def wait_for(self, want, timeout=STEP_TIMEOUT):
        """Wait until each predicate of want matched a new event; the step's new events."""
        deadline = time.time() + timeout
        while True:
            evs = self.events()
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


def ev_group(event, gid, health=None):
    return lambda e: (e.get("event") == event and (e.get("group") or {}).get("id") == gid
                      and (health is None or e["group"].get("health") == health))


def ev_probe(event):
    return lambda e: e.get("event") == event and e.get("probe") == "redfish"


def expect(cond, what):
    if not cond:
        raise TestError(what)


def set_psu_health(tree, health):
    """Bay2 in both views of the chassis (PowerSubsystem and the legacy Power)."""
    bay2 = os.path.join(tree, CHASSIS.lstrip("/"), "PowerSubsystem", "PowerSupplies", "Bay2", "index.json")
    with open(bay2) as f:
        doc = json.load(f)
    doc["Status"]["Health"] = health
    write_atomic(bay2, json.dumps(doc, indent=4))
    power = os.path.join(tree, CHASSIS.lstrip("/"), "Power", "index.json")
    with open(power) as f:
        doc = json.load(f)
    doc["PowerSupplies"][1]["Status"]["Health"] = health
    write_atomic(power, json.dumps(doc, indent=4))


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not shutil.which("openssl"):
        rep.skip("redfish/live", "openssl not installed")
        rep.exit()
    if not os.path.exists(os.path.join(args.build, "plugins", "redfish.so")):
        rep.fail("redfish/live", "%s/plugins/redfish.so is not built" % args.build)
        rep.exit()

    d = tempfile.mkdtemp(prefix="rm-rf-")
    tree = os.path.join(d, "tree")
    shutil.copytree(CASE, tree)
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "proc"))
    write_atomic(os.path.join(root, "proc", "mdstat"), MDSTAT_OK)
    pw = os.path.join(d, "probe.pw")
    fd = os.open(pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, (PASSWORD + "\n").encode())
    os.close(fd)
    server = Server(d, tree)
    redmon = harness.Redmon(args.build)
    daemon = None
    outputs = []  # every text redmon printed: none may hold the password

    try:
        server.start()
        opts = ["-o", "probe.redfish.url=https://127.0.0.1:%d" % server.port,
                "-o", "probe.redfish.username=" + USER, "-o", "probe.redfish.password_file=" + pw,
                "-o", "probe.redfish.ca_file=" + os.path.join(d, "cert.pem"),
                "-o", "probe.redfish.interval=" + INTERVAL, "-o", "probe.redfish.timeout=%ds" % TIMEOUT_S]
        daemon = Daemon(args.build, root, os.path.join(d, "events.jsonl"), opts)

        def status_once():
            p = redmon.run(["status", "--json", "--root", root] + opts)
            outputs.extend([p.stdout, p.stderr])
            expect(p.returncode == 0, "status exited %d: %s" % (p.returncode, harness.tail(p.stderr)))
            ids = {g["id"]: g for g in json.loads(p.stdout)["groups"]}
            out = []
            for gid in (PSU, VOLUME, "md:md0"):
                if gid not in ids:
                    out.append("status shows no %s: %s" % (gid, sorted(ids)))
            if PSU in ids:
                out += harness.group_problems(ids[PSU], PSU)
                if ids[PSU]["health"] != "ok" or ids[PSU]["members_total"] != 2:
                    out.append("PSU set %s/%s" % (ids[PSU]["health"], ids[PSU]["members_total"]))
            reqs = server.requests()
            logins = [r for r in reqs if r["method"] == "POST" and r["path"] == SESSIONS and r["status"] == 201]
            logouts = [r for r in reqs if r["method"] == "DELETE" and r["path"].startswith(SESSIONS + "/")
                       and r["status"] == 204]
            if len(logins) != 1 or len(logouts) != 1:
                out.append("one-shot status: %d logins, %d logouts (want 1 and 1)" % (len(logins), len(logouts)))
            if len({r["port"] for r in reqs}) != 1:
                out.append("one-shot status used %d connections, want 1 (keep-alive)"
                           % len({r["port"] for r in reqs}))
            print("info: one walk of the tower mockup: %d requests" % len(reqs))
            return out
        rep.run("redfish/live/status-one-shot", status_once)

        def appear():
            before = len(server.requests())
            daemon.start()
            daemon.wait_for([ev_group("group_appeared", PSU, "ok"), ev_group("group_appeared", VOLUME),
                             ev_group("group_appeared", "md:md0", "ok")])
            # Walks every second: one login, one connection kept across them.
            time.sleep(2.5)
            reqs = server.requests()[before:]
            logins = [r for r in reqs if r["method"] == "POST"]
            walks = len([r for r in reqs if r["path"] in ("/redfish/v1", "/redfish/v1/")])
            out = []
            if walks < 3 or len(logins) != 1 or len({r["port"] for r in reqs}) != 1:
                out.append("%d walks, %d logins, %d connections (want >= 3, 1, 1)"
                           % (walks, len(logins), len({r["port"] for r in reqs})))
            return out
        rep.run("redfish/live/groups-appear", appear)

        def psu_fails():
            set_psu_health(tree, "Critical")
            evs = daemon.wait_for([ev_group("health_changed", PSU),
                                   lambda e: (e.get("event") == "member_changed"
                                              and (e.get("group") or {}).get("id") == PSU
                                              and (e.get("member") or {}).get("role") == "failed")])
            g = [e["group"] for e in evs if (e.get("group") or {}).get("id") == PSU][-1]
            out = []
            if g["health"] not in ("critical", "degraded") or g["members_failed"] != 1 or g["margin"] != 0:
                out.append("after the failure: %s failed %s margin %s" % (g["health"], g["members_failed"],
                                                                          g["margin"]))
            set_psu_health(tree, "OK")
            daemon.wait_for([ev_group("health_changed", PSU, "ok")])
            return out
        rep.run("redfish/live/psu-fails-and-recovers", psu_fails)

        def service_down(fault):
            def step():
                server.faults({"all": fault, "hang_s": 5})
                t0 = time.time()
                evs = daemon.wait_for([ev_probe("probe_failed"), ev_group("health_changed", PSU, "unknown")],
                                      timeout=STEP_TIMEOUT + TIMEOUT_S * 3)
                took = time.time() - t0
                pf = [e for e in evs if e.get("event") == "probe_failed"][0]
                out = []
                want = "HTTP 503" if fault == "503" else "no answer within"
                if want not in (pf.get("error") or ""):
                    out.append("probe_failed error %r, want %r in it" % (pf.get("error"), want))
                print("info: service %s -> probe_failed + unknown in %.2fs" % (fault, took))
                # md keeps answering while the BMC does not.
                write_atomic(os.path.join(root, "proc", "mdstat"), MDSTAT_FAILED)
                daemon.wait_for([ev_group("health_changed", "md:md0")], timeout=3)
                write_atomic(os.path.join(root, "proc", "mdstat"), MDSTAT_OK)
                daemon.wait_for([ev_group("health_changed", "md:md0", "ok")], timeout=3)
                # Recovery.
                server.faults({})
                daemon.wait_for([ev_probe("probe_recovered"), ev_group("health_changed", PSU, "ok")],
                                timeout=STEP_TIMEOUT + 6)
                return out
            return step
        rep.run("redfish/live/503-probe-failed-md-answers", service_down("503"))
        rep.run("redfish/live/hang-probe-failed-md-answers", service_down("hang"))

        def redirect():
            out = []
            # The whole service moves to localhost: no request ever reaches it.
            server.faults({"all": "redirect"})
            evs = daemon.wait_for([ev_probe("probe_failed")], timeout=STEP_TIMEOUT)
            pf = [e for e in evs if e.get("event") == "probe_failed"][0]
            if "not followed" not in (pf.get("error") or ""):
                out.append("probe_failed error %r" % pf.get("error"))
            server.faults({})
            daemon.wait_for([ev_probe("probe_recovered")], timeout=STEP_TIMEOUT)
            # A service without SessionService (Basic: the credentials in every
            # request) whose Chassis collection is redirected, in one shot.
            server.faults({"no_sessions": 405, "paths": {"/redfish/v1/Chassis": "redirect"}})
            p = redmon.run(["status", "--json", "--root", root] + opts)
            outputs.extend([p.stdout, p.stderr])
            server.faults({})
            reqs = server.requests()
            basic = [r for r in reqs if r["auth"] == "basic" and r["status"] == 302]
            if not basic:
                out.append("no Basic request was redirected: %s" % reqs[-5:])
            to_localhost = [r for r in reqs if "localhost" in (r.get("host") or "")]
            if to_localhost:
                out.append("requests followed the redirect: %s" % to_localhost[:3])
            return out
        rep.run("redfish/live/redirect-never-followed", redirect)

        def check_codes():
            out = []
            p = redmon.run(["check", "--root", root] + opts)
            outputs.extend([p.stdout, p.stderr])
            s = redmon.run(["status", "--json", "--root", root] + opts)
            want = harness.nagios_code(json.loads(s.stdout)["groups"])
            if p.returncode != want:
                out.append("check exited %d, status says %d: %s" % (p.returncode, want, p.stdout[:300]))
            server.faults({"all": "503"})
            p = redmon.run(["check", "--root", root] + opts)
            outputs.extend([p.stdout, p.stderr])
            if p.returncode != 3:
                out.append("check with the BMC answering 503 exited %d, want 3 (UNKNOWN): %s"
                           % (p.returncode, p.stdout[:300]))
            server.faults({})
            return out
        rep.run("redfish/live/check-exit-codes", check_codes)

        def no_libcurl():
            p = harness.without_libcurl([redmon.exe, "status", "--json", "--root", root] + opts)
            outputs.extend([p.stdout, p.stderr])
            if p.returncode < 0 or any(m in p.stderr for m in harness.SAN_MARKERS):
                return ["status without libcurl: exit %d %s" % (p.returncode, harness.tail(p.stderr))]
            try:
                doc = json.loads(p.stdout)
            except ValueError:
                return ["status without libcurl: exit %d, no JSON: %r %s"
                        % (p.returncode, p.stdout[:200], harness.tail(p.stderr))]
            out = []
            text = json.dumps(doc)
            if "libcurl.so.4 not found: " not in text:
                out.append("no 'libcurl.so.4 not found' reason in status: %s %s" % (text[:600], p.stderr[-300:]))
            ids = {g["id"]: g for g in doc["groups"]}
            if ids.get("md:md0", {}).get("health") != "ok":
                out.append("md did not answer without libcurl: %s" % sorted(ids))
            if any(g["id"].startswith("redfish:") and g["health"] != "unknown" for g in doc["groups"]):
                out.append("a redfish group is not unknown without libcurl: %s" % text[:600])
            print("info: status without libcurl: exit %d; %s" % (p.returncode, harness.tail(p.stderr, 2)))
            c = harness.without_libcurl([redmon.exe, "check", "--root", root] + opts)
            outputs.extend([c.stdout, c.stderr])
            if c.returncode != 3 or "libcurl.so.4 not found: " not in c.stdout + c.stderr:
                out.append("check without libcurl: exit %d (want 3, UNKNOWN) %r %s"
                           % (c.returncode, c.stdout[:300], harness.tail(c.stderr)))
            return out

        if harness.without_libcurl(["true"]) is None:
            rep.skip("redfish/live/no-libcurl-unknown-with-reason", "no user and mount namespace here")
        else:
            rep.run("redfish/live/no-libcurl-unknown-with-reason", no_libcurl)

        def stop():
            before = len(server.requests())
            rc = daemon.stop()
            outputs.append(daemon.stderr())
            out = [] if rc == 0 else ["daemon exited %d: %s" % (rc, harness.tail(daemon.stderr()))]
            reqs = server.requests()[before:]
            if not any(r["method"] == "DELETE" and r["status"] == 204 for r in reqs):
                out.append("no logout at exit: %s" % reqs[-3:])
            return out
        rep.run("redfish/live/daemon-stops-logs-out", stop)

        def no_password():
            texts = outputs + [json.dumps(daemon.events())]
            return ["the password is in an output"] if any(PASSWORD in t for t in texts) else []
        rep.run("redfish/live/password-in-no-output", no_password)
    finally:
        if daemon and daemon.proc:
            try:
                daemon.stop()
            except TestError:
                pass
        server.stop()
        if not os.environ.get("KEEP"):
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept", d)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Alertmanager keeps redmon's alerts firing as long as the trouble lasts, on every URL.

Two real Alertmanagers (prometheus-alertmanager, 127.0.0.1, a resolve_timeout of
3 s, no gossip) and an HTTP receiver (tests/integration/http_receiver.py) are the
three URLs of one webhook sink with format = alertmanager and resend_interval =
1s.  redmon runs on the fake probe with its state in the test's directory.

* A critical array stays active in both Alertmanagers long past resolve_timeout
  (with remind = once), startsAt the time the group turned critical, a stable
  summary, a description naming the failed member.
* One Alertmanager stops: the other keeps receiving, and the stopped one's spool
  does not grow with re-sends.  Started again, it gets the alert back.
* redmon restarts: the re-sends keep startsAt (from the state file).
* A critical group vanishes: the event is critical (a min_severity = warning
  sink hears it) and its alert keeps firing, across a restart of redmon too,
  until the group comes back.
* A healthy group its [group.ID] requires vanishes: its alert fires critical,
  saying it is gone, until it comes back.
* The array is fixed: the alert resolves in both Alertmanagers.
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
import urllib.request

import harness
from alerts_harness import Daemon, Events, Tree, has, ini, parse_time, raid1, wait_until
from harness import TestError
from http_receiver import Receiver

NAME = "integration/alertmanager/"
RESOLVE = 3  # Alertmanager's resolve_timeout, seconds
AM = shutil.which("prometheus-alertmanager")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Alertmanager:
    """One prometheus-alertmanager on 127.0.0.1, stopped by PID; restartable on its port."""

    def __init__(self, tmp, name):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.conf = os.path.join(self.dir, "am.yml")
        with open(self.conf, "w") as f:
            f.write('global:\n  resolve_timeout: %ds\nroute:\n  receiver: "null"\n'
                    'receivers:\n- name: "null"\n' % RESOLVE)
        self.port = free_port()
        self.proc = None
        self.log = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/api/v2/alerts" % self.port

    def start(self):
        self.log = open(os.path.join(self.dir, "am.log"), "a")
        self.proc = subprocess.Popen([AM, "--config.file=" + self.conf,
                                      "--storage.path=" + os.path.join(self.dir, "data"),
                                      "--web.listen-address=127.0.0.1:%d" % self.port,
                                      "--cluster.listen-address="],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port, timeout=1):
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise TestError("alertmanager did not start (exit %s)" % self.proc.poll())
            time.sleep(0.1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log:
            self.log.close()
            self.log = None

    def alerts(self):
        """Alerts active now (endsAt in the future), of RedmonGroupUnhealthy."""
        with urllib.request.urlopen(self.url + "?active=true", timeout=5) as r:
            got = json.load(r)
        now = time.time()
        return [a for a in got if a["labels"].get("alertname") == "RedmonGroupUnhealthy"
                and parse_time(a["endsAt"]) > now]

    def firing(self, group, severity=None):
        return [a for a in self.alerts() if a["labels"].get("group") == group
                and (severity is None or a["labels"].get("severity") == severity)]


def spool_entries(path):
    try:
        return sorted(f for f in os.listdir(path) if f.endswith(".alert"))
    except FileNotFoundError:
        return []


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not AM:
        rep.skip(NAME + "all", "prometheus-alertmanager is not installed")
        rep.exit()
    tmp = tempfile.mkdtemp(prefix="rm-am-")
    am1, am2 = Alertmanager(tmp, "am1"), Alertmanager(tmp, "am2")
    rx = Receiver(tmp)
    d = None
    try:
        am1.start()
        am2.start()
        rx.start()
        tree = Tree(tmp)
        tree.set(raid1("md0", failed=True), ("md1", 1, 1, [("sdc", "active"), ("sdd", "active")]))
        events = Events(os.path.join(tmp, "events.jsonl"))
        warn = Events(os.path.join(tmp, "warnings.jsonl"))
        state = os.path.join(tmp, "state")
        conf = ini({
            "daemon": {"state_dir": state, "rescan_interval": "100ms"},
            "sink.am": {"type": "webhook", "format": "alertmanager",
                        "url": " ".join([am1.url, am2.url, rx.url]), "resend_interval": "1s",
                        "retry_initial": "100ms", "retry_max": "500ms", "timeout": "2s",
                        "labels": "dc=ams1, team=storage", "instance": "db-7.ams1"},
            "sink.log": {"type": "json", "path": events.path},
            "sink.warn": {"type": "json", "path": warn.path, "min_severity": "warning"},
            "group.fake:md1": {"required": "yes"},
        })
        d = Daemon(args.build, tmp, conf).start()
        evs = events.wait_for(lambda e: has(e, "group_appeared", "critical"), "md0 critical", d)
        began = [e for e in evs if e["event"] == "group_appeared"
                 and e["group"]["id"] == "fake:md0"][0]["time"]

        def stays_firing():
            time.sleep(RESOLVE + 3)
            out = []
            for name, am in (("am1", am1), ("am2", am2)):
                got = am.firing("fake:md0", "critical")
                if len(got) != 1:
                    out.append("%s: want fake:md0 critical active %ds after resolve_timeout, got %s"
                               % (name, RESOLVE + 3, am.alerts()))
                    continue
                a = got[0]
                if abs(parse_time(a["startsAt"]) - parse_time(began)) > 0.01:
                    out.append("%s: startsAt %s, the group turned critical at %s"
                               % (name, a["startsAt"], began))
                if a["annotations"].get("summary") != "fake:md0 (raid1) is critical":
                    out.append("%s: summary %r" % (name, a["annotations"].get("summary")))
                if "sdb" not in a["annotations"].get("description", ""):
                    out.append("%s: description without the failed member: %r"
                               % (name, a["annotations"].get("description")))
            return out
        rep.run(NAME + "critical-stays-active-past-resolve-timeout", stays_firing)

        def routing_labels():
            # The sink's static labels and instance reach Alertmanager on every alert.
            got = am1.firing("fake:md0", "critical")
            if not got:
                return ["no fake:md0 alert in am1: %s" % am1.alerts()]
            labels = got[0]["labels"]
            want = {"dc": "ams1", "team": "storage", "instance": "db-7.ams1",
                    "alertname": "RedmonGroupUnhealthy", "group": "fake:md0"}
            return ["label %s: want %r, got %r" % (k, v, labels.get(k))
                    for k, v in sorted(want.items()) if labels.get(k) != v]
        rep.run(NAME + "routing-labels-and-instance", routing_labels)

        spool2 = os.path.join(state, "spool", "am", "url2")

        def one_down():
            am2.stop()
            before = spool_entries(spool2)
            n = len([r for r in rx.requests()])
            time.sleep(RESOLVE + 3)
            out = []
            if not am1.firing("fake:md0", "critical"):
                out.append("am1 lost the alert while am2 was down: %s" % am1.alerts())
            if len(rx.requests()) < n + 3:
                out.append("the third URL got %d re-sends in %ds" % (len(rx.requests()) - n,
                                                                     RESOLVE + 3))
            after = spool_entries(spool2)
            if len(after) > len(before):
                out.append("the down target's spool grew with re-sends: %s -> %s"
                           % (before, after))
            if not os.path.isdir(spool2):
                out.append("no spool of its own for the second URL (%s)" % spool2)
            am2.start()
            try:
                wait_until(lambda: am2.firing("fake:md0", "critical"), "am2 to get the alert back",
                           timeout=10, daemon=d)
            except TestError as e:
                out.append(str(e))
            return out
        rep.run(NAME + "one-down-the-other-keeps-receiving", one_down)

        def restart_keeps_starts():
            if d.stop() != 0:
                return ["daemon exit code not 0"]
            d.start()
            n = len(rx.requests())
            reqs = rx.wait_for(lambda r: len(r) > n + 1, 10)
            if reqs is None:
                return ["no re-send after the restart"]
            for r in reqs[n:]:
                for a in json.loads(r["body"]):
                    if a["labels"].get("group") == "fake:md0" and "endsAt" in a and \
                            parse_time(a["endsAt"]) > r["time"]:
                        if abs(parse_time(a["startsAt"]) - parse_time(began)) > 0.01:
                            return ["after a restart startsAt is %s, not %s" % (a["startsAt"], began)]
                        return []
            return ["no firing fake:md0 in the posts after the restart: %s" % reqs[n:]]
        rep.run(NAME + "restart-keeps-startsAt", restart_keeps_starts)

        def vanished_keeps_firing():
            tree.set(raid1("md0", failed=True), ("md1", 0, 1, [("sdc", "active"), ("sdd", "failed")]))
            events.wait_for(lambda e: has(e, "health_changed", "critical"), "md1 critical", d)
            tree.set(raid1("md0", failed=True))
            evs = events.wait_for(lambda e: has(e, "group_vanished"), "md1 vanished", d)
            out = []
            van = [e for e in evs if e["event"] == "group_vanished"][-1]
            if van["severity"] != "critical":
                out.append("group_vanished of a critical group has severity %s" % van["severity"])
            try:
                warn.wait_for(lambda e: has(e, "group_vanished"), "vanished on the warning sink", d)
            except TestError as e:
                out.append(str(e))
            # Nothing but the sink remembers a vanished group: across a restart too.
            if d.stop() != 0:
                out.append("daemon exit code not 0")
            d.start()
            time.sleep(RESOLVE + 3)
            for name, am in (("am1", am1), ("am2", am2)):
                got = am.firing("fake:md1", "critical")
                if len(got) != 1:
                    out.append("%s: the vanished md1 does not fire %ds later: %s"
                               % (name, RESOLVE + 3, am.alerts()))
                elif "gone" not in got[0]["annotations"].get("summary", ""):
                    out.append("%s: summary %r does not say it is gone"
                               % (name, got[0]["annotations"].get("summary")))
            tree.set(raid1("md0", failed=True), ("md1", 1, 1, [("sdc", "active"), ("sdd", "active")]))
            events.wait_for(lambda e: has(e[-3:], "group_appeared", "ok"), "md1 back, ok", d)
            try:
                for name, am in (("am1", am1), ("am2", am2)):
                    wait_until(lambda: not am.firing("fake:md1"), "%s: md1 resolved" % name,
                               timeout=10, daemon=d)
            except TestError as e:
                out.append(str(e))
            return out
        rep.run(NAME + "vanished-while-critical-keeps-firing", vanished_keeps_firing)

        def required_vanished_fires():
            tree.set(raid1("md0", failed=True))
            evs = events.wait_for(lambda e: has(e, "group_vanished"), "md1 vanished", d)
            van = [e for e in evs if e["event"] == "group_vanished"][-1]
            out = []
            if van["severity"] != "critical" or van.get("required") is not True:
                out.append("group_vanished of a required ok group: severity %s, required %r"
                           % (van["severity"], van.get("required")))
            for name, am in (("am1", am1), ("am2", am2)):
                try:
                    wait_until(lambda: am.firing("fake:md1", "critical"),
                               "%s: the required md1 firing critical" % name, timeout=10, daemon=d)
                except TestError as e:
                    out.append("%s; active: %s" % (e, am.alerts()))
            tree.set(raid1("md0", failed=True), ("md1", 1, 1, [("sdc", "active"), ("sdd", "active")]))
            events.wait_for(lambda e: has(e[-3:], "group_appeared", "ok"), "md1 back, ok", d)
            try:
                for name, am in (("am1", am1), ("am2", am2)):
                    wait_until(lambda: not am.firing("fake:md1"), "%s: md1 resolved" % name,
                               timeout=10, daemon=d)
            except TestError as e:
                out.append(str(e))
            return out
        rep.run(NAME + "required-group-vanished-fires-critical", required_vanished_fires)

        def fixed_resolves():
            tree.set(raid1("md0"), ("md1", 1, 1, [("sdc", "active"), ("sdd", "active")]))
            events.wait_for(lambda e: has(e, "health_changed", "ok"), "md0 ok", d)
            out = []
            for name, am in (("am1", am1), ("am2", am2)):
                try:
                    wait_until(lambda: not am.firing("fake:md0"), "%s: md0 resolved" % name,
                               timeout=5, daemon=d)
                except TestError as e:
                    out.append("%s; active: %s" % (e, am.alerts()))
            return out
        rep.run(NAME + "fixed-array-resolves-everywhere", fixed_resolves)

        rc = d.stop()
        rep.check(NAME + "clean-stop", [] if rc == 0 else ["exit code %s" % rc])
        rep.check(NAME + "sanitizers", d.sanitizer_problems())
        d = None
    except TestError as e:
        rep.fail(NAME + "setup", e)
    finally:
        if d:
            d.kill()
        am1.stop()
        am2.stop()
        rx.stop()
        if rep.failed:
            print("kept %s for inspection" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

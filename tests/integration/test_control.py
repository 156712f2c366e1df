#!/usr/bin/env python3
"""The control socket: status and check ask the running daemon; ack, maintenance and forget.

redmon runs on the fake probe with [daemon] socket in a temporary directory.
`redmon status` and `check` without --scan answer from the daemon's view (its
damping: a recovery the daemon holds back is still critical there, while a scan
of its own sees ok); with no daemon they say so and scan.  A monitoring user in
the socket's group reads the view without root and may not change anything.
`ack` stops the reminders of a group until it changes; `maintenance` holds the
alerts of a group (an exec hook hears nothing, the JSON file records everything)
until its end, which is announced; `forget` drops a group that vanished while not
ok and resolves it.  Marks survive a restart.  A client that sends garbage, too
much, or nothing, costs the daemon nothing.
"""

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time

import harness
from alerts_harness import Daemon, Events, Tree, check_schema, has, ini, raid1, wait_until
from harness import TestError
from http_receiver import Receiver

NAME = "integration/control/"
# md2 with both disks failed: health failed.
MD2_FAILED = ("md2", -1, 1, [("sda", "failed"), ("sdb", "failed")])


def redmon(build, conf, *args, user=None, timeout=20):
    """build/redmon ARGS -c conf, asking the daemon (no --root, no --plugin-dir)."""
    argv = [os.path.join(build, "redmon")] + list(args) + ["-c", conf]
    if user:
        argv = ["setpriv"] + user + ["--"] + argv
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=harness.test_env(), timeout=timeout, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    return p


def status_json(build, conf, **kw):
    p = redmon(build, conf, "status", "--json", **kw)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        raise TestError("status --json: not JSON (exit %d): %r %s" % (p.returncode, p.stdout[:200], p.stderr))


def firing_md0(request):
    """An Alertmanager POST with fake:md0's group alert firing (endsAt in the future)."""
    now = time.time()
    for a in json.loads(request["body"]):
        labels = a.get("labels", {})
        if labels.get("alertname") == "RedmonGroupUnhealthy" and labels.get("group") == "fake:md0":
            import datetime
            ends = datetime.datetime.strptime(a["endsAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            if ends > now:
                return True
    return False


def group(doc, gid):
    return next((g for g in doc["groups"] if g["id"] == gid), None)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-ctl-")
    # nobody must reach the socket and the config (mkdtemp makes 0700).
    os.chmod(tmp, 0o711)
    d = None
    rx = Receiver(tmp)
    try:
        rx.start()
        tree = Tree(tmp)
        tree.set(raid1("md0"), raid1("md1", failed=True), raid1("md2", failed=True))
        events = Events(os.path.join(tmp, "events.jsonl"))
        nag = Events(os.path.join(tmp, "nag.jsonl"))
        hook_out = os.path.join(tmp, "hook.txt")
        hook = os.path.join(tmp, "hook.sh")
        with open(hook, "w") as f:
            f.write('#!/bin/sh\necho "$REDMON_EVENT $REDMON_GROUP" >> %s\n' % hook_out)
        os.chmod(hook, stat.S_IRWXU)
        sock = os.path.join(tmp, "redmon.sock")
        conf = ini({
            # A recovery is believed after 1000 scans: the daemon's view keeps it critical.
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms",
                       "recovery_scans": "1000", "recovery_interval": "1h", "socket": sock,
                       "socket_group": "nogroup"},
            "sink.all": {"type": "json", "path": events.path},
            "sink.nag": {"type": "json", "path": nag.path, "remind": "1s", "min_severity": "warning"},
            "sink.hook": {"type": "exec", "command": hook},
            # Alertmanager's re-sends of every active alert must hold a group in maintenance too.
            "sink.am": {"type": "webhook", "format": "alertmanager", "url": rx.url,
                        "resend_interval": "200ms"},
        })
        d = Daemon(args.build, tmp, conf).start()
        os.chmod(d.conf, 0o644)
        events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
        wait_until(lambda: os.path.exists(sock), "the socket", daemon=d)

        def view_from_daemon():
            out = []
            doc, p = status_json(args.build, d.conf)
            if doc.get("source") != "daemon":
                out.append("status --json source %r (stderr %r)" % (doc.get("source"), p.stderr))
            if (group(doc, "fake:md1") or {}).get("health") != "critical":
                out.append("md1 in the daemon's view: %r" % group(doc, "fake:md1"))
            st = os.stat(sock)
            if stat.S_IMODE(st.st_mode) != 0o660:
                out.append("socket mode %o, want 660" % stat.S_IMODE(st.st_mode))
            # The daemon's damping: md1 repaired, a recovery held back for 1000 scans.
            tree.set(raid1("md0"), raid1("md1"), raid1("md2", failed=True))
            time.sleep(0.5)
            doc, _ = status_json(args.build, d.conf)
            if (group(doc, "fake:md1") or {}).get("health") != "critical":
                out.append("daemon's view after the repair: md1 %r, want still critical (damped)"
                           % (group(doc, "fake:md1") or {}).get("health"))
            p = d.run("status", ["--json", "--scan"])
            own = json.loads(p.stdout)
            if own.get("source") != "scan" or (group(own, "fake:md1") or {}).get("health") != "ok":
                out.append("status --scan: source %r, md1 %r" % (own.get("source"), group(own, "fake:md1")))
            p = redmon(args.build, d.conf, "check")
            if p.returncode != 2 or "fake:md1 critical" not in p.stdout:
                out.append("check from the daemon: exit %d, %r" % (p.returncode, p.stdout[:300]))
            p = redmon(args.build, d.conf, "check", "--expect", "fake:md9")
            if p.returncode != 2 or "expected group fake:md9 is gone" not in p.stdout:
                out.append("check --expect through the daemon: %d %r" % (p.returncode, p.stdout[:300]))
            p = redmon(args.build, d.conf, "status")
            if "the daemon's view" not in p.stderr or "fake:md1" not in p.stdout:
                out.append("status table: stderr %r, stdout %r" % (p.stderr, p.stdout[:200]))
            return out
        rep.run(NAME + "status-check-from-daemon", view_from_daemon)

        def monitoring_user():
            out = []
            # nobody with the socket's group: the daemon's view, no root.
            nobody = ["--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]
            p = redmon(args.build, d.conf, "check", user=nobody)
            if p.returncode != 2 or "fake:md1 critical" not in p.stdout or "scanning here" in p.stderr:
                out.append("check as nobody:nogroup: exit %d, %r, %r" % (p.returncode, p.stdout[:200], p.stderr))
            p = redmon(args.build, d.conf, "ack", "fake:md2", user=nobody)
            if p.returncode != 1 or "needs root" not in p.stderr:
                out.append("ack as nobody: exit %d, %r" % (p.returncode, p.stderr))
            # Outside the group: no answer, and it says it scans by itself.
            p = redmon(args.build, d.conf, "status", "--json",
                       user=["--reuid", "nobody", "--regid", "daemon", "--clear-groups"])
            if "Permission denied" not in p.stderr or "scanning here" not in p.stderr:
                out.append("status outside the group: stderr %r" % p.stderr)
            return out
        rep.run(NAME + "monitoring-user", monitoring_user)

        def ack_stops_reminders():
            out = []
            nag.wait_for(lambda e: any(x["event"] == "reminder" and x["group"]["id"] == "fake:md2"
                                       for x in e), "a reminder of md2", d, timeout=5)
            p = redmon(args.build, d.conf, "ack", "fake:md2", "--comment", "disk ordered\nticket 42")
            if p.returncode != 0:
                return ["ack: exit %d %r" % (p.returncode, p.stderr)]
            evs = events.wait_for(lambda e: has(e, "acknowledged"), "acknowledged", d)
            ack = [e for e in evs if e["event"] == "acknowledged"][-1]
            if ack.get("by") != "root" or (ack.get("acknowledged") or {}).get("comment") != "disk ordered ticket 42":
                out.append("acknowledged event: %r" % {k: ack.get(k) for k in ("by", "acknowledged")})
            n = len(nag.read())
            time.sleep(2.5)
            later = nag.read()[n:]
            md2 = [e for e in later if e["event"] == "reminder" and e["group"]["id"] == "fake:md2"]
            if md2:
                out.append("%d reminders of acknowledged md2" % len(md2))
            if not any(e["event"] == "reminder" and e["group"]["id"] == "fake:md1" for e in later):
                out.append("no reminder of md1 (not acknowledged) in 2.5 s: the walk stopped")
            doc, _ = status_json(args.build, d.conf)
            if (group(doc, "fake:md2") or {}).get("acknowledged", {}).get("by") != "root":
                out.append("status: md2 %r" % group(doc, "fake:md2"))
            p = redmon(args.build, d.conf, "status")
            if "acknowledged by root" not in p.stdout:
                out.append("status table has no acknowledgement: %r" % p.stdout)
            p = redmon(args.build, d.conf, "ack", "fake:md0")
            if p.returncode != 1 or "nothing to acknowledge" not in p.stderr:
                out.append("ack of an ok group: exit %d %r" % (p.returncode, p.stderr))
            # A change ends it: md2 loses its last disk.
            tree.set(raid1("md0"), raid1("md1"), MD2_FAILED)
            events.wait_for(lambda e: has(e, "health_changed", "failed"), "md2 failed", d)
            doc, _ = status_json(args.build, d.conf)
            if "acknowledged" in (group(doc, "fake:md2") or {}):
                out.append("still acknowledged after a change: %r" % group(doc, "fake:md2"))
            return out
        rep.run(NAME + "ack", ack_stops_reminders)

        def maintenance_holds():
            out = []
            p = redmon(args.build, d.conf, "maintenance", "fake:md0", "1h", "--comment", "swap sdb")
            if p.returncode != 0:
                return ["maintenance: exit %d %r" % (p.returncode, p.stderr)]
            wait_until(lambda: os.path.exists(hook_out) and "maintenance_started fake:md0" in open(hook_out).read(),
                       "the hook hears maintenance_started", daemon=d)
            n = len(events.read())
            tree.set(raid1("md0", failed=True), raid1("md1"), MD2_FAILED)
            evs = events.wait_for(lambda e: has(e, "health_changed", since=n), "md0 fails", d)
            hc = [e for e in evs[n:] if e["event"] == "health_changed"][0]
            if (hc.get("maintenance") or {}).get("by") != "root":
                out.append("health_changed in maintenance lacks it: %r" % hc.get("maintenance"))
            n_rx = len(rx.requests())
            time.sleep(1.0)  # five re-sends
            heard = open(hook_out).read()
            if "health_changed fake:md0" in heard:
                out.append("the hook heard md0 fail during its maintenance")
            if not rx.requests()[n_rx:]:
                out.append("no Alertmanager re-send in 1 s")
            if any(firing_md0(r) for r in rx.requests()[n_rx:]):
                out.append("Alertmanager was told md0 fires during its maintenance")
            p = redmon(args.build, d.conf, "maintenance", "fake:md0", "0")
            if p.returncode != 0:
                out.append("ending maintenance: exit %d %r" % (p.returncode, p.stderr))
            wait_until(lambda: "maintenance_ended fake:md0" in open(hook_out).read(),
                       "the hook hears maintenance_ended", daemon=d)
            if not rx.wait_for(lambda reqs: any(firing_md0(r) for r in reqs), 5):
                out.append("Alertmanager never told of md0 after its maintenance")
            end = [e for e in events.read() if e["event"] == "maintenance_ended"][-1]
            if end["severity"] != "critical":
                out.append("maintenance_ended of a failed group: severity %s" % end["severity"])
            p = redmon(args.build, d.conf, "maintenance", "fake:md0", "forever")
            if p.returncode != 2:
                out.append("maintenance forever: exit %d" % p.returncode)
            return out
        rep.run(NAME + "maintenance", maintenance_holds)

        def forget_vanished():
            out = []
            n = len(events.read())
            tree.set(raid1("md0", failed=True), raid1("md1"))  # md2 (critical) vanishes
            events.wait_for(lambda e: has(e, "group_vanished", since=n), "md2 vanishes", d)
            doc, _ = status_json(args.build, d.conf)
            if [v["id"] for v in doc.get("vanished", [])] != ["fake:md2"]:
                out.append("status vanished: %r" % doc.get("vanished"))
            p = redmon(args.build, d.conf, "status")
            if "vanished: fake:md2" not in p.stdout:
                out.append("status table: %r" % p.stdout)
            p = redmon(args.build, d.conf, "forget", "fake:md0")
            if p.returncode != 1 or "forget is for a group that vanished" not in p.stderr:
                out.append("forget of a present group: %d %r" % (p.returncode, p.stderr))
            p = redmon(args.build, d.conf, "forget", "fake:md2")
            if p.returncode != 0:
                out.append("forget: exit %d %r" % (p.returncode, p.stderr))
            events.wait_for(lambda e: has(e, "group_forgotten"), "group_forgotten", d)
            doc, _ = status_json(args.build, d.conf)
            if doc.get("vanished"):
                out.append("still vanished after forget: %r" % doc.get("vanished"))
            return out
        rep.run(NAME + "forget", forget_vanished)

        def marks_survive_restart():
            out = []
            p = redmon(args.build, d.conf, "ack", "fake:md0", "--comment", "kept")
            if p.returncode != 0:
                return ["ack md0: %d %r" % (p.returncode, p.stderr)]
            if d.stop() != 0:
                out.append("daemon stop failed")
            d.start()
            events.wait_for(lambda e: len(e) > 0, "events", d)
            wait_until(lambda: status_json(args.build, d.conf)[0].get("source") == "daemon",
                       "the restarted daemon answers", daemon=d)
            doc, _ = status_json(args.build, d.conf)
            ack = (group(doc, "fake:md0") or {}).get("acknowledged") or {}
            if ack.get("comment") != "kept":
                out.append("after a restart md0: %r" % group(doc, "fake:md0"))
            return out
        rep.run(NAME + "marks-survive-restart", marks_survive_restart)

        def hostile_clients():
            out = []
            silent = socket.socket(socket.AF_UNIX)
            silent.connect(sock)  # says nothing: must not hold up anybody
            t0 = time.monotonic()
            doc, _ = status_json(args.build, d.conf)
            if doc.get("source") != "daemon" or time.monotonic() - t0 > 3:
                out.append("status behind a silent client: %r after %.1fs" % (doc.get("source"), time.monotonic() - t0))
            for payload in (b"\xff\xfe not json\n", b"[1,2]\n", b'{"command": 5}\n',
                            b'{"command": "forget", "group": ["x"]}\n', b'{"command": "reboot"}\n'):
                c = socket.socket(socket.AF_UNIX)
                c.settimeout(5)
                c.connect(sock)
                c.sendall(payload)
                data = b""
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                c.close()
                try:
                    ans = json.loads(data)
                except ValueError:
                    out.append("%r: answer is not JSON: %r" % (payload, data[:100]))
                    continue
                if ans.get("exit") in (0, None):
                    out.append("%r: answered exit %r" % (payload, ans.get("exit")))
            big = socket.socket(socket.AF_UNIX)
            big.settimeout(5)
            big.connect(sock)
            try:
                big.sendall(b"{" * (200 << 10))
            except OSError:
                pass  # dropped while sending: what should happen
            big.close()
            silent.close()
            d.alive_or_raise()
            return out
        rep.run(NAME + "hostile-clients", hostile_clients)

        def no_daemon():
            d.stop()
            doc, p = status_json(args.build, d.conf)
            out = []
            if doc.get("source") != "scan" or "no daemon answers at %s" % sock not in p.stderr:
                out.append("no daemon: source %r, stderr %r" % (doc.get("source"), p.stderr))
            p = redmon(args.build, d.conf, "ack", "fake:md0")
            if p.returncode != 1 or "needs the running daemon" not in p.stderr:
                out.append("ack without daemon: %d %r" % (p.returncode, p.stderr))
            return out
        rep.run(NAME + "no-daemon", no_daemon)
        # Every event of the run (acknowledged, maintenance_*, group_forgotten, and the
        # marks on the others) against docs/alert.schema.json.
        check_schema(rep, NAME + "json-schema", events.read())
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            try:
                d.stop()
            except TestError:
                pass
            for p in d.sanitizer_problems():
                rep.fail(NAME + "sanitizer", p)
        rx.stop()
        if not os.environ.get("REDMON_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
    return rep.exit()


if __name__ == "__main__":
    raise SystemExit(main())

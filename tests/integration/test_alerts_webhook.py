#!/usr/bin/env python3
"""Webhook alerts survive a receiver outage and a SIGKILL of redmon, exactly once, in order.

A real HTTP receiver (tests/integration/http_receiver.py, 127.0.0.1, ephemeral
port) records every POST.  redmon runs on the fake probe with a webhook sink,
a JSON Lines sink (the reference list of events) and its state in the test's
directory.  The receiver goes down, three transitions happen (spooled), redmon
is killed with SIGKILL, a fourth transition happens while it is down, redmon
starts again, the receiver comes back: every event must arrive exactly once
(by idempotency key), in sequence order.  Then a 500 followed by 200 (retried),
the Alertmanager body, a token from header_file, and measured figures.
"""

import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time

import harness
from alerts_harness import check_schema, Daemon, Events, Tree, has, ini, parse_time, raid1, wait_until
from harness import TestError
from http_receiver import Receiver

NAME = "integration/alerts_webhook/"


def generic(reqs):
    """The generic-format requests (path /alert), parsed."""
    out = []
    for r in reqs:
        if r["path"] != "/alert":
            continue
        body = json.loads(r["body"])
        if r["headers"].get("idempotency-key") != body.get("idempotency_key"):
            raise TestError("header key %r != body key %r" % (r["headers"].get("idempotency-key"),
                                                              body.get("idempotency_key")))
        out.append(dict(body, _status=r["status"], _time=r["time"], _headers=r["headers"]))
    return out


def delivered(reqs):
    """Alerts the receiver accepted (2xx), in arrival order."""
    return [b for b in generic(reqs) if b["_status"] < 300]


def for_web(events):
    """The events meant for sink web: all but those about web itself."""
    return [e for e in events if not (e.get("sink") == "web" and e["event"] in
                                      ("sink_failed", "sink_recovered", "spool_overflow"))]


def saved_seq(tmp):
    try:
        with open(os.path.join(tmp, "state", "state.json")) as f:
            return json.load(f)["state"]["seq"]
    except (OSError, ValueError, KeyError):
        return None


def exactly_once_in_order(reqs, events):
    """Every event of the JSON sink meant for web delivered once, in order; nothing else."""
    got = delivered(reqs)
    keys = [b["idempotency_key"] for b in got]
    want = [e["idempotency_key"] for e in for_web(events)]
    problems = []
    dups = sorted(set(k for k in keys if keys.count(k) > 1))
    if dups:
        problems.append("delivered more than once: %s" % dups)
    missing = [k for k in want if k not in keys]
    if missing:
        problems.append("never delivered: %s" % missing)
    extra = [k for k in keys if k not in want]
    if extra:
        # What each one was, to tell a race of the test from a wrong delivery.
        what = ["%s (%s%s)" % (b["idempotency_key"], b.get("event"),
                               ", sink " + str(b["sink"]) if b.get("sink") else "")
                for b in got if b["idempotency_key"] in extra]
        problems.append("delivered but not in the event log: %s" % what)
    seqs = [b["seq"] for b in got]
    if seqs != sorted(seqs):
        problems.append("out of order: %s" % seqs)
    return problems


def wait_all_delivered(rx, events, timeout):
    """Wait until every event meant for web (the list re-read each time: sinks add their
    own) has been accepted and every POST is in the log; then check exactly once, in order."""
    def done(reqs):
        # The log is read after the requests: the JSON sink and the POST are two outputs
        # with no order between them, so a POST may land before its line is written.
        keys = set(b["idempotency_key"] for b in delivered(reqs))
        want = set(e["idempotency_key"] for e in for_web(events.read()))
        return want <= keys and keys <= want
    if rx.wait_for(done, timeout) is None:
        missing = [e["idempotency_key"] for e in for_web(events.read())
                   if e["idempotency_key"] not in set(b["idempotency_key"] for b in delivered(rx.requests()))]
        if missing:
            return ["after %ss not delivered: %s" % (timeout, missing)]
    return exactly_once_in_order(rx.requests(), events.read())


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-web-")
    rx = Receiver(tmp)
    d = None
    try:
        rx.start()
        tree = Tree(tmp)
        tree.set(raid1("md0"))
        events = Events(os.path.join(tmp, "events.jsonl"))
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write("# a token that never sits in the config\nAuthorization: Bearer s3cret\n")
        os.chmod(token, 0o600)
        conf = ini({
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms"},
            "sink.web": {"type": "webhook", "url": rx.url, "retry_initial": "100ms", "retry_max": "300ms",
                         "header_file": token, "timeout": "2s",
                         "labels": "dc=ams1, team=storage", "instance": "db-7.ams1"},
            "sink.am": {"type": "webhook", "url": rx.url.replace("/alert", "/api/v2/alerts"),
                        "format": "alertmanager", "retry_initial": "100ms", "retry_max": "300ms"},
            "sink.log": {"type": "json", "path": events.path},
        })
        d = Daemon(args.build, tmp, conf).start()

        def first_delivery():
            evs = events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
            if rx.wait_for(lambda r: len(delivered(r)) >= len(evs), 10) is None:
                return ["group_appeared never reached the receiver: %s" % rx.requests()]
            # Answered, not only received: the alert has left the spool.  (Cut the receiver
            # between "received" and "answered" and redmon rightly sends it again.)
            spool = os.path.join(tmp, "state", "spool", "web")
            wait_until(lambda: not [f for f in os.listdir(spool) if f.endswith(".alert")],
                       "an empty spool", daemon=d)
            h = delivered(rx.requests())[0]["_headers"]
            out = []
            if h.get("authorization") != "Bearer s3cret":
                out.append("header_file's Authorization missing: %s" % h)
            if h.get("content-type") != "application/json":
                out.append("content-type %r" % h.get("content-type"))
            return out
        rep.run(NAME + "delivered", first_delivery)

        # libcurl is loaded for the webhook sinks, not linked (plugins/lib/curl_dl.h).
        def libcurl_loaded():
            libs = harness.maps_libraries(d.proc.pid)
            return [] if any(x.startswith("libcurl") for x in libs) else \
                ["a daemon posting webhooks has no libcurl mapped: %s" % sorted(libs)]
        rep.run(NAME + "libcurl-loaded-for-webhook", libcurl_loaded)

        def routing_labels():
            # A generic body is the event as the JSON sink writes it, plus the sink's routing.
            body = delivered(rx.requests())[0]
            ev = [e for e in events.read() if e["seq"] == body["seq"]][0]
            out = []
            if body.get("labels") != {"dc": "ams1", "team": "storage"}:
                out.append("labels %r" % body.get("labels"))
            if body.get("instance") != "db-7.ams1":
                out.append("instance %r" % body.get("instance"))
            rest = {k: v for k, v in body.items() if not k.startswith("_")
                    and k not in ("labels", "instance")}
            if rest != ev:
                out.append("the body is not the event: %r != %r" % (rest, ev))
            return out
        rep.run(NAME + "generic-routing-labels", routing_labels)

        # Receiver down; three transitions spooled.
        rx.stop()
        spool = os.path.join(tmp, "state", "spool", "web")

        def outage():
            n0 = len(events.read())
            for failed in (True, False, True):
                before = len(events.read())
                tree.set(raid1("md0", failed))
                events.wait_for(lambda e: has(e, "health_changed", since=before), "a transition", d)
            n = len(events.read()) - n0
            wait_until(lambda: len([f for f in os.listdir(spool) if f.endswith(".alert")]) >= n,
                       "%d alerts in %s" % (n, spool), daemon=d)
            # The scan is handled once its state is saved (the kill below lands after it:
            # docs/alerts.md says what a kill between spooling and saving can cost).
            last = events.read()[-1]["seq"]
            wait_until(lambda: (saved_seq(tmp) or 0) >= last, "state saved at seq %d" % last, daemon=d)
            return []
        rep.run(NAME + "outage-spooled", outage)

        # SIGKILL, a transition while redmon is down, restart: still spooled.
        def sigkill_restart():
            d.kill()
            tree.set(raid1("md0", False))
            before = len(events.read())
            d.start()
            evs = events.wait_for(lambda e: has(e, "health_changed", "ok", since=before),
                                  "the change made while redmon was down", d)
            out = []
            if any(e["event"] == "group_appeared" for e in evs[before:]):
                out.append("md0 announced as new after the restart")
            seqs = [e["seq"] for e in evs]
            if seqs != sorted(set(seqs)):
                out.append("sequence went back or repeated after SIGKILL: %s" % seqs)
            return out
        rep.run(NAME + "sigkill-restart", sigkill_restart)

        # Receiver back (same port): everything, exactly once, in order.
        t_up = time.time()
        rx.start()

        def all_delivered():
            return wait_all_delivered(rx, events, 20)
        rep.run(NAME + "exactly-once-in-order", all_delivered)
        drained = max(b["_time"] for b in delivered(rx.requests())) - t_up

        # 500 then 200: the same alert again, and nothing after it overtakes it.
        def quiet():
            """Both sinks caught up: nothing (a sink_recovered of am) slips in ahead."""
            for name in ("web", "am"):
                spool = os.path.join(tmp, "state", "spool", name)
                wait_until(lambda: not [f for f in os.listdir(spool) if f.endswith(".alert")],
                           "an empty spool for %s" % name, daemon=d)
            problems = wait_all_delivered(rx, events, 10)
            if problems:
                raise TestError("; ".join(problems))

        def retried():
            quiet()
            rx.answer(500)
            before = len(events.read())
            tree.set(raid1("md0", True))
            events.wait_for(lambda e: has(e, "health_changed", "critical", since=before), "failure", d)
            key = events.read()[before]["idempotency_key"]
            if rx.wait_for(lambda r: any(b["idempotency_key"] == key and b["_status"] == 500
                                         for b in generic(r)), 10) is None:
                return ["no 500 answered for %s" % key]
            rx.answer(200)
            return wait_all_delivered(rx, events, 10)
        rep.run(NAME + "500-then-200-retried", retried)

        def alertmanager():
            quiet()
            reqs = [r for r in rx.requests() if r["path"] == "/api/v2/alerts" and r["status"] == 200]
            ams = [json.loads(r["body"]) for r in reqs]
            out = []
            if not ams:
                return ["no request on /api/v2/alerts"]
            for body in ams:
                if not isinstance(body, list) or not body:
                    out.append("body is not a list of alerts: %r" % body)
                    continue
                for a in body:
                    l = a.get("labels", {})
                    for k in ("alertname", "instance", "severity") + (
                            ("group",) if l.get("alertname") == "RedmonGroupUnhealthy" else ()):
                        if not l.get(k):
                            out.append("label %s missing: %s" % (k, l))
                    if not a.get("startsAt") or "summary" not in a.get("annotations", {}):
                        out.append("startsAt or annotations.summary missing: %s" % a)
            last, at = [(b, r["time"]) for b, r in zip(ams, reqs)
                        if any(a["labels"].get("alertname") == "RedmonGroupUnhealthy" for a in b)][-1]
            # Firing: endsAt ahead (a few resend intervals), so Alertmanager keeps it while re-sent.
            firing = [a for a in last if "endsAt" in a and parse_time(a["endsAt"]) > at + 60]
            if len(firing) != 1 or firing[0]["labels"]["severity"] != "critical":
                out.append("critical md0: want one firing alert with severity critical: %s" % last)
            return out
        rep.run(NAME + "alertmanager-body", alertmanager)

        # Latency with a healthy receiver: from the event's time to the POST's arrival.
        def latency():
            lat = []
            for i in range(10):
                before = len(events.read())
                tree.set(raid1("md0", i % 2 == 1))  # md0 is critical now: ok first
                evs = events.wait_for(lambda e: has(e, "health_changed", since=before), "transition", d)
                key = evs[before]["idempotency_key"]
                reqs = rx.wait_for(lambda r: any(b["idempotency_key"] == key for b in delivered(r)), 10)
                if reqs is None:
                    return ["%s not delivered" % key]
                b = [b for b in delivered(reqs) if b["idempotency_key"] == key][0]
                lat.append((b["_time"] - parse_time(b["time"])) * 1000)
            problems = wait_all_delivered(rx, events, 10)
            print("# webhook: backlog after the outage and SIGKILL drained %.0f ms after the "
                  "receiver came back" % (drained * 1000))
            print("# webhook: event -> receiver latency median %.1f ms, max %.1f ms (%d alerts)"
                  % (statistics.median(lat), max(lat), len(lat)))
            return problems
        rep.run(NAME + "latency", latency)

        # Throughput: 300 groups appear in one scan while the receiver is down.
        def throughput():
            rx.stop()
            before = len(events.read())
            tree.set(*[raid1("t%03d" % i) for i in range(300)] + [raid1("md0", True)])
            evs = events.wait_for(lambda e: len(e) >= before + 300, "300 group_appeared", d)
            new = evs[before:]
            t_spool = parse_time(new[-1]["time"]) - parse_time(new[0]["time"])
            t0 = time.time()
            rx.start()
            problems = wait_all_delivered(rx, events, 60)
            t_drain = max(b["_time"] for b in delivered(rx.requests())) - t0
            print("# spool: 300 alerts written (fsync'ed) in %.0f ms = %.0f/s; drained in order in "
                  "%.0f ms = %.0f/s" % (t_spool * 1000, 300 / max(t_spool, 1e-3), t_drain * 1000,
                                       300 / max(t_drain, 1e-3)))
            return problems
        rep.run(NAME + "spool-throughput", throughput)

        check_schema(rep, NAME + "json-schema", events.read())

        def stop():
            rc = d.stop()
            return (["exit %s: %s" % (rc, harness.tail(d.stderr()))] if rc != 0 else []) + \
                d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)
        d = None

        # Credentials and query tokens of a URL are never shown: not in the log, not in the
        # sink_failed event the other sinks get, not in test-alert's output.
        def secrets_redacted():
            closed = socket.socket()
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            closed.close()
            secret_events = Events(os.path.join(tmp, "secret.jsonl"))
            url = "http://alice:S3cretPW@127.0.0.1:%d/hook?token=T0kenXYZ" % port
            s = Daemon(args.build, tmp, ini({
                "daemon": {"state_dir": os.path.join(tmp, "state-secret"), "rescan_interval": "100ms"},
                "sink.bad": {"type": "webhook", "url": url, "retry_initial": "100ms",
                             "retry_max": "200ms", "fail_after": "1"},
                "sink.log": {"type": "json", "path": secret_events.path},
            }), name="secret").start()
            try:
                evs = secret_events.wait_for(lambda e: has(e, "sink_failed"), "sink_failed", s)
                out = s.run("test-alert", ["--sink", "bad"])
            finally:
                s.stop()
            failed = [e for e in evs if e["event"] == "sink_failed"][0]
            problems = []
            for where, text in (("sink_failed event", json.dumps(failed)), ("daemon log", s.stderr()),
                                ("test-alert output", out.stdout + out.stderr)):
                for secret in ("alice", "S3cretPW", "T0kenXYZ"):
                    if secret in text:
                        problems.append("%s shows %s: %s" % (where, secret, harness.tail(text, 3)))
            if "127.0.0.1:%d/hook" % port not in failed.get("error", ""):
                problems.append("the sink_failed error no longer says where: %s" % failed.get("error"))
            if out.returncode == 0:
                problems.append("test-alert through a closed port succeeded")
            return problems
        rep.run(NAME + "url-secrets-redacted", secrets_redacted)

        # Alerts to a file or SNMP only: libcurl and the GnuTLS, LDAP, SSH and HTTP/2 libraries
        # under it (550 KiB of anonymous memory) are never loaded.
        def no_libcurl_without_http():
            plain_events = Events(os.path.join(tmp, "plain.jsonl"))
            p = Daemon(args.build, tmp, ini({
                "daemon": {"rescan_interval": "100ms"},
                "sink.log": {"type": "json", "path": plain_events.path},
            }), name="plain").start()
            try:
                plain_events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", p)
                libs = harness.maps_libraries(p.proc.pid)
            finally:
                rc = p.stop()
            under_curl = ("libcurl", "libgnutls", "libldap", "libssh2", "libnghttp2", "librtmp")
            loaded = sorted(x for x in libs if x.startswith(under_curl))
            out = ["loaded without any HTTP or SMTP sink: %s" % loaded] if loaded else []
            if not any(x.startswith("libjansson") for x in libs):
                out.append("the maps read no libraries at all: %s" % sorted(libs))
            return out + (["exit %s: %s" % (rc, harness.tail(p.stderr()))] if rc != 0 else [])
        rep.run(NAME + "no-libcurl-without-http-sink", no_libcurl_without_http)

        # Where libcurl cannot be loaded, a webhook sink is refused with the loader's words.
        def refused_without_libcurl():
            t = Daemon(args.build, tmp, ini({
                "sink.web": {"type": "webhook", "url": rx.url},
            }), name="nocurl")
            p = harness.without_libcurl(t.argv("test-alert"))
            out = []
            if p.returncode in (0, None) or p.returncode < 0:
                out.append("test-alert without libcurl exited %s" % p.returncode)
            if "sink web: libcurl.so.4 not found: " not in p.stderr:
                out.append("no reason naming the sink and libcurl: %s" % harness.tail(p.stderr))
            return out
        if harness.without_libcurl(["true"]) is None:
            rep.skip(NAME + "refused-without-libcurl", "no user and mount namespace here")
        else:
            rep.run(NAME + "refused-without-libcurl", refused_without_libcurl)
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            d.kill()
        rx.stop()
        if rep.failed and d:
            sys.stderr.write("daemon stderr:\n" + d.stderr())
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

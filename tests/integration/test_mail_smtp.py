#!/usr/bin/env python3
"""Mail by SMTP (a mail sink's smtp_url) under no_new_privs, to a real local SMTP receiver.

redmon runs on the fake probe with the unit's NoNewPrivileges (setpriv --no-new-privs:
a setuid or setgid sendmail could not run) and a mail sink whose smtp_url points at
a port of 127.0.0.1 where nothing listens yet.  A group fails: the mail is spooled
on disk, the failure logged once while retries go on, the daemon keeps running.
Stopped and started again with the receiver (tests/integration/smtp_receiver.py)
up, it sends the spooled mail: envelope and headers as configured, the spool
empty.  Then `redmon test-alert` through SMTP, and a mail the server refuses for
good (554) set aside as .rejected, and a burst held by a long window sent
when a reload (SIGHUP) replaces the sink.
"""

import email
import email.header
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from alerts_harness import Daemon, Events, NoNewPrivsDaemon, Tree, free_port, has, ini, raid1, wait_until
from harness import TestError
from smtp_receiver import Receiver

NAME = "integration/mail_smtp/"


def spooled(spool):
    """The spool's entries (the mails waiting), without temporary or set-aside files."""
    return sorted(p for p in glob.glob(os.path.join(spool, "*"))
                  if os.path.isfile(p) and not p.endswith((".tmp", ".rejected")))


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not shutil.which("setpriv"):
        rep.skip(NAME + "all", "setpriv (util-linux) is not installed")
        rep.exit()
    tmp = tempfile.mkdtemp(prefix="rm-smtp-")
    d = None
    rx = Receiver(tmp, port=free_port())
    try:
        tree = Tree(tmp)
        tree.set(raid1(b"md0"))
        events = Events(os.path.join(tmp, "events.jsonl"))
        spool = os.path.join(tmp, "state", "spool", "mail")
        conf = ini({
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms"},
            "sink.mail": {"type": "mail", "mail_to": "Ops <ops@example.org>, root@example.org",
                          "mail_from": "redmon@db1.example.org", "smtp_url": rx.url,
                          "burst": "300ms", "min_severity": "critical", "timeout": "5s"},
            "sink.json": {"type": "json", "path": events.path},
        })
        d = NoNewPrivsDaemon(args.build, tmp, conf).start()
        events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
        tree.set(raid1(b"md0", failed=True))

        def nothing_accepts():
            events.wait_for(lambda e: has(e, "health_changed", "critical"), "health_changed", d)
            wait_until(lambda: spooled(spool), "a mail in %s" % spool, daemon=d)
            time.sleep(3.5)  # retries 1 s, then 2 s later
            out = []
            with open("/proc/%d/status" % d.proc.pid) as f:
                if "NoNewPrivs:\t1" not in f.read():
                    out.append("the daemon does not run with no_new_privs")
            d.alive_or_raise()
            warned = [l for l in d.stderr().splitlines() if "warning: sink mail:" in l]
            if len(warned) != 1 or "127.0.0.1:%d" % rx.port not in warned[0] or "kept in" not in warned[0]:
                out.append("want one warning naming the server and the spool, got %r" % warned)
            if len(spooled(spool)) != 1:
                out.append("spool holds %r" % spooled(spool))
            print("# smtp: nothing listening on %s: %d mail spooled, %d warning in 3.5 s of retries" %
                  (rx.url, len(spooled(spool)), len(warned)))
            return out
        rep.run(NAME + "nothing-accepts-mail-spooled-logged-once", nothing_accepts)

        def sent_after_restart():
            out = []
            rc = d.stop()
            if rc != 0:
                out.append("exit %s" % rc)
            if len(spooled(spool)) != 1:
                return out + ["after the stop the spool holds %r" % spooled(spool)]
            rx.start()
            d.start()
            wait_until(lambda: rx.messages(), "the spooled mail at the receiver", daemon=d)
            wait_until(lambda: not spooled(spool), "the spool to empty", daemon=d)
            m = rx.messages()[0]
            if m["from"] != "FROM:<redmon@db1.example.org>" and m["from"] != "<redmon@db1.example.org>":
                out.append("MAIL %r" % m["from"])
            if sorted(r.split(":", 1)[-1] for r in m["rcpt"]) != ["<ops@example.org>", "<root@example.org>"]:
                out.append("RCPT %r" % m["rcpt"])
            msg = email.message_from_string(m["data"])
            subj = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
            if not subj.startswith("[redmon] CRITICAL: fake:md0 on "):
                out.append("Subject %r" % subj)
            if msg["From"] != "redmon@db1.example.org" or msg["To"] != "Ops <ops@example.org>, root@example.org":
                out.append("From %r To %r" % (msg["From"], msg["To"]))
            if not re.match(r"^<redmon\.\d+\.\d+@db1\.example\.org>$", msg["Message-ID"] or ""):
                out.append("Message-ID %r" % msg["Message-ID"])
            body = msg.get_payload()
            if "Tolerates: the next failure is an outage" not in body or '"event": "health_changed"' not in body:
                out.append("body: %r" % body[:300])
            if "\r\n" not in m["data"]:
                out.append("not sent with CRLF line ends")
            return out
        rep.run(NAME + "spooled-mail-sent-after-restart", sent_after_restart)

        def test_alert():
            n = len(rx.messages())
            p = d.run("test-alert", ["--sink", "mail"])
            out = []
            if p.returncode != 0 or p.stdout.strip() != "mail: ok":
                out.append("test-alert: exit %d, %r %r" % (p.returncode, p.stdout, p.stderr))
            got = rx.messages()[n:]
            if len(got) != 1 or "X-Redmon-Event: test" not in got[0]["data"]:
                out.append("the receiver got %r" % got)
            rx.stop()
            p = d.run("test-alert", ["--sink", "mail"])
            if p.returncode != 1 or "mail: FAILED: SMTP smtp://127.0.0.1:%d" % rx.port not in p.stdout:
                out.append("nothing listening: exit %d, %r" % (p.returncode, p.stdout))
            rx.start()
            return out
        rep.run(NAME + "test-alert", test_alert)

        def refused_set_aside():
            rx.answer(554)
            n = len(rx.messages())
            tree.set(raid1(b"md0"), (b"md1", -1, 1, [(b"sdc", "failed")]))
            wait_until(lambda: glob.glob(os.path.join(spool, "*.rejected")), "a .rejected mail", daemon=d)
            out = []
            if len(rx.messages()) != n:
                out.append("the receiver recorded a refused mail")
            if spooled(spool):
                out.append("the refused mail is still queued: %r" % spooled(spool))
            rx.answer(250)
            return out
        rep.run(NAME + "refused-for-good-set-aside", refused_set_aside)

        def reload_sends_held_burst():
            """A burst window no reload waits for: SIGHUP sends it through the spool the new sinks read."""
            d.write_conf(conf.replace("burst = 300ms", "burst = 1h"))
            reloads = d.stderr().count("reloaded configuration")
            d.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: d.stderr().count("reloaded configuration") > reloads, "the reload", daemon=d)
            n = len(rx.messages())
            seen = len(events.read())
            tree.set(raid1(b"md0", failed=True), (b"md1", -1, 1, [(b"sdc", "failed")]))
            events.wait_for(lambda e: has(e, "health_changed", "critical", since=seen), "md0 critical again", d)
            time.sleep(1)
            out = []
            if len(rx.messages()) != n:
                out.append("the mail went before its window closed")
            d.proc.send_signal(signal.SIGHUP)
            wait_until(lambda: len(rx.messages()) > n, "the held mail after the second reload", daemon=d)
            got = rx.messages()[n:]
            if len(got) != 1 or "fake:md0" not in got[0]["data"]:
                out.append("after the reload the receiver got %r" % [g["data"][:200] for g in got])
            wait_until(lambda: not spooled(spool), "the spool to empty", daemon=d)
            return out
        rep.run(NAME + "reload-sends-held-burst", reload_sends_held_burst)

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)
    except (TestError, RuntimeError, subprocess.SubprocessError) as e:
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

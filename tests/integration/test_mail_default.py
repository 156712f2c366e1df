#!/usr/bin/env python3
"""The shipped config notifies: docs/redmon.conf.example's [sink.mail] under no_new_privs.

The daemon runs as the unit runs it with respect to privileges (setpriv
--no-new-privs: no setuid or setgid sendmail could run) on the fake probe,
with a copy of the example config in which only what must change for a test
does: the paths of the JSON and textfile sinks (into the temporary
directory), the SMTP port (localhost:25 becomes a free port of 127.0.0.1),
and, as -o options, state_dir (the spool), the AgentX socket and a fast
rescan.  Each replacement must match exactly once, so a change of the
example fails here rather than passing untested.

  nothing-listens-logged-once   events before and after the first failure (two
                                groups fail, one of them twice: three mails)
                                while nothing listens: one warning naming the
                                server and the spool at the first failure, one
                                error when fail_after failures in a row raise
                                sink_failed, then nothing however many events
                                and retries follow; every mail spooled, the
                                daemon running, no "nobody is notified"
  mta-appears-mail-delivered    a receiver (smtp_receiver.py, 127.0.0.1) comes
                                up on that port: the spooled mails arrive by
                                themselves (no restart), RCPT TO <root@localhost>,
                                subject with the severity, the spool empty, still
                                one warning
  no-state-dir-mail-from-memory --root without state_dir (a captured tree): the
                                mail sink keeps its mails in memory instead of
                                refusing to start, and they arrive
  json-only-warns               the same copy without [sink.mail]: the daemon
                                says nobody is notified (the warning is kept
                                where no sink can notify)
"""

import email
import email.header
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import harness
from alerts_harness import Daemon, Events, NoNewPrivsDaemon, Tree, free_port, has, raid1, wait_until
from harness import TestError
from smtp_receiver import Receiver

NAME = "integration/mail_default/"
EXAMPLE = os.path.join(harness.REPO, "docs", "redmon.conf.example")
NOBODY_NOTIFIED = "nobody is notified"


def replace_once(text, old, new):
    if text.count(old) != 1:
        raise TestError("docs/redmon.conf.example: %r found %d times, want once" % (old, text.count(old)))
    return text.replace(old, new)


def example_copy(tmp, port):
    """The example config with only its paths (and the SMTP port) moved into tmp."""
    with open(EXAMPLE) as f:
        text = f.read()
    text = replace_once(text, "path = /var/log/redmon/events.jsonl",
                        "path = " + os.path.join(tmp, "events.jsonl"))
    text = replace_once(text, "path = /var/lib/prometheus/node-exporter/redmon.prom",
                        "path = " + os.path.join(tmp, "redmon.prom"))
    return replace_once(text, "smtp_url = smtp://localhost:25\n",
                        "smtp_url = smtp://localhost:%d\n" % port)


def without_mail(text):
    """The copy with its [sink.mail] section removed (up to the next section)."""
    out = re.sub(r"(?ms)^\[sink\.mail\]\n.*?(?=^\[)", "", text)
    if out == text or "type = mail" in out:
        raise TestError("no [sink.mail] section to remove in the example")
    return out


def spooled(spool):
    return sorted(p for p in glob.glob(os.path.join(spool, "*"))
                  if os.path.isfile(p) and not p.endswith((".tmp", ".rejected")))


def mail_lines(d):
    """What the daemon logged about the mail sink (notices of its recovery aside)."""
    return [l for l in d.stderr().splitlines() if "sink mail:" in l and "notice:" not in l]


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not shutil.which("setpriv"):
        rep.skip(NAME + "all", "setpriv (util-linux) is not installed")
        rep.exit()
    tmp = tempfile.mkdtemp(prefix="rm-maildef-")
    d = None
    port = free_port()
    rx = Receiver(tmp, port=port)
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0"))
        events = Events(os.path.join(tmp, "events.jsonl"))
        state = os.path.join(tmp, "state")
        spool = os.path.join(state, "spool", "mail")
        conf = example_copy(tmp, port)
        extra = ["-o", "daemon.state_dir=" + state,
                 "-o", "snmp.agentx_socket=unix:" + os.path.join(tmp, "agentx"),
                 "-o", "daemon.rescan_interval=100ms"]
        d = NoNewPrivsDaemon(args.build, tmp, conf, extra=extra).start()
        events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)

        def nothing_listens():
            out = []
            tree.set(raid1("md0", failed=True))
            events.wait_for(lambda e: has(e, "health_changed", "critical"), "md0 critical", d)
            # md0's burst (5 s by default) closes, its mail is spooled and fails.
            wait_until(lambda: mail_lines(d), "the first failure logged", timeout=20, daemon=d)
            first = mail_lines(d)
            # More events while nothing listens: md1 fails, then md0 loses its last disk.
            tree.set(raid1("md0", failed=True), raid1("md1", failed=True))
            events.wait_for(lambda e: any(x["event"] == "group_appeared" and x["group"]["id"] == "fake:md1"
                                          for x in e), "md1 appearing critical", d)
            tree.set(("md0", -1, 1, [("sda", "failed"), ("sdb", "failed")]), raid1("md1", failed=True))
            events.wait_for(lambda e: has(e, "health_changed", "failed"), "md0 failed", d)
            wait_until(lambda: len(spooled(spool)) >= 3, "three mails in %s" % spool, timeout=20, daemon=d)
            # fail_after (3) failures in a row: sink_failed, to the JSON sink.
            events.wait_for(lambda e: has(e, "sink_failed"), "sink_failed", d, timeout=20)
            settled = mail_lines(d)
            time.sleep(8)  # retries go on (backoff doubling)
            d.alive_or_raise()
            with open("/proc/%d/status" % d.proc.pid) as f:
                if "NoNewPrivs:\t1" not in f.read():
                    out.append("the daemon does not run with no_new_privs")
            lines = mail_lines(d)
            warned = [l for l in lines if "warning:" in l]
            if len(warned) != 1 or "localhost:%d" % port not in warned[0] or spool not in warned[0]:
                out.append("want one warning naming the server and the spool, got %r" % lines)
            if first != warned[:1]:
                out.append("the first failure logged as %r" % first)
            # At most the sink_failed line beside it, and nothing more with more events and retries.
            if len(lines) > 2 or lines != settled:
                out.append("lines about the mail sink grew: %r then %r" % (settled, lines))
            if len(spooled(spool)) != 3:
                out.append("spool holds %r, want the three mails" % spooled(spool))
            if NOBODY_NOTIFIED in d.stderr():
                out.append("the daemon says nobody is notified with a mail sink configured")
            print("# mail_default: nothing on localhost:%d: %d events, %d mails spooled, log lines "
                  "about it: %d (%s)" % (port, len(events.read()), len(spooled(spool)), len(lines),
                                         ", ".join(l.split(":")[1].strip() for l in lines)))
            return out
        rep.run(NAME + "nothing-listens-logged-once", nothing_listens)

        def mta_appears():
            out = []
            t0 = time.monotonic()
            rx.start()
            # Retries double up to 60 s; by now the wait is at most 16 s.
            wait_until(lambda: len(rx.messages()) >= 3, "the spooled mails at the receiver",
                       timeout=70, daemon=d)
            wait_until(lambda: not spooled(spool), "the spool to empty", daemon=d)
            print("# mail_default: receiver up, the 3 mails delivered %.1f s later" % (time.monotonic() - t0))
            msgs = rx.messages()
            for m in msgs:
                if [r.split(":", 1)[-1] for r in m["rcpt"]] != ["<root@localhost>"]:
                    out.append("RCPT %r, want <root@localhost>" % m["rcpt"])
                msg = email.message_from_string(m["data"])
                subj = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
                if not subj.startswith("[redmon] CRITICAL: fake:md"):
                    out.append("Subject %r" % subj)
                if msg["To"] != "root":
                    out.append("To %r" % msg["To"])
            got = sorted(re.search(r"fake:md\d", m["data"]).group(0) for m in msgs)
            if got != ["fake:md0", "fake:md0", "fake:md1"]:
                out.append("mails about %r" % got)
            if len(msgs) != 3:
                out.append("%d mails, want 3" % len(msgs))
            if len([l for l in mail_lines(d) if "warning:" in l]) != 1:
                out.append("warnings %r" % mail_lines(d))
            return out
        rep.run(NAME + "mta-appears-mail-delivered", mta_appears)

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)

        def no_state_dir_memory():
            """--root without state_dir (no -o): the spool is in memory, the daemon starts and mails."""
            n = len(rx.messages())
            md = NoNewPrivsDaemon(args.build, tmp, conf, name="nostate", extra=extra[2:])
            md.start()
            try:
                wait_until(lambda: len(rx.messages()) >= n + 2, "the two groups' mails from memory",
                           timeout=20, daemon=md)
                out = [] if "mail waits in memory" in md.stderr() else ["no notice of the memory spool"]
            finally:
                rc = md.stop()
            got = rx.messages()[n:]
            if sorted(re.search(r"fake:md\d", m["data"]).group(0) for m in got) != ["fake:md0", "fake:md1"]:
                out.append("mails %r" % [m["data"][:120] for m in got])
            if os.path.exists(os.path.join(tmp, "spool")):
                out.append("a spool directory appeared without state_dir")
            return out + ([] if rc == 0 else ["exit %s" % rc])
        rep.run(NAME + "no-state-dir-mail-from-memory", no_state_dir_memory)

        def json_only_warns():
            jd = Daemon(args.build, tmp, without_mail(conf), name="jsononly", extra=extra)
            jd.start()
            try:
                wait_until(lambda: NOBODY_NOTIFIED in jd.stderr(), "the warning",
                           daemon=jd)
            finally:
                rc = jd.stop()
            line = [l for l in jd.stderr().splitlines() if NOBODY_NOTIFIED in l]
            out = [] if len(line) == 1 and "warning" in line[0] else ["warning lines %r" % line]
            return out + ([] if rc == 0 else ["exit %s" % rc])
        rep.run(NAME + "json-only-warns", json_only_warns)
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

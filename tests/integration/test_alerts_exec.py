#!/usr/bin/env python3
"""Exec hooks, mail and syslog take hostile names intact and never through a shell.

redmon runs on the fake probe with a group and a member whose names hold quotes,
$(...) and backticks that would touch a canary file, a newline followed by a mail
header, and bytes that are not UTF-8.  Sinks: an exec hook (records argv, the
REDMON_* environment and stdin as raw bytes), a hook that hangs (killed at its
timeout), mail through a fake sendmail (the group's critical events of one scan
in one mail: severity first in the subject, the body in reading order), a mail
sink whose burst window outlasts the test (its mail goes when the daemon stops),
syslog to a datagram socket of the test, and JSON Lines.  Then `redmon
test-alert` with and without --sink.
"""

import email
import email.header
import json
import os
import shutil
import socket
import stat
import sys
import tempfile
import time

import harness
from alerts_harness import check_schema, Daemon, Events, Tree, has, ini, wait_until
from harness import TestError

NAME = "integration/alerts_exec/"


def redmon_text(b):
    """docs/json.md: invalid UTF-8 bytes as \\xNN, a backslash as \\\\."""
    out, i = [], 0
    while i < len(b):
        ch = None
        for n in (1, 2, 3, 4):
            try:
                ch = b[i:i + n].decode("utf-8")
                break
            except UnicodeDecodeError:
                pass
        if ch is None:
            out.append("\\x%02X" % b[i])
            i += 1
        else:
            out.append("\\\\" if ch == "\\" else ch)
            i += len(ch.encode())
    return "".join(out)


def one_line(b):
    """What hooks get for a name (docs/alerts.md): redmon_text, control characters as \\xNN."""
    return "".join("\\x%02X" % ord(c) if ord(c) < 0x20 or ord(c) == 0x7f else c
                   for c in redmon_text(b)).encode()


def script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, stat.S_IRWXU)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-exec-")
    d = None
    sock = None
    try:
        canary = os.path.join(tmp, "canary")
        group = ("md\"'`touch %s`$(touch %s)\nBcc: evil@example.org\xff;x" % (canary, canary)).encode(
            "latin-1")
        member = b"sd\xfe'$(touch " + canary.encode() + b")\nb\\c"
        tree = Tree(tmp)
        tree.set((group, 1, 1, [(b"sda", "active"), (member, "active")]))
        hook_out = os.path.join(tmp, "hook.jsonl")
        script(os.path.join(tmp, "hook.py"), """#!/usr/bin/python3
import json, os, sys
fds = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink("/proc/self/fd/" + fd)
    except OSError:
        pass  # the listing's own descriptor, closed by now
rec = {"argv": [os.fsencode(a).hex() for a in sys.argv[1:]],
       "env": {k.decode(): v.hex() for k, v in os.environb.items()},
       "stdin": sys.stdin.buffer.read().hex(), "fds": fds}
with open(%r, "a") as f:
    f.write(json.dumps(rec) + "\\n")
""" % hook_out)
        pidfile = os.path.join(tmp, "hang.pid")
        # Deaf to SIGTERM, with a child of its own: SIGKILL, to the whole process group.
        script(os.path.join(tmp, "hang.sh"), "#!/bin/sh\ntrap '' TERM\nsleep 60 &\n"
               "echo \"$$ $!\" > %s.tmp && mv %s.tmp %s\nwait\n" % (pidfile, pidfile, pidfile))
        mail_out = os.path.join(tmp, "mail.jsonl")
        script(os.path.join(tmp, "sendmail"), """#!/usr/bin/python3
import json, sys
with open(%r, "a") as f:
    f.write(json.dumps({"argv": sys.argv[1:], "msg": sys.stdin.buffer.read().decode("utf-8")}) + "\\n")
""" % mail_out)
        held_out = os.path.join(tmp, "held.jsonl")
        script(os.path.join(tmp, "sendmail_held"), """#!/usr/bin/python3
import json, sys
with open(%r, "a") as f:
    f.write(json.dumps({"argv": sys.argv[1:], "msg": sys.stdin.buffer.read().decode("utf-8")}) + "\\n")
""" % held_out)
        sock_path = os.path.join(tmp, "log.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(0.05)
        events = Events(os.path.join(tmp, "events.jsonl"))
        conf = ini({
            "daemon": {"state_dir": os.path.join(tmp, "state"), "rescan_interval": "100ms"},
            "sink.hook": {"type": "exec", "command": os.path.join(tmp, "hook.py")},
            "sink.hang": {"type": "exec", "command": os.path.join(tmp, "hang.sh"), "timeout": "500ms",
                          "min_severity": "critical", "fail_after": "1"},
            "sink.mail": {"type": "mail", "mail_to": "ops@example.org",
                          "sendmail": os.path.join(tmp, "sendmail"), "min_severity": "critical"},
            # A window no test waits for: its mail goes out when the daemon stops.
            "sink.held": {"type": "mail", "mail_to": "ops@example.org", "burst": "1h",
                          "sendmail": os.path.join(tmp, "sendmail_held"), "min_severity": "critical"},
            "sink.log": {"type": "syslog", "socket": sock_path, "facility": "local3", "ident": "rmtest"},
            "sink.json": {"type": "json", "path": events.path},
        })
        d = Daemon(args.build, tmp, conf).start()
        gid = b"fake:" + group

        def hook_runs():
            return harness.json_lines(hook_out)

        # A failure of the hostile member: hooks for group_appeared, health_changed, member_changed.
        events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
        tree.set((group, 0, 1, [(b"sda", "active"), (member, "failed")]))
        events.wait_for(lambda e: has(e, "member_changed"), "member_changed", d)
        n = len(events.read())

        def hostile_hook():
            wait_until(lambda: len(hook_runs()) >= n, "%d hook runs" % n, daemon=d)
            out = []
            runs = hook_runs()
            for ev, run in zip(events.read(), runs):
                argv = [bytes.fromhex(a) for a in run["argv"]]
                env = {k: bytes.fromhex(v) for k, v in run["env"].items()}
                # Names on one line: a newline in one must not forge a line in the hook's log.
                want = [ev["event"].encode(), one_line(gid),
                        one_line(member) if ev["event"] == "member_changed" else b""]
                if argv != want:
                    out.append("%s: argv %r, want %r" % (ev["event"], argv, want))
                if env.get("REDMON_GROUP_NAME") != one_line(group) or env.get("REDMON_GROUP") != one_line(gid):
                    out.append("%s: REDMON_GROUP(_NAME) %r" % (ev["event"], env.get("REDMON_GROUP_NAME")))
                bad = [k for k, v in list(env.items()) + [("argv", a) for a in argv]
                       if any(c < 0x20 or c == 0x7f for c in v)]
                if bad:
                    out.append("%s: control characters in %s" % (ev["event"], bad))
                # Only standard input, output and error: no socket or file of the daemon's.
                if sorted(run["fds"]) != ["0", "1", "2"]:
                    out.append("%s: the hook inherited descriptors %r" % (ev["event"], run["fds"]))
                if ev["event"] == "member_changed" and (env.get("REDMON_MEMBER") != one_line(member) or
                                                        env.get("REDMON_MEMBER_ROLE") != b"failed"):
                    out.append("REDMON_MEMBER %r role %r" % (env.get("REDMON_MEMBER"),
                                                            env.get("REDMON_MEMBER_ROLE")))
                for k in ("REDMON_EVENT", "REDMON_SEQ", "REDMON_TIME", "REDMON_HOST", "REDMON_SEVERITY",
                          "REDMON_HEALTH", "REDMON_MARGIN", "REDMON_MESSAGE", "REDMON_IDEMPOTENCY_KEY"):
                    if k not in env:
                        out.append("%s: %s missing" % (ev["event"], k))
                if env.get("REDMON_SEQ") != str(ev["seq"]).encode():
                    out.append("REDMON_SEQ %r for seq %s" % (env.get("REDMON_SEQ"), ev["seq"]))
                stdin = bytes.fromhex(run["stdin"])
                try:
                    doc = json.loads(stdin.decode("ascii"))
                except (ValueError, UnicodeDecodeError) as e:
                    out.append("stdin is not ASCII JSON (%s): %r" % (e, stdin[:100]))
                    continue
                if doc != ev:
                    out.append("stdin JSON differs from the JSON sink's for seq %s" % ev["seq"])
                if doc["group"]["name"] != redmon_text(group):
                    out.append("group.name %r, want %r" % (doc["group"]["name"], redmon_text(group)))
            if os.path.exists(canary):
                out.append("the canary exists: a name reached a shell")
            return out
        rep.run(NAME + "hostile-names-argv-env-stdin", hostile_hook)

        def hung_hook_killed():
            wait_until(lambda: os.path.exists(pidfile), "the hanging hook to start", daemon=d)
            with open(pidfile) as f:
                pids = [int(p) for p in f.read().split()]
            started = os.stat(pidfile).st_mtime

            def gone():
                """Dead: no such process, or a zombie (its reaper's business, not ours)."""
                for pid in pids:
                    try:
                        with open("/proc/%d/stat" % pid) as f:
                            if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                                return False
                    except (FileNotFoundError, ProcessLookupError):
                        pass
                return True
            wait_until(gone, "the hanging hook and its child (%s) to be killed" % pids, timeout=8, daemon=d)
            took = time.time() - started
            evs = events.wait_for(lambda e: any(x["event"] == "sink_failed" and x.get("sink") == "hang"
                                                for x in e), "sink_failed about hang", d)
            out = []
            if "timed out after 0.5s (killed)" not in d.stderr():
                out.append("no 'timed out' in the log: %s" % harness.tail(d.stderr()))
            if took > 4:
                out.append("killed only after %.1fs" % took)
            if not [e for e in evs if e["event"] == "sink_failed" and "timed out" in e.get("error", "")]:
                out.append("sink_failed carries no reason")
            print("# exec: a hook deaf to SIGTERM, 0.5s timeout: it and its child were gone at most "
                  "%.2fs after it started (SIGTERM, then SIGKILL 2s later)" % took)
            return out
        rep.run(NAME + "hung-hook-killed", hung_hook_killed)

        def mails(path):
            return harness.json_lines(path)

        def mail():
            wait_until(lambda: mails(mail_out), "a mail", daemon=d)
            m = mails(mail_out)[0]
            out = []
            if m["argv"] != ["-t", "-oi"]:
                out.append("sendmail argv %r" % m["argv"])
            msg = email.message_from_string(m["msg"])
            if msg["To"] != "ops@example.org":
                out.append("To: %r" % msg["To"])
            if msg["Bcc"] is not None or any(k.lower() == "bcc" for k in msg.keys()):
                out.append("a name injected a Bcc: header: %r" % msg.items())
            subj = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
            if "\\x0ABcc: evil" not in subj or "\n" in subj:
                out.append("Subject not one escaped line: %r" % subj)
            # Severity first, then what the group is left in.
            want = "[redmon] CRITICAL: %s on " % one_line(gid).decode("utf-8", "replace")
            if not subj.startswith(want) or not subj.endswith(" is critical (tolerates no further failure)"):
                out.append("Subject %r, want %r... is critical (tolerates no further failure)" % (subj, want))
            if msg["X-Redmon-Idempotency-Key"] is None:
                out.append("no X-Redmon-Idempotency-Key")
            if msg.get_content_type() != "text/plain" or msg.get_content_charset() != "utf-8":
                out.append("Content-Type %r" % msg["Content-Type"])
            body = msg.get_payload()
            # health_changed and member_changed of one scan: one mail with both, in order.
            crit = [e for e in events.read() if e["event"] in ("health_changed", "member_changed")]
            keys = [e["idempotency_key"] for e in crit]
            at = [body.find('"idempotency_key": "%s"' % k) for k in keys]
            if len(crit) != 2 or -1 in at or at != sorted(at):
                out.append("the mail does not hold %r in order: %r" % (keys, at))
            if not body.startswith("2 events of "):
                out.append("body starts %r" % body[:80])
            # What a person reads first, the details, then the JSON at the very end.
            order = ["\n  1. ", "\n  2. ", "\nReason: ", "\nMembers (2):\n", "\nTolerates: the next failure "
                     "is an outage\n", "\nDetails of event 1:\n", "\nDetails of event 2:\n", "\n-- \n",
                     '"event": "health_changed"', '"event": "member_changed"']
            pos = 0
            for o in order:
                i = body.find(o, pos)
                if i < 0:
                    out.append("%r missing (or out of order) in the body:\n%s" % (o, body))
                    break
                pos = i + len(o)
            text = body[:body.find("\n-- \n")]
            for line in text.split("\n"):
                if len(line) > 78 and " " in line.strip():  # longer only for one word
                    out.append("line of %d columns: %r" % (len(line), line))
                if line.startswith("Bcc:"):
                    out.append("a name started a line of the body: %r" % line)
            if "failed" not in text or "\\x0Ab\\\\c" not in text:
                out.append("the failed member (escaped) is not in the body: %r" % text)
            print("# mail: %d mail(s) for %d critical events of one group" %
                  (len([x for x in mails(mail_out) if '"event": "health_changed"' in x["msg"] or
                        '"event": "member_changed"' in x["msg"]]), len(crit)))
            return out
        rep.run(NAME + "mail-through-sendmail", mail)

        def syslog():
            lines = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any("health_changed" in l for l in lines):
                try:
                    lines.append(sock.recv(65536).decode("utf-8", "replace"))
                except socket.timeout:
                    pass
            crit = [l for l in lines if "health_changed" in l]
            out = []
            if not crit:
                return ["no health_changed line on the socket: %r" % lines]
            # local3 (19) * 8 + crit (2): the group is critical.
            if not crit[0].startswith("<154>"):
                out.append("priority: %r" % crit[0][:40])
            if " rmtest[" not in crit[0] or "\n" in crit[0] or "\\x0ABcc" not in crit[0]:
                out.append("line: %r" % crit[0])
            return out
        rep.run(NAME + "syslog-priority-and-escaping", syslog)

        def test_alert():
            out = []
            p = d.run("test-alert")
            lines = sorted(p.stdout.strip().splitlines())
            want_ok = ["hook: ok", "json: ok", "log: ok", "mail: ok"]
            for w in want_ok:
                if w not in lines:
                    out.append("%r missing in %r" % (w, lines))
            if not [l for l in lines if l.startswith("hang: FAILED: ") and "timed out" in l]:
                out.append("hang not FAILED with the reason: %r" % lines)
            if p.returncode != 1:
                out.append("exit %d with a failing sink" % p.returncode)
            p = d.run("test-alert", ["--sink", "hook"])
            if p.returncode != 0 or p.stdout.strip() != "hook: ok":
                out.append("--sink hook: exit %d, %r" % (p.returncode, p.stdout))
            runs = hook_runs()
            if not runs or bytes.fromhex(runs[-1]["argv"][0]) != b"test":
                out.append("the hook did not get the test event")
            p = d.run("test-alert", ["--sink", "nosuch"])
            if p.returncode != 2 or "nosuch" not in p.stderr:
                out.append("--sink nosuch: exit %d, %r" % (p.returncode, p.stderr))
            return out
        rep.run(NAME + "test-alert", test_alert)

        check_schema(rep, NAME + "json-schema", events.read())

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)

        def held_mail_sent_at_stop():
            held = [m for m in mails(held_out) if "X-Redmon-Event: test" not in m["msg"]]
            if len(held) != 1:
                return ["%d mails of the held burst after the stop, want 1" % len(held)]
            body = email.message_from_string(held[0]["msg"]).get_payload()
            if not body.startswith("2 events of ") or '"event": "member_changed"' not in body:
                return ["the held mail: %r" % body[:200]]
            return []
        rep.run(NAME + "mail-burst-sent-at-stop", held_mail_sent_at_stop)
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            d.kill()
        if sock:
            sock.close()
        if rep.failed and d:
            sys.stderr.write("daemon stderr:\n" + d.stderr())
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

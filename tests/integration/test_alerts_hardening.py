#!/usr/bin/env python3
"""Programs redmon runs, files it opens and names it writes cannot be turned against it.

The real daemon on the fake probe, with: hooks in a world-writable directory or
behind a link into one (refused by --check-config, at start and before each run),
a hook that lists its descriptors while a webhook keeps a connection open (only
0, 1 and 2), a JSON Lines path replaced by a link, or behind a directory link
the service user made (refused, target untouched),
a hook's output with a tab and a backslash in sink_failed (escaped once), a
nonredundant group counted alike by `check` and `status`, the daemon started
with standard input and output closed (/dev/null takes them), and a system
host name holding a newline (one line everywhere; run in a UTS namespace).
"""

import email
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

import harness
from alerts_harness import Daemon, Events, Tree, has, ini, raid1, wait_until
from harness import TestError
from http_receiver import Receiver

NAME = "integration/alerts_hardening/"


def script(path, text, mode=0o755):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def marker_hook(path, out):
    """A hook that appends its event name to out."""
    script(path, "#!/bin/sh\necho \"$1\" >> %s\n" % out)


def lines(path):
    try:
        with open(path) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def check_config(build, tmp, conf, name):
    d = Daemon(build, tmp, conf, name=name)
    return d.run("daemon", ["--check-config"])


def untrusted_hooks(rep, build, tmp):
    """E3: --check-config and the daemon refuse hooks others can replace."""
    ww = os.path.join(tmp, "ww")
    os.mkdir(ww)
    os.chmod(ww, 0o777)
    out = os.path.join(tmp, "untrusted.out")
    marker_hook(os.path.join(ww, "hook"), out)
    os.symlink(os.path.join(ww, "hook"), os.path.join(tmp, "link-hook"))
    marker_hook(os.path.join(ww, "sendmail"), out)
    cases = {
        "hook-in-world-writable-dir": {"type": "exec", "command": os.path.join(ww, "hook")},
        "link-into-world-writable-dir": {"type": "exec", "command": os.path.join(tmp, "link-hook")},
        "sendmail-in-world-writable-dir": {"type": "mail", "mail_to": "ops@example.org",
                                           "sendmail": os.path.join(ww, "sendmail")},
    }
    for case, sink in cases.items():
        def one(sink=sink, case=case):
            conf = ini({"daemon": {"state_dir": os.path.join(tmp, "state-" + case)}, "sink.h": sink})
            p = check_config(build, tmp, conf, case)
            problems = []
            if p.returncode == 0 or "writable by everyone" not in p.stderr or ww not in p.stderr:
                problems.append("--check-config: exit %d, %r" % (p.returncode, p.stderr))
            d = Daemon(build, tmp, conf, name=case).start()
            try:
                rc = d.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                d.kill()
                rc = None
            if rc in (0, None) or "refusing to run" not in d.stderr():
                problems.append("daemon: exit %s, %s" % (rc, harness.tail(d.stderr())))
            if lines(out):
                problems.append("the hook ran: %r" % lines(out))
            return problems
        rep.run(NAME + "refused-" + case, one)


def checked_before_each_run(rep, build, tmp):
    """E3: a hook's directory made world-writable after start: the next run is refused."""
    hooks = os.path.join(tmp, "hooks")
    os.mkdir(hooks, 0o755)
    out = os.path.join(tmp, "each.out")
    marker_hook(os.path.join(hooks, "hook"), out)
    root = os.path.join(tmp, "each")
    os.mkdir(root)
    tree = Tree(root)
    tree.set(raid1("md0"))
    events = Events(os.path.join(root, "events.jsonl"))
    conf = ini({
        "daemon": {"state_dir": os.path.join(root, "state"), "rescan_interval": "100ms"},
        "sink.hook": {"type": "exec", "command": os.path.join(hooks, "hook"), "fail_after": "1"},
        "sink.json": {"type": "json", "path": events.path},
    })
    d = Daemon(build, root, conf).start()
    try:
        def run():
            events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
            wait_until(lambda: "group_appeared" in lines(out), "the first hook run", daemon=d)
            os.chmod(hooks, 0o777)
            tree.set(raid1("md0", failed=True))
            events.wait_for(lambda e: any(x["event"] == "sink_failed" and x.get("sink") == "hook"
                                          for x in e), "sink_failed about the hook", d)
            problems = []
            if "health_changed" in lines(out):
                problems.append("the hook ran from a world-writable directory")
            if "refusing to run" not in d.stderr() or "writable by everyone" not in d.stderr():
                problems.append("no reason in the log: %s" % harness.tail(d.stderr()))
            return problems
        rep.run(NAME + "checked-before-each-run", run)
    finally:
        d.kill()


def hook_descriptors(rep, build, tmp):
    """E6: a hook gets 0, 1 and 2 only, while the webhook holds its connection and curl its sockets."""
    root = os.path.join(tmp, "fds")
    os.mkdir(root)
    rx = Receiver(root)
    rx.start()
    out = os.path.join(root, "fds.jsonl")
    script(os.path.join(root, "hook.py"), """#!/usr/bin/python3
import json, os, sys
fds = {}
for fd in os.listdir("/proc/self/fd"):
    try:
        fds[fd] = os.readlink("/proc/self/fd/" + fd)
    except OSError:
        pass  # the listing's own descriptor, closed by now
with open(%r, "a") as f:
    f.write(json.dumps({"event": sys.argv[1], "fds": fds}) + "\\n")
""" % out)
    tree = Tree(root)
    tree.set(raid1("md0"))
    events = Events(os.path.join(root, "events.jsonl"))
    conf = ini({
        "daemon": {"state_dir": os.path.join(root, "state"), "rescan_interval": "100ms"},
        "sink.web": {"type": "webhook", "url": rx.url},
        "sink.hook": {"type": "exec", "command": os.path.join(root, "hook.py")},
        "sink.json": {"type": "json", "path": events.path},
    })
    d = Daemon(build, root, conf).start()
    try:
        def run():
            events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
            rx.wait_for(lambda r: len(r) >= 1, 10)
            tree.set(raid1("md0", failed=True))  # a second run, with a connection to reuse open
            events.wait_for(lambda e: has(e, "health_changed"), "health_changed", d)
            wait_until(lambda: len(lines(out)) >= 2, "two hook runs", daemon=d)
            problems = []
            with open(out) as f:
                for rec in (json.loads(l) for l in f):
                    if sorted(rec["fds"]) != ["0", "1", "2"]:
                        problems.append("%s: inherited %r" % (rec["event"], rec["fds"]))
            return problems
        rep.run(NAME + "hook-gets-fds-0-1-2-only", run)
    finally:
        d.kill()
        rx.stop()


def json_path_symlink(rep, build, tmp):
    """E4: a JSON Lines path that is a link (or a second hard link) is not opened."""
    root = os.path.join(tmp, "json")
    os.mkdir(root)
    Tree(root).set(raid1("md0"))
    target = os.path.join(root, "precious")
    with open(target, "w") as f:
        f.write("untouched\n")
    link = os.path.join(root, "events.jsonl")
    os.symlink(target, link)
    hard = os.path.join(root, "hard.jsonl")
    os.link(target, hard)
    for case, path, want in (("symlink", link, "symbolic link"), ("hardlink", hard, "hard links")):
        def one(path=path, want=want, case=case):
            conf = ini({"daemon": {"state_dir": os.path.join(root, "state")},
                        "sink.json": {"type": "json", "path": path}})
            d = Daemon(build, root, conf, name=case).start()
            try:
                rc = d.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                d.kill()
                rc = None
            problems = []
            if rc in (0, None) or want not in d.stderr():
                problems.append("exit %s, %s" % (rc, harness.tail(d.stderr())))
            with open(target) as f:
                if f.read() != "untouched\n":
                    problems.append("the link's target was written to")
            return problems
        rep.run(NAME + "json-path-" + case + "-refused", one)

    def dir_link(kind, file):
        """A link on the way planted by the service user (nobody's): refused, nothing made there."""
        victim = os.path.join(root, "victim-" + kind)
        os.mkdir(victim)
        planted = os.path.join(root, "logs-" + kind)
        os.symlink(victim, planted)
        os.lchown(planted, 65534, 65534)
        conf = ini({"daemon": {"state_dir": os.path.join(root, "state")},
                    "sink.out": {"type": kind, "path": os.path.join(planted, file)}})
        d = Daemon(build, root, conf, name="dir-link-" + kind).start()
        try:
            rc = d.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            d.kill()
            rc = None
        problems = []
        if rc in (0, None) or "symbolic link on the way" not in d.stderr():
            problems.append("exit %s, %s" % (rc, harness.tail(d.stderr())))
        if os.listdir(victim):
            problems.append("root made %s in the link's target" % os.listdir(victim))
        return problems
    for kind, file in (("json", "events.jsonl"), ("textfile", "redmon.prom")):
        if os.geteuid() != 0:
            rep.skip(NAME + kind + "-path-dir-link-refused", "needs root (a link owned by another user)")
        else:
            rep.run(NAME + kind + "-path-dir-link-refused", lambda k=kind, f=file: dir_link(k, f))


def sink_failed_escaped_once(rep, build, tmp):
    """H7: what a hook printed reaches sink_failed.error escaped once, as any text in the JSON."""
    root = os.path.join(tmp, "once")
    os.mkdir(root)
    tree = Tree(root)
    tree.set(raid1("md0"))
    script(os.path.join(root, "bad.sh"), "#!/bin/sh\nprintf 'disk\\tfull \\\\ %s\\n' \"$1\"\nexit 3\n")
    events = Events(os.path.join(root, "events.jsonl"))
    conf = ini({
        "daemon": {"state_dir": os.path.join(root, "state"), "rescan_interval": "100ms"},
        "sink.bad": {"type": "exec", "command": os.path.join(root, "bad.sh"), "fail_after": "1"},
        "sink.json": {"type": "json", "path": events.path},
    })
    d = Daemon(build, root, conf).start()
    try:
        def run():
            evs = events.wait_for(lambda e: has(e, "sink_failed"), "sink_failed", d)
            err = [e for e in evs if e["event"] == "sink_failed"][0].get("error", "")
            # docs/json.md: a backslash is "\\" in the text; the tab is JSON's \t.
            if "disk\tfull \\\\ group_appeared" not in err:
                return ["sink_failed.error %r" % err]
            return []
        rep.run(NAME + "sink-failed-error-escaped-once", run)
    finally:
        d.kill()


def check_counts_like_status(rep, build, tmp):
    """H7: a nonredundant group is not counted ok by check while status says 0 ok."""
    root = os.path.join(tmp, "check")
    os.mkdir(root)
    Tree(root).set(("raid0", 0, 0, [("sda", "active"), ("sdb", "active")]), raid1("md1"))
    d = Daemon(build, root, ini({"daemon": {"state_dir": os.path.join(root, "state")}}))

    def run():
        st = json.loads(d.run("status", ["--json"]).stdout)["summary"]
        p = d.run("check")
        problems = []
        if st["ok"] != 1 or st["nonredundant"] != 1:
            problems.append("status summary %r" % st)
        if "2 groups, 1 ok, 1 nonredundant" not in p.stdout or " ok=1 nonredundant=1 " not in p.stdout:
            problems.append("check: %r" % p.stdout)
        if p.returncode != 0:
            problems.append("check exit %d" % p.returncode)
        return problems
    rep.run(NAME + "check-counts-as-status", run)


def closed_std_fds(rep, build, tmp):
    """H7: started with stdin and stdout closed, /dev/null takes them; logs still reach stderr."""
    root = os.path.join(tmp, "closed")
    os.mkdir(root)
    Tree(root).set(raid1("md0"))
    events = Events(os.path.join(root, "events.jsonl"))
    d = Daemon(build, root, ini({
        "daemon": {"state_dir": os.path.join(root, "state"), "rescan_interval": "100ms"},
        "sink.json": {"type": "json", "path": events.path},
    }))
    err = open(d.err_path, "a")

    def close_in_out():
        os.close(0)
        os.close(1)
    d.err = err
    d.proc = subprocess.Popen(d.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                              env=harness.test_env(), preexec_fn=close_in_out)
    try:
        def run():
            events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
            problems = []
            for fd in (0, 1):
                where = os.readlink("/proc/%d/fd/%d" % (d.proc.pid, fd))
                if where != "/dev/null":
                    problems.append("fd %d is %s" % (fd, where))
            if "started:" not in d.stderr():
                problems.append("no log on stderr: %s" % harness.tail(d.stderr()))
            rc = d.stop()
            if rc != 0:
                problems.append("exit %s" % rc)
            return problems
        rep.run(NAME + "closed-stdin-stdout-get-dev-null", run)
    finally:
        d.kill()


SETHOST = """
import ctypes, os, sys
name = b"evil\\nBcc: x@example.org"
if ctypes.CDLL(None, use_errno=True).sethostname(name, len(name)) != 0:
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""


def hostname_with_newline(rep, build, tmp):
    """E2: gethostname() holding a newline: no mail header, one syslog line, no control byte."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or not unshare:
        rep.skip(NAME + "hostname-with-newline", "needs root and unshare(1) for a UTS namespace")
        return
    root = os.path.join(tmp, "host")
    os.mkdir(root)
    Tree(root).set(raid1("md0"))
    mail_out = os.path.join(root, "mail.txt")
    script(os.path.join(root, "sendmail"), "#!/bin/sh\ncat >> %s\n" % mail_out)
    sock_path = os.path.join(root, "log.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    events = Events(os.path.join(root, "events.jsonl"))
    d = Daemon(build, root, ini({
        "daemon": {"state_dir": os.path.join(root, "state"), "rescan_interval": "100ms"},
        "sink.mail": {"type": "mail", "mail_to": "ops@example.org",
                      "sendmail": os.path.join(root, "sendmail")},
        "sink.log": {"type": "syslog", "socket": sock_path},
        "sink.json": {"type": "json", "path": events.path},
    }))
    d.err = open(d.err_path, "a")
    d.proc = subprocess.Popen([unshare, "--uts", sys.executable, "-c", SETHOST] + d.argv(),
                              stdin=subprocess.DEVNULL, stdout=d.err, stderr=d.err, env=harness.test_env())
    try:
        def run():
            evs = events.wait_for(lambda e: has(e, "group_appeared"), "group_appeared", d)
            problems = []
            if evs[0].get("host") != "evil?Bcc: x@example.org":
                problems.append("host %r" % evs[0].get("host"))
            wait_until(lambda: os.path.exists(mail_out) and os.path.getsize(mail_out), "a mail", daemon=d)
            time.sleep(0.2)
            with open(mail_out) as f:
                msg = email.message_from_string(f.read())
            if msg["Bcc"] is not None:
                problems.append("the host name added a Bcc: header: %r" % msg.items())
            try:
                line = sock.recv(65536)
                if b"\n" in line or not line.startswith(b"<"):
                    problems.append("syslog line %r" % line)
            except socket.timeout:
                problems.append("no syslog line")
            return problems
        rep.run(NAME + "hostname-with-newline", run)
    finally:
        d.kill()
        sock.close()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-hard-")
    os.chmod(tmp, 0o755)
    try:
        untrusted_hooks(rep, args.build, tmp)
        checked_before_each_run(rep, args.build, tmp)
        hook_descriptors(rep, args.build, tmp)
        json_path_symlink(rep, args.build, tmp)
        sink_failed_escaped_once(rep, args.build, tmp)
        check_counts_like_status(rep, args.build, tmp)
        closed_std_fds(rep, args.build, tmp)
        hostname_with_newline(rep, args.build, tmp)
    except (TestError, RuntimeError) as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

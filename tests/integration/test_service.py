#!/usr/bin/env python3
"""redmon as a service: the systemd unit, the sd_notify protocol, privilege drop,
and the configuration checks an operator relies on.

  unit/verify          `systemd-analyze verify` accepts systemd/redmon.service
                       (ExecStart pointed at the build, man pages not required)
  unit/hardening       the directives the issue asks for are there, exactly:
                       started as root (no User=), the bounding set of the
                       drop and the privileged helper, no StateDirectory=,
                       a hard LimitNOFILE= of at least 65536
  unit/creds_*         as root under the unit's bounding set, NoNewPrivileges
                       and INVOCATION_ID (what systemd gives it), with
                       -o daemon.user=nobody: the daemon drops itself to nobody
                       with CAP_NET_ADMIN only, and with no command registered
                       no root process of redmon remains
  notify/*             the daemon under a fake NOTIFY_SOCKET: READY=1 after the
                       first scan with a STATUS= summary, WATCHDOG=1 at half of
                       WATCHDOG_USEC, a new STATUS= after a change, STOPPING=1
  privdrop/*           as root on a --root tree with -o daemon.user=nobody: the
                       uid, gid, groups and capabilities /proc/PID/status shows;
                       SIGHUP reload still works after the drop; an unknown user
                       refuses to start
  config/*             --check-config: file:line errors; hooks refused from a
                       config file or directory others can write

Every wait is bounded (STEP_TIMEOUT); nothing sleeps a fixed time.
"""

import os
import json
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness
from harness import TestError

STEP_TIMEOUT = 5.0
REPO = harness.REPO
UNIT = os.path.join(REPO, "systemd", "redmon.service")
CAP_NET_ADMIN = 12
# What the daemon keeps, what the drop needs, what the privileged helper keeps.
UNIT_CAPS = {"CAP_NET_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_CHOWN",
             "CAP_SYS_ADMIN", "CAP_SYS_RAWIO", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH"}


def wait_for(cond, timeout=STEP_TIMEOUT, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise TestError("timed out after %ss waiting for %s" % (timeout, what))


def unit_lines():
    out = {}
    for line in open(UNIT):
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            k, v = line.split("=", 1)
            out.setdefault(k, []).append(v)
    return out


def test_verify(build):
    exe = shutil.which("systemd-analyze")
    if not exe:
        return ["systemd-analyze is not installed (apt-get install systemd)"]
    with tempfile.TemporaryDirectory() as d:
        text = open(UNIT).read().replace("/usr/bin/redmon", os.path.join(build, "redmon"))
        path = os.path.join(d, "redmon.service")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([exe, "verify", "--man=no", path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
        if p.returncode != 0 or p.stdout.strip():
            return ["systemd-analyze verify (exit %d): %s" % (p.returncode, harness.tail(p.stdout))]
    return []


def test_hardening(build):
    u = unit_lines()
    want = {
        "Type": "notify", "Restart": "on-failure", "ProtectSystem": "strict",
        "ProtectHome": "yes", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
        "ReadWritePaths": "/var/lib/redmon /var/log/redmon -/var/lib/prometheus/node-exporter",
        # the control socket's directory, root's (the socket is made before the drop)
        "RuntimeDirectory": "redmon", "RuntimeDirectoryMode": "0755",
    }
    problems = ["%s=%s, want %s" % (k, u.get(k), v) for k, v in want.items() if u.get(k) != [v]]
    for k in ("User", "Group", "AmbientCapabilities", "StateDirectory", "LogsDirectory"):
        if k in u:
            problems.append("%s=%s: the daemon must start as root and drop itself" % (k, u[k]))
    caps = set(" ".join(u.get("CapabilityBoundingSet", [])).split())
    if caps != UNIT_CAPS:
        problems.append("CapabilityBoundingSet is %s, want %s" % (sorted(caps), sorted(UNIT_CAPS)))
    fams = set(" ".join(u.get("RestrictAddressFamilies", [])).split())
    if fams != {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}:
        problems.append("RestrictAddressFamilies is %s" % sorted(fams))
    if not u.get("WatchdogSec"):
        problems.append("no WatchdogSec")
    # The probes keep every file they re-read open when the limit allows
    # (fd_shares.c): a site's lower DefaultLimitNOFILE= must not decide it.
    nofile = u.get("LimitNOFILE", ["none"])[-1].split(":")[-1]
    if not nofile.isdigit() or int(nofile) < 65536:
        problems.append("LimitNOFILE's hard limit is %s, want at least 65536" % nofile)
    return problems


class Tree:
    """A copy of the demo tree to change under a running daemon."""

    def __init__(self, tmp):
        self.root = os.path.join(tmp, "root")
        shutil.copytree(os.path.join(REPO, "tests", "fixtures", "demo"), self.root, symlinks=True)

    def fail_md0_disk(self):
        md = os.path.join(self.root, "sys", "block", "md0", "md")
        with open(os.path.join(md, "dev-sdf1", "state"), "w") as f:
            f.write("faulty\n")
        with open(os.path.join(md, "degraded"), "w") as f:
            f.write("1\n")
        path = os.path.join(self.root, "proc", "mdstat")
        text = open(path).read().replace("sdf1[5] sde1", "sdf1[5](F) sde1")
        text = text.replace("[6/6] [UUUUUU]", "[6/5] [UUUUU_]")
        with open(path + ".new", "w") as f:
            f.write(text)
        os.rename(path + ".new", path)


def start(build, args, env=None):
    return subprocess.Popen([os.path.join(build, "redmon")] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env or harness.test_env(), start_new_session=True)


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    err = p.stderr.read().decode("utf-8", "replace")
    p.stdout.close()
    p.stderr.close()
    return err


def test_notify(build, rep):
    with tempfile.TemporaryDirectory() as tmp:
        tree = Tree(tmp)
        sock_path = os.path.join(tmp, "notify")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(sock_path)
        s.settimeout(0.1)
        msgs = []

        def recv_until(pred, what):
            def step():
                try:
                    msgs.append(s.recv(4096).decode())
                except socket.timeout:
                    pass
                return any(pred(m) for m in msgs)
            wait_for(step, what=what)

        env = dict(harness.test_env(), NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="200000")
        env.pop("WATCHDOG_PID", None)
        p = start(build, ["daemon", "--root", tree.root, "-o", "daemon.rescan_interval=1h",
                          "-o", "sink.out.type=json", "-o",
                          "sink.out.path=" + os.path.join(tmp, "events.jsonl")], env)
        try:
            def ready():
                recv_until(lambda m: "READY=1" in m, "READY=1")
                m = [m for m in msgs if "READY=1" in m][0]
                status = [l for l in m.splitlines() if l.startswith("STATUS=")]
                if not status or "groups:" not in status[0]:
                    return ["READY=1 without a STATUS= summary: %r" % m]
                r = harness.Redmon(build).run(["status", "--no-color", "--root", tree.root])
                want = "STATUS=" + r.stdout.strip().splitlines()[-1]
                if status[0] != want:
                    return ["%r, want %r (the last line of redmon status)" % (status[0], want)]
                return []
            rep.run("notify/ready", ready)

            def watchdog():
                del msgs[:]
                recv_until(lambda m: m == "WATCHDOG=1", "WATCHDOG=1 (1st)")
                n = len(msgs)
                recv_until(lambda m: m == "WATCHDOG=1" and msgs.index(m) >= 0 and
                           sum(1 for x in msgs if x == "WATCHDOG=1") >= 2, "WATCHDOG=1 (2nd)")
                return []
            rep.run("notify/watchdog", watchdog)

            def status_update():
                del msgs[:]
                tree.fail_md0_disk()
                recv_until(lambda m: m.startswith("STATUS=") and "1 degraded" in m,
                           "STATUS= with md0 degraded")
                return []
            rep.run("notify/status", status_update)

            def stopping():
                del msgs[:]
                p.send_signal(signal.SIGTERM)
                recv_until(lambda m: "STOPPING=1" in m, "STOPPING=1")
                rc = p.wait(STEP_TIMEOUT)
                return [] if rc == 0 else ["exit %d after SIGTERM" % rc]
            rep.run("notify/stopping", stopping)
        finally:
            err = stop(p)
            s.close()
            if rep.failed:
                print("daemon stderr: " + harness.tail(err, 12))


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def test_privdrop(build, rep):
    names = ("privdrop/uid", "privdrop/caps_bond", "privdrop/reload", "privdrop/no_caps",
             "privdrop/unknown_user")
    if os.geteuid() != 0:
        for n in names:
            rep.skip(n, "needs root")
        return
    nobody = pwd.getpwnam("nobody")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        tree = Tree(tmp)
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        os.chown(out, nobody.pw_uid, nobody.pw_gid)
        events = os.path.join(out, "events.jsonl")
        p = start(build, ["daemon", "--root", tree.root, "-o", "daemon.user=nobody",
                          "-o", "daemon.rescan_interval=1h", "-o", "sink.out.type=json",
                          "-o", "sink.out.path=" + events])
        try:
            def dropped():
                st = wait_for(lambda: (lambda s: s if s["Uid"][0] != "0" else None)(
                    proc_status(p.pid)), what="the uid to change")
                probs = []
                for k, want in (("Uid", nobody.pw_uid), ("Gid", nobody.pw_gid)):
                    if st[k] != [str(want)] * 4:
                        probs.append("%s %s, want %d x4" % (k, st[k], want))
                groups = [int(g) for g in st.get("Groups", [])]
                if any(g not in os.getgrouplist("nobody", nobody.pw_gid) for g in groups):
                    probs.append("supplementary groups %s are not nobody's" % groups)
                return probs
            rep.run("privdrop/uid", dropped)

            def caps():
                st = proc_status(p.pid)
                want = 1 << CAP_NET_ADMIN
                probs = []
                for k in ("CapEff", "CapPrm", "CapBnd"):
                    if int(st[k][0], 16) != want:
                        probs.append("%s %s, want CAP_NET_ADMIN only (%x)" % (k, st[k][0], want))
                if int(st["CapAmb"][0], 16) or int(st["CapInh"][0], 16):
                    probs.append("inheritable/ambient capabilities %s/%s" % (st["CapInh"], st["CapAmb"]))
                return probs
            rep.run("privdrop/caps_bond", caps)

            def reload():
                # The uid changes before the first scan: wait for it to see md0
                # healthy, so that the failure below is a change.
                def appeared():
                    return any(e.get("event") == "group_appeared" and e["group"]["id"] == "md:md0"
                               for e in harness.json_lines(events))
                wait_for(appeared, what="md0's group_appeared")
                p.send_signal(signal.SIGHUP)
                tree.fail_md0_disk()

                def seen():
                    return any(e.get("event") == "health_changed" and e["group"]["id"] == "md:md0"
                               for e in harness.json_lines(events))
                wait_for(seen, what="md0's health_changed after the reload")
                if p.poll() is not None:
                    return ["daemon exited %d after SIGHUP" % p.returncode]
                if proc_status(p.pid)["Uid"][0] != str(nobody.pw_uid):
                    return ["uid changed after reload"]
                return []
            rep.run("privdrop/reload", reload)
        finally:
            err = stop(p)
            if "reload failed" in err:
                rep.fail("privdrop/reload_log", harness.tail(err))

        q = start(build, ["daemon", "--root", tree.root, "-o", "daemon.user=nobody",
                          "-o", "probe.bond.enabled=no", "-o", "daemon.rescan_interval=1h",
                          "-o", "sink.out.type=json", "-o", "sink.out.path=" + events])
        try:
            def no_caps():
                st = wait_for(lambda: (lambda s: s if s["Uid"][0] != "0" else None)(
                    proc_status(q.pid)), what="the uid to change")
                return [] if int(st["CapEff"][0], 16) == 0 and int(st["CapPrm"][0], 16) == 0 \
                    else ["CapEff %s CapPrm %s without the bond probe" % (st["CapEff"], st["CapPrm"])]
            rep.run("privdrop/no_caps", no_caps)
        finally:
            stop(q)

        def unknown_user():
            r = harness.Redmon(build).run(["daemon", "--root", tree.root, "-o",
                                           "daemon.user=redmon-no-such-user", "-o",
                                           "sink.out.type=json", "-o", "sink.out.path=" + events])
            if r.returncode == 0:
                return ["started with an unknown user"]
            if "redmon-no-such-user" not in r.stderr:
                return ["error does not name the user: %s" % harness.tail(r.stderr)]
            return []
        rep.run("privdrop/unknown_user", unknown_user)


def redmon_pids(build):
    """Every process running this build's redmon or redmond (what `redmon daemon`
    execs, same PID): pid -> /proc/PID/status."""
    exes = {os.path.realpath(os.path.join(build, x)) for x in ("redmon", "redmond")}
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/exe" % d) in exes:
                out[int(d)] = proc_status(int(d))
        except OSError:
            pass
    return out


def test_unit_creds(build, rep):
    """The unit's start without systemd: root, its bounding set, NoNewPrivileges, INVOCATION_ID."""
    names = ("unit/creds_drop", "unit/creds_no_root_left")
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        for n in names:
            rep.skip(n, "needs root and setpriv")
        return
    nobody = pwd.getpwnam("nobody")
    bounding = ",".join("+" + c[len("CAP_"):].lower() for c in sorted(UNIT_CAPS))
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        tree = Tree(tmp)
        env = dict(harness.test_env(), INVOCATION_ID="0" * 32)
        p = subprocess.Popen(
            ["setpriv", "--bounding-set=-all," + bounding, "--no-new-privs",
             os.path.join(build, "redmon"), "daemon", "--root", tree.root,
             "-o", "daemon.user=nobody", "-o", "daemon.rescan_interval=1h",
             "-o", "daemon.state_dir=" + os.path.join(tmp, "state")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            start_new_session=True)
        try:
            def dropped():
                st = wait_for(lambda: (lambda s: s if s["Uid"][0] != "0" else None)(
                    proc_status(p.pid)), what="the uid to change")
                probs = []
                if st["Uid"] != [str(nobody.pw_uid)] * 4:
                    probs.append("Uid %s, want %d x4" % (st["Uid"], nobody.pw_uid))
                for k in ("CapEff", "CapPrm", "CapBnd"):
                    if int(st[k][0], 16) != 1 << CAP_NET_ADMIN:
                        probs.append("%s %s, want CAP_NET_ADMIN only" % (k, st[k][0]))
                return probs
            rep.run("unit/creds_drop", dropped)

            def no_root_left():
                # The helper is forked before the drop and, with no command
                # registered, told to exit at the seal, before the drop.
                def roots():
                    return {pid: st for pid, st in redmon_pids(build).items()
                            if (pid == p.pid or st.get("PPid") == [str(p.pid)]) and
                            "0" in st["Uid"]}
                try:
                    wait_for(lambda: not roots(), what="no root process of redmon")
                except TestError:
                    return ["root processes of redmon remain: %s" % sorted(roots())]
                if p.poll() is not None:
                    return ["daemon exited %d" % p.returncode]
                return []
            rep.run("unit/creds_no_root_left", no_root_left)
        finally:
            stop(p)


def test_config(build, rep):
    rm = harness.Redmon(build)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        conf = os.path.join(tmp, "redmon.conf")
        with open(conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 30s\nrescan = 5\n")

        def file_line():
            r = rm.run(["daemon", "-c", conf, "--check-config"])
            if r.returncode == 0:
                return ["--check-config accepted an unknown key"]
            if "%s:3:" % conf not in r.stderr:
                return ["no file:line in %r" % harness.tail(r.stderr)]
            return []
        rep.run("config/check_file_line", file_line)

        def good():
            with open(conf, "w") as f:
                f.write("[daemon]\nrescan_interval = 30s\n")
            r = rm.run(["daemon", "-c", conf, "--check-config"])
            return [] if r.returncode == 0 else ["exit %d: %s" % (r.returncode, harness.tail(r.stderr))]
        rep.run("config/check_ok", good)

        hook = "[sink.page]\ntype = exec\ncommand = /bin/true\n"
        with open(conf, "w") as f:
            f.write(hook)
        os.chmod(conf, 0o644)
        r = rm.run(["daemon", "-c", conf, "--check-config"])
        if r.returncode != 0 and "type" in r.stderr and "exec" in r.stderr:
            rep.skip("config/hook_*", "this build has no exec sink yet: %s" % harness.tail(r.stderr))
            return
        rep.check("config/hook_safe", [] if r.returncode == 0 else
                  ["safe hook config refused: %s" % harness.tail(r.stderr)])
        os.chmod(conf, 0o666)
        r = rm.run(["daemon", "-c", conf, "--check-config"])
        rep.check("config/hook_file_writable",
                  [] if r.returncode != 0 and "writable" in r.stderr else
                  ["world-writable hook config: exit %d %s" % (r.returncode, harness.tail(r.stderr))])
        os.chmod(conf, 0o644)
        os.chmod(tmp, 0o777)
        r = rm.run(["daemon", "-c", conf, "--check-config"])
        os.chmod(tmp, 0o755)
        rep.check("config/hook_dir_writable",
                  [] if r.returncode != 0 and "writable" in r.stderr else
                  ["hook config in a world-writable dir: exit %d %s" % (r.returncode, harness.tail(r.stderr))])
        prog = os.path.join(tmp, "hook")
        with open(prog, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(prog, 0o757)
        with open(conf, "w") as f:
            f.write(hook.replace("/bin/true", prog))
        r = rm.run(["daemon", "-c", conf, "--check-config"])
        rep.check("config/hook_program_writable",
                  [] if r.returncode != 0 and "writable" in r.stderr and prog in r.stderr else
                  ["world-writable hook program: exit %d %s" % (r.returncode, harness.tail(r.stderr))])
        os.chmod(prog, 0o755)
        r = rm.run(["daemon", "-c", conf, "--check-config"])
        rep.check("config/hook_program_safe", [] if r.returncode == 0 else
                  ["safe hook program refused: %s" % harness.tail(r.stderr)])
        r = rm.run(["status", "-c", conf, "--root", os.path.join(REPO, "tests", "fixtures", "demo")])
        rep.check("config/hook_status_unaffected", [] if r.returncode == 0 else
                  ["status refused a hook config: %s" % harness.tail(r.stderr)])


def test_plugin_trust(build, rep):
    """A plugin runs as root at the daemon's start: one that someone else
    could replace, or one in a directory they can write, is refused with the
    entry to fix, as a hook is; the rest load."""
    rm = harness.Redmon(build)
    demo = os.path.join(REPO, "tests", "fixtures", "demo")
    with tempfile.TemporaryDirectory() as tmp:
        plugins = os.path.join(tmp, "plugins")
        os.mkdir(plugins, 0o755)
        for name in ("md", "bond"):
            shutil.copy(os.path.join(build, "plugins", name + ".so"), plugins)
            os.chmod(os.path.join(plugins, name + ".so"), 0o755)
        os.chmod(tmp, 0o755)

        def status():
            r = rm.run(["status", "--json", "--root", demo, "--plugin-dir", plugins])
            doc = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
            ids = {g["id"] for g in doc.get("groups", [])}
            return r, ids

        r, ids = status()
        rep.check("plugin_trust/safe_loaded", [] if "md:md0" in ids and "not loaded" not in r.stderr else
                  ["safe plugins: groups %s, %s" % (sorted(ids), harness.tail(r.stderr))])

        md = os.path.join(plugins, "md.so")
        os.chmod(md, 0o775)
        r, ids = status()
        rep.check("plugin_trust/file_group_writable",
                  [] if "md:md0" not in ids and "%s is writable by its group" % md in r.stdout + r.stderr
                  else ["group-writable md.so: groups %s, %s" % (sorted(ids), harness.tail(r.stdout + r.stderr))])
        os.chmod(md, 0o755)

        os.chmod(plugins, 0o777)
        r, ids = status()
        rep.check("plugin_trust/dir_world_writable",
                  [] if not ids and "%s is writable by everyone" % plugins in r.stdout + r.stderr
                  else ["world-writable plugin dir: groups %s, %s" % (sorted(ids), harness.tail(r.stdout + r.stderr))])
        os.chmod(plugins, 0o755)

        if os.geteuid() == 0:
            os.chown(md, 4242, 0)
            r, ids = status()
            rep.check("plugin_trust/file_other_owner",
                      [] if "md:md0" not in ids and "owned by uid 4242" in r.stdout + r.stderr
                      else ["md.so of uid 4242: groups %s, %s" % (sorted(ids), harness.tail(r.stdout + r.stderr))])


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    rep.run("unit/verify", test_verify, args.build)
    rep.run("unit/hardening", test_hardening, args.build)
    test_notify(args.build, rep)
    test_privdrop(args.build, rep)
    test_unit_creds(args.build, rep)
    test_config(args.build, rep)
    test_plugin_trust(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Configuration files that are not what they should be (issue 12: F1, G, H4, H5, E7).

check/*   `redmon daemon --check-config` on a directory, a FIFO, /dev/zero and an
          oversize file fails at once, naming the reason; a long line works; a file
          with several errors has each reported with its line, then the count
          ("redmon: FILE: 5 errors"; "redmon: FILE: OK" when good); and it
          rejects what the daemon would fail on later: a user that does not exist, a
          relative state_dir, an ipmi password_file that is missing or open to others
          (the daemon refuses to start on it too; `status` does not block on a FIFO),
          an SNMPv3 password file open to others or a symlink.
reload/*  a daemon on the fake probe, its config then replaced by a directory, a FIFO,
          an oversize file or a file with a bad line, and SIGHUP: the error is
          logged, the daemon answers at once, and the old config stays in force (its
          JSON sink receives the next event).
"""

import os
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import TestError  # noqa: E402
from alerts_harness import Daemon, Events, Tree, has, ini, raid1, wait_until  # noqa: E402

PROMPT = 10  # seconds: a command that hangs fails the test instead of the run


def check_config(rm, args):
    return rm.run(["daemon", "--check-config"] + args, timeout=PROMPT)


def refused(r, *needles):
    """Problems unless r failed with every needle in its stderr."""
    if r.returncode == 0:
        return ["accepted: %s" % harness.tail(r.stdout + r.stderr)]
    missing = [n for n in needles if n not in r.stderr]
    return ["error lacks %s: %s" % (missing, harness.tail(r.stderr))] if missing else []


def accepted(r):
    return [] if r.returncode == 0 else ["refused: %s" % harness.tail(r.stderr)]


def secret(path, mode, text="s3cret-password\n"):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def test_check(build, rep, tmp):
    rm = harness.Redmon(build)
    root = os.path.join(tmp, "root")
    os.makedirs(root)
    base = ["--root", root]

    rep.run("check/directory", lambda: refused(check_config(rm, base + ["-c", tmp]),
                                               tmp + ": a directory"))
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    rep.run("check/fifo", lambda: refused(check_config(rm, base + ["-c", fifo]), "a FIFO"))
    rep.run("check/dev_zero", lambda: refused(check_config(rm, base + ["-c", "/dev/zero"]),
                                              "/dev/zero: a device"))
    big = os.path.join(tmp, "big.conf")
    with open(big, "w") as f:
        f.write(("#" * 79 + "\n") * (1024 * 1024 // 80 + 1))
    rep.run("check/oversize", lambda: refused(check_config(rm, base + ["-c", big]), "larger than"))

    conf = os.path.join(tmp, "long.conf")
    url = "https://hooks.example.org/" + "x" * 4000

    def long_line():
        with open(conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 1h\n[sink.web]\ntype = webhook\n"
                    "url = %s\nremind = 2m  # inline comment\n" % url)
        out = accepted(check_config(rm, base + ["-c", conf]))
        with open(conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 1h\n\nhostname = %s\n" % ("h" * 70000))
        return out + refused(check_config(rm, base + ["-c", conf]), conf + ":4: line too long")
    rep.run("check/long_line", long_line)

    def several_errors():
        # Every problem at once, each where it is, then the count for the file.
        conf = os.path.join(tmp, "several.conf")
        with open(conf, "w") as f:
            f.write("[daemon]\nrescan_interval = soon\nprogress_step = 0\n"
                    "[sink.hook]\ntype = exec\ncommand = relative\n"
                    "[probe.md]\nno_such_key = 1\n")
        r = check_config(rm, base + ["-c", conf, "-o", "daemon.user=redmon-nosuchuser"])
        return refused(r, conf + ":2: daemon.rescan_interval", conf + ":3: daemon.progress_step",
                       conf + ":6: sink.hook.command: must be an absolute path",
                       conf + ":8: unknown key 'no_such_key' in [probe.md]",
                       "-o daemon.user: [daemon] user: no user 'redmon-nosuchuser'",
                       "redmon: %s: 5 errors" % conf)
    rep.run("check/several_errors", several_errors)

    def names_file():
        conf = os.path.join(tmp, "good.conf")
        with open(conf, "w") as f:
            f.write("[daemon]\nrescan_interval = 1m\n")
        r = check_config(rm, base + ["-c", conf])
        if r.returncode != 0:
            return ["refused: %s" % harness.tail(r.stderr)]
        return [] if "redmon: %s: OK" % conf in r.stdout else ["stdout: %r" % r.stdout]
    rep.run("check/ok_names_file", names_file)
    rep.run("check/one_error_counted", lambda: refused(
        check_config(rm, base + ["-o", "daemon.log=console"]),
        "-o daemon.log: daemon.log: 'console' is not one of stderr|syslog",
        "redmon: no configuration file: 1 error\n"))

    rep.run("check/no_such_user", lambda: refused(
        check_config(rm, base + ["-o", "daemon.user=redmon-nosuchuser"]), "redmon-nosuchuser"))
    rep.run("check/relative_state_dir", lambda: refused(
        check_config(rm, base + ["-o", "daemon.state_dir=var/state"]), "state_dir", "absolute"))

    ipmi = ["-o", "probe.ipmi.driver=lan", "-o", "probe.ipmi.host=127.0.0.1:1"]
    if not os.path.exists(os.path.join(build, "plugins", "ipmi.so")):
        rep.skip("check/ipmi_*", "the ipmi plugin is not built")
    else:
        pw = os.path.join(tmp, "bmc.pw")
        opt = ["-o", "probe.ipmi.password_file=" + pw]
        rep.run("check/ipmi_password_missing", lambda: refused(
            check_config(rm, base + ipmi + opt), pw, "No such file"))
        rep.run("check/ipmi_password_0644", lambda: refused(
            check_config(rm, base + ipmi + opt) if secret(pw, 0o644) else None, pw, "mode 0644"))
        rep.run("check/ipmi_password_0600", lambda: accepted(
            check_config(rm, base + ipmi + opt) if secret(pw, 0o600) else None))

        def daemon_refuses():
            secret(pw, 0o644)
            r = rm.run(["daemon"] + base + ipmi + opt, timeout=PROMPT)
            return refused(r, pw, "mode 0644")
        rep.run("check/ipmi_password_daemon_start", daemon_refuses)

        def status_fifo():
            # One-shot commands leave secret files to the plugin: it must not
            # block in open() of a FIFO either.
            f = os.path.join(tmp, "bmc.fifo")
            os.mkfifo(f, 0o600)
            r = rm.run(["status"] + base + ipmi + ["-o", "probe.ipmi.password_file=" + f],
                       timeout=PROMPT)
            return [] if "must be a regular file" in r.stderr else \
                ["ipmi did not refuse the FIFO: %s" % harness.tail(r.stderr)]
        rep.run("check/ipmi_password_fifo_status", status_fifo)

    auth = os.path.join(tmp, "snmp-auth")
    v3 = ["-o", "snmp.trap_v3=127.0.0.1:1", "-o", "snmp.v3_user=u",
          "-o", "snmp.v3_auth_password_file=" + auth]
    rep.run("check/v3_password_0644", lambda: refused(
        check_config(rm, base + v3) if secret(auth, 0o644) else None, auth, "mode 0644"))
    rep.run("check/v3_password_0640", lambda: refused(
        check_config(rm, base + v3) if secret(auth, 0o640) else None, auth, "its group"))
    rep.run("check/v3_password_0600", lambda: accepted(
        check_config(rm, base + v3) if secret(auth, 0o600) else None))
    link = os.path.join(tmp, "snmp-auth-link")
    os.symlink(auth, link)
    rep.run("check/v3_password_symlink", lambda: refused(
        check_config(rm, base + v3 + ["-o", "snmp.v3_auth_password_file=" + link]), "symbolic link"))


def replace_with(path, kind):
    """Put something that is not a good config where the config file was."""
    os.unlink(path)
    if kind == "directory":
        os.mkdir(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "oversize":
        with open(path, "w") as f:
            f.write(("#" * 79 + "\n") * (1024 * 1024 // 80 + 1))
    elif kind == "bad_line":
        with open(path, "w") as f:
            f.write("[daemon]\nrescan_interval = 100ms\nthis is not a key\n")


def undo(path):
    if os.path.isdir(path):
        os.rmdir(path)
    else:
        os.unlink(path)


def refused_reload(d, events, tree, kind, needle):
    """SIGHUP with the config replaced: refused, logged, the old config still in force."""
    n_err = len(d.stderr())
    t0 = time.monotonic()
    d.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "keeping the running configuration" in d.stderr()[n_err:],
               "the reload refused", daemon=d)
    out = []
    if needle not in d.stderr()[n_err:]:
        out.append("log lacks %r: %s" % (needle, harness.tail(d.stderr()[n_err:])))
    if time.monotonic() - t0 > 5:
        out.append("the reload took %.1fs" % (time.monotonic() - t0))
    # The old config: its sink gets the next event (an empty config would send it
    # to stdout), found by the old 100ms rescan.  Each case flips sdb.
    n = len(events.read())
    tree.set(raid1("md0", failed=kind in ("directory", "oversize")))
    events.wait_for(lambda evs: len(evs) > n, "the next event in the old sink", d)
    return out


def test_reload(build, rep, tmp):
    events = Events(os.path.join(tmp, "events.jsonl"))
    tree = Tree(tmp)
    tree.set(raid1("md0"))
    text = ini({"daemon": {"rescan_interval": "100ms"},
                "sink.log": {"type": "json", "path": events.path}})
    d = Daemon(build, tmp, text)
    failed = False
    try:
        d.start()
        events.wait_for(lambda evs: has(evs, "group_appeared"), "group_appeared at start", d)
        for kind, needle in (("directory", "a directory"), ("fifo", "a FIFO"),
                             ("oversize", "larger than"), ("bad_line", ":3: syntax error")):
            def case(kind=kind, needle=needle):
                replace_with(d.conf, kind)
                try:
                    return refused_reload(d, events, tree, kind, needle)
                finally:
                    undo(d.conf)
                    d.write_conf(text)
            rep.run("reload/" + kind, case)
        rc = d.stop()
        failed = rc != 0
        rep.check("reload/clean_stop", ["exit %s: %s" % (rc, harness.tail(d.stderr()))] if failed else [])
        rep.check("reload/sanitizer", d.sanitizer_problems())
    except TestError as e:
        rep.fail("reload/daemon", str(e))
    finally:
        d.kill()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    with tempfile.TemporaryDirectory(prefix="rm-cfgfiles-") as tmp:
        os.chmod(tmp, 0o755)
        check = os.path.join(tmp, "check")
        reload_ = os.path.join(tmp, "reload")
        os.makedirs(check)
        os.makedirs(reload_)
        test_check(args.build, rep, check)
        test_reload(args.build, rep, reload_)
    rep.exit()


if __name__ == "__main__":
    main()

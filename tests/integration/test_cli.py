#!/usr/bin/env python3
"""The command line: each command's own help (`redmon help COMMAND`, `COMMAND
--help`), options that do not apply to a command or that conflict are usage
errors (UNKNOWN for check), `status --watch` refuses a pipe, and `status --test`
exits as `mdadm --detail --test` does from the worst group (0 ok, 1 degraded or
critical, 2 failed, 4 unknown), on trees of the fake probe.  Without -c every
command reads $REDMON_CONF (set but empty: no file) and says so on stderr.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from alerts_harness import Tree

NAME = "integration/cli/"


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = os.path.join(args.build, "redmon")
    plugins = os.path.join(args.build, "tests", "probes")
    tmp = tempfile.mkdtemp(prefix="rm-cli-")

    def run(*argv, stdin=subprocess.DEVNULL):
        return subprocess.run([redmon] + list(argv), stdin=stdin, capture_output=True, text=True,
                              env=harness.test_env(), timeout=30)

    try:
        def command_help():
            out = []
            a, b = run("help", "status"), run("status", "--help")
            if a.returncode != 0 or a.stdout != b.stdout:
                out.append("help status (exit %d) and status --help differ" % a.returncode)
            for opt in ("--json", "--test", "--watch", "--no-color", "--root"):
                if opt not in a.stdout:
                    out.append("status's help lacks %s" % opt)
            for opt in ("--sink", "--check-config", "--user"):
                if opt in a.stdout:
                    out.append("status's help lists %s, which it does not take" % opt)
            c = run("help", "check").stdout
            if "--json" in c or "--root" not in c:
                out.append("check's help: %r" % c)
            d = run("help", "nosuch")
            if d.returncode != 2 or "unknown command 'nosuch'" not in d.stderr:
                out.append("help nosuch: exit %d %r" % (d.returncode, d.stderr))
            return out
        rep.run(NAME + "help-per-command", command_help)

        def usage_errors():
            out = []
            for argv, code, said in ((["check", "--json"], 3, "--json does not apply to 'check'"),
                                     (["status", "--watch", "--json"], 2, "not with --json"),
                                     (["status", "--watch", "--test"], 2, "not with --test"),
                                     (["status", "--sink", "x"], 2, "--sink does not apply"),
                                     (["daemon", "--watch"], 2, "--watch does not apply")):
                p = run(*argv)
                if p.returncode != code or said not in p.stderr:
                    out.append("%s: exit %d, stderr %r" % (" ".join(argv), p.returncode, p.stderr))
            if "REDMON UNKNOWN" not in run("check", "--json").stdout:
                out.append("check's usage error is not a Nagios UNKNOWN line")
            return out
        rep.run(NAME + "options-that-do-not-apply", usage_errors)

        def watch_pipe():
            p = run("status", "--watch", "--root", tmp, "--plugin-dir", plugins)
            if p.returncode != 2 or "needs a terminal" not in p.stderr or p.stdout:
                return ["status --watch into a pipe: exit %d %r %r" % (p.returncode, p.stdout,
                                                                        p.stderr)]
            return []
        rep.run(NAME + "watch-refuses-a-pipe", watch_pipe)

        tree = Tree(tmp)

        def default_config():
            tree.set(("md0", 1, 1, [("sda", "active"), ("sdb", "active")]))
            conf = os.path.join(tmp, "redmon.conf")
            with open(conf, "w") as f:
                f.write("[probe.fake]\nenabled = no\n")
            env = dict(harness.test_env(), REDMON_CONF=conf)
            argv = [redmon, "status", "--root", tmp, "--plugin-dir", plugins]
            p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
            out = []
            if "reading %s (REDMON_CONF)" % conf not in p.stderr:
                out.append("status did not say which file it read: %r" % p.stderr)
            if "md0" in p.stdout:
                out.append("status ignored REDMON_CONF's [probe.fake] enabled = no")
            c = subprocess.run([redmon, "daemon", "--check-config", "--plugin-dir", plugins],
                               env=env, capture_output=True, text=True, timeout=30)
            if c.returncode != 0 or "redmon: %s: OK" % conf not in c.stdout:
                out.append("daemon --check-config without -c: %d %r" % (c.returncode, c.stdout))
            p = subprocess.run(argv, env=dict(env, REDMON_CONF=""), capture_output=True,
                               text=True, timeout=30)
            if "md0" not in p.stdout or "reading" in p.stderr:
                out.append("REDMON_CONF empty: want no file read: %r %r" % (p.stdout, p.stderr))
            # -c wins over the environment
            p = subprocess.run(argv + ["-c", "/dev/null/nonexistent"], env=env, capture_output=True,
                               text=True, timeout=30)
            if p.returncode == 0 or "(REDMON_CONF)" in p.stderr:
                out.append("-c did not win over REDMON_CONF: %r" % p.stderr)
            return out
        rep.run(NAME + "config-without-c", default_config)

        def sort_orders():
            ok2 = [("a", "active"), ("b", "active")]
            tree.set(("md10", 1, 1, ok2), ("md2", 0, 1, [("a", "active"), ("b", "failed")]),
                     ("md1", 1, 1, ok2), ("c0/v10", -1, 1, []), ("c0/v9", 1, 1, ok2))
            base = ["--root", tmp, "--plugin-dir", plugins]
            out = []

            def table_ids(extra):
                p = run("status", *(base + extra))
                return [l.split()[0] for l in p.stdout.splitlines()
                        if l.startswith("fake:")]

            def json_ids(extra):
                p = run("status", "--json", *(base + extra))
                return [g["id"] for g in json.loads(p.stdout)["groups"] if g["id"].startswith("fake:")]
            natural = ["fake:c0/v9", "fake:c0/v10", "fake:md1", "fake:md2", "fake:md10"]
            worst = ["fake:c0/v10", "fake:md2", "fake:c0/v9", "fake:md1", "fake:md10"]
            for what, got, want in (("table", table_ids([]), natural),
                                    ("json", json_ids([]), natural),
                                    ("table --sort worst", table_ids(["--sort", "worst"]), worst),
                                    ("json --sort worst", json_ids(["--sort", "worst"]), worst)):
                if got != want:
                    out.append("%s: %s, want %s" % (what, got, want))
            p = run("status", "--sort", "size", *base)
            if p.returncode != 2 or "name or worst" not in p.stderr:
                out.append("--sort size: exit %d %r" % (p.returncode, p.stderr))
            return out
        rep.run(NAME + "sort-natural-and-worst", sort_orders)

        def check_nagios():
            ok2 = [("a", "active"), ("b", "active")]
            base = ["--root", tmp, "--plugin-dir", plugins, "-o", "probe.cmd.enabled=no"]
            out = []
            tree.set(("md0", 1, 1, ok2))
            p = run("check", *base)
            if p.returncode != 0 or not p.stdout.startswith("REDMON OK - 1 group, 1 ok |"):
                out.append("one ok group: exit %d %r (want '1 group', singular)"
                           % (p.returncode, p.stdout))
            if len(p.stdout.splitlines()) != 1:
                out.append("a long output with nothing wrong: %r" % p.stdout)
            tree.set(("md0", 1, 1, ok2),
                     ("md1", 0, 1, [("sda", "active"), ("sdb", "failed")]),
                     ("md2", 1, 2, [("a", "active"), ("b", "failed"), ("c", "active")]))
            p = run("check", *base)
            lines = p.stdout.splitlines()
            st = run("status", "--json", *base)
            summary = json.loads(st.stdout)["summary"]
            if p.returncode != 2 or not lines[0].startswith("REDMON CRITICAL - 3 groups, 1 ok;"):
                out.append("critical: exit %d %r" % (p.returncode, lines[:1]))
            for k in ("groups", "ok", "degraded", "critical", "failed", "unknown"):
                v = summary[k]
                if " %s=%s " % (k, v) not in lines[0] + " ":
                    out.append("perfdata %s disagrees with status (%s): %r" % (k, v, lines[0]))
            want = ["fake:md1 (raid1) critical, tolerates 0 more failures",
                    "fake:md2 (raid1) degraded, tolerates 1 more failure"]
            if len(lines) != 3 or not all(lines[1 + i].startswith(w) for i, w in enumerate(want)):
                out.append("long output, worst first, a line per group not ok: %r" % lines[1:])
            elif "members out: sdb failed" not in lines[1]:
                out.append("the failed member is not named: %r" % lines[1])
            p = run("check", "--exclude", "fake:md1", *base)
            if p.returncode != 1 or "fake:md1" in p.stdout or "2 groups" not in p.stdout:
                out.append("--exclude fake:md1: exit %d %r" % (p.returncode, p.stdout))
            p = run("check", "--expect", "fake:md9", "--exclude", "fake:md[12]", *base)
            if p.returncode != 2 or "expected group fake:md9 is gone" not in p.stdout:
                out.append("--expect fake:md9: exit %d %r" % (p.returncode, p.stdout))
            tree.set()
            for extra, code in (([], 3), (["--empty", "ok"], 0), (["--empty", "warning"], 1),
                                (["--empty", "critical"], 2)):
                p = run("check", *(base + extra))
                if p.returncode != code or "no redundancy groups found" not in p.stdout:
                    out.append("nothing found %s: exit %d %r" % (extra, p.returncode, p.stdout))
            p = run("check", "--empty", "maybe", *base)
            if p.returncode != 3 or "REDMON UNKNOWN" not in p.stdout:
                out.append("--empty maybe: exit %d %r" % (p.returncode, p.stdout))
            return out
        rep.run(NAME + "check-long-output-and-options", check_nagios)

        def check_timeout():
            # A probe stuck in its scan: -t 1 answers UNKNOWN in about a second.
            hang = os.path.join(tmp, "hang-plugins")
            os.makedirs(hang, exist_ok=True)
            cc = subprocess.run([os.environ.get("CC", "cc"), "-std=gnu11", "-O1", "-fPIC", "-shared",
                                 "-I", os.path.join(harness.REPO, "include"), "-o",
                                 os.path.join(hang, "hang.so"),
                                 os.path.join(harness.REPO, "tests", "fault", "hang_plugin.c")],
                                capture_output=True, text=True)
            if cc.returncode != 0:
                return ["cannot build the hang plugin: %s" % cc.stderr]
            open(os.path.join(tmp, "hang"), "w").close()
            t0 = time.monotonic()
            p = run("check", "-t", "1", "--root", tmp, "--plugin-dir", hang,
                    "-o", "daemon.probe_timeout=1h")
            took = time.monotonic() - t0
            os.unlink(os.path.join(tmp, "hang"))
            out = []
            if p.returncode != 3 or p.stdout != "REDMON UNKNOWN - no result within 1 s (-t)\n":
                out.append("-t 1 on a hung probe: exit %d %r" % (p.returncode, p.stdout))
            if took > 5:
                out.append("-t 1 took %.1f s" % took)
            return out
        rep.run(NAME + "check-timeout", check_timeout)

        ok = ("md0", 1, 1, [("sda", "active"), ("sdb", "active")])
        cases = (("ok", [ok], 0),
                 ("nonredundant", [ok, ("r0", 0, 0, [("sdc", "active")])], 0),
                 ("degraded", [ok, ("md6", 1, 2, [("a", "active"), ("b", "failed")])], 1),
                 ("critical", [("md1", 0, 1, [("sda", "active"), ("sdb", "failed")])], 1),
                 ("failed", [("md1", -1, 1, [("sda", "failed"), ("sdb", "failed")]),
                             ("md2", "unknown", 1, [])], 2),
                 ("unknown", [ok, ("md2", "unknown", 1, []),
                              ("md1", 0, 1, [("sda", "active"), ("sdb", "failed")])], 4))
        for name, groups, want in cases:
            def test_code(groups=groups, want=want):
                tree.set(*groups)
                p = run("status", "--test", "--root", tmp, "--plugin-dir", plugins)
                plain = run("status", "--root", tmp, "--plugin-dir", plugins)
                out = []
                if p.returncode != want:
                    out.append("exit %d, want %d: %s" % (p.returncode, want, p.stdout))
                if plain.returncode != 0:
                    out.append("status without --test exit %d" % plain.returncode)
                if p.stdout != plain.stdout:
                    out.append("--test changed the table")
                return out
            rep.run(NAME + "status-test-exit-" + name, test_code)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

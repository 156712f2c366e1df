#!/usr/bin/env python3
"""The light redmon and redmond (src/full_exec.h): build/redmon links neither
net-snmp nor libcurl; build/redmond links neither either: it loads libcurl for
an HTTP or SMTP sink (test_alerts_webhook) and its SNMP module,
redmon-snmp.so, the one object that links net-snmp, from its own directory
when [snmp] is enabled (src/snmp_dl.h): a daemon with SNMP off maps none of
it; a missing module or one from another build is an error that names it;
what redmond exports for the module clashes with no name the libraries under
the module define.  `redmon daemon` and `redmon
test-alert` run through an exec of redmond with the same arguments (a real
webhook POST to a receiver on loopback; the daemon keeps its PID, so systemd's
MAINPID stays right), found beside the binary or at ../lib/redmon/redmond from
it, never on PATH; help, version and usage errors need no redmond; without one
the error names the path it looked for.  The plugins every one-shot scan
loads link no libcurl (plugins/redfish loads it when a url is set).
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness
from alerts_harness import Tree
from http_receiver import Receiver

NAME = "integration/split/"
DAEMON_LIBS = ("libnetsnmp",)  # in redmon-snmp.so only (src/snmp/snmp_module.h)
SNMP_MODULE = "redmon-snmp.so"
LOADED_LIBS = ("libcurl",)  # by dlopen when a sink or url needs it (plugins/lib/curl_dl.h)


def needed(path):
    """The DT_NEEDED names of an ELF file (readelf), and every library ldd resolves."""
    r = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, timeout=30)
    direct = [l.split("[", 1)[1].split("]", 1)[0] for l in r.stdout.splitlines() if "(NEEDED)" in l]
    l = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=30)
    every = [x.split()[0] for x in l.stdout.splitlines() if x.strip()]
    return direct, every


def defined_dynamic(path):
    """The names an ELF file defines in its dynamic symbol table."""
    r = subprocess.run(["nm", "-D", "--defined-only", "--format=just-symbols", path], capture_output=True,
                       text=True, timeout=30)
    return {x.split("@")[0] for x in r.stdout.split()}


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = os.path.join(args.build, "redmon")
    redmond = os.path.join(args.build, "redmond")
    probes = os.path.join(args.build, "tests", "probes")
    tmp = tempfile.mkdtemp(prefix="rm-split-")
    os.chmod(tmp, 0o755)
    env = dict(harness.test_env(), REDMON_CONF="")

    def run(exe, *argv, env_=None):
        p = subprocess.run([exe] + list(argv), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           env=env_ or env, timeout=30)
        if any(m in p.stderr for m in harness.SAN_MARKERS):
            raise harness.TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
        return p

    try:
        def light_links():
            out = []
            d_light, e_light = needed(redmon)
            d_full, _ = needed(redmond)
            if not d_light:
                return ["readelf found no NEEDED entry in %s" % redmon]
            d_mod, _ = needed(os.path.join(args.build, SNMP_MODULE))
            for lib in DAEMON_LIBS:
                if any(x.startswith(lib) for x in d_light + e_light):
                    out.append("redmon links %s: %s" % (lib, " ".join(e_light)))
                if any(x.startswith(lib) for x in d_full):
                    out.append("redmond links %s, which is for %s only" % (lib, SNMP_MODULE))
                if not any(x.startswith(lib) for x in d_mod):
                    out.append("%s does not link %s (the SNMP code is not there?)" % (SNMP_MODULE, lib))
            for lib in LOADED_LIBS:
                if any(x.startswith(lib) for x in d_light + e_light + d_full):
                    out.append("redmon or redmond links %s, which is loaded only when needed" % lib)
            extra = [x for x in d_light if not x.startswith(("libc.", "libjansson.", "libm.", "libdl.",
                                                             "libpthread.", "libasan.", "libubsan."))]
            if extra:
                out.append("redmon links more than libc, jansson and libm: %s" % " ".join(extra))
            return out
        rep.run(NAME + "light-binary-links-no-snmp-no-curl", light_links)

        def plugins_load_lazily():
            # A scan by itself dlopens every plugin: what they link is paid by
            # every `redmon check`; libcurl is loaded only when a url is set.
            out = []
            so = os.path.join(args.build, "plugins", "redfish.so")
            direct, every = needed(so)
            if not direct:
                return ["readelf found no NEEDED entry in %s" % so]
            if any(x.startswith("libcurl") for x in direct + every):
                out.append("redfish.so links libcurl: %s" % " ".join(every))
            return out
        rep.run(NAME + "plugins-link-no-curl", plugins_load_lazily)

        def exports_clash_with_nothing():
            # redmond's exported names come first in the loader's lookup: one
            # that a library under the module also defines would take its calls.
            out = []
            mine = defined_dynamic(redmond)
            if not {"log_msg", "loop_add"} <= mine:
                return ["redmond does not export what %s calls: %s" % (SNMP_MODULE, sorted(mine)[:20])]
            l = subprocess.run(["ldd", os.path.join(args.build, SNMP_MODULE)], capture_output=True, text=True,
                               timeout=30)
            libs = [x.split("=>")[1].split()[0] for x in l.stdout.splitlines() if "=> /" in x]
            if not any("libnetsnmp" in x for x in libs):
                return ["ldd %s resolves no libnetsnmp: %r" % (SNMP_MODULE, l.stdout)]
            for lib in libs:
                both = mine & defined_dynamic(lib)
                if both:
                    out.append("redmond exports %s, which %s defines too" % (" ".join(sorted(both)), lib))
            return out
        rep.run(NAME + "snmp-module-exports-clash-with-nothing", exports_clash_with_nothing)

        def module_missing_or_foreign():
            out = []
            argv = ["daemon", "--check-config", "--plugin-dir", probes, "-o", "snmp.enabled=yes"]
            nomod = os.path.join(tmp, "nomod")
            os.makedirs(nomod)
            shutil.copy2(redmond, nomod)
            p = run(os.path.join(nomod, "redmond"), *argv)
            want = "SNMP: cannot load %s/%s" % (nomod, SNMP_MODULE)
            if p.returncode != 1 or want not in p.stderr:
                out.append("without the module: exit %d %r (want %r)" % (p.returncode, p.stderr, want))
            p = run(os.path.join(nomod, "redmond"), *argv[:-2])
            if p.returncode != 0 or "OK" not in p.stdout:
                out.append("SNMP off needs no module: exit %d %r" % (p.returncode, p.stderr))
            # A module of another build: the table's version differs.
            src = os.path.join(tmp, "foreign.c")
            with open(src, "w") as f:
                f.write('const struct { const char *v; unsigned long n; } redmon_snmp_module = { "0.0.0-other", 1 };\n')
            c = subprocess.run(["cc", "-shared", "-fPIC", "-o", os.path.join(nomod, SNMP_MODULE), src],
                               capture_output=True, text=True, timeout=60)
            if c.returncode != 0:
                return out + ["cc: %s" % c.stderr]
            p = run(os.path.join(nomod, "redmond"), *argv)
            if p.returncode != 1 or "is not from this build of redmon" not in p.stderr:
                out.append("a foreign module: exit %d %r" % (p.returncode, p.stderr))
            return out
        rep.run(NAME + "snmp-module-missing-or-foreign-refused", module_missing_or_foreign)

        # A copy of the light binary alone: what it does without redmond.
        alone = os.path.join(tmp, "alone")
        os.makedirs(alone)
        shutil.copy2(redmon, alone)

        def help_without_redmond():
            out = []
            exe = os.path.join(alone, "redmon")
            a, b = run(exe, "help", "daemon"), run(redmond, "help", "daemon")
            if a.returncode != 0 or "--check-config" not in a.stdout or a.stdout != b.stdout:
                out.append("help daemon: exit %d %r (redmond: %r)" % (a.returncode, a.stdout, b.stdout))
            v = run(exe, "--version")
            if v.returncode != 0 or not v.stdout.startswith("redmon "):
                out.append("--version: exit %d %r" % (v.returncode, v.stdout))
            u = run(exe, "daemon", "--watch")
            if u.returncode != 2 or "--watch does not apply to 'daemon'" not in u.stderr:
                out.append("a daemon usage error: exit %d %r" % (u.returncode, u.stderr))
            return out
        rep.run(NAME + "help-version-usage-without-redmond", help_without_redmond)

        # Neither beside the copy nor at ../lib/redmon from it: the compiled-in
        # LIBEXECDIR is the last resort, and only an install on this host answers there.
        p = run(os.path.join(alone, "redmon"), "daemon", "--check-config")
        if p.returncode == 0:
            rep.skip(NAME + "no-redmond-says-where-it-looked", "an installed redmond answered")
        else:
            rep.check(NAME + "no-redmond-says-where-it-looked",
                      [] if p.returncode == 1 and "daemon needs /" in p.stderr and "redmond" in p.stderr
                      and "cannot run" in p.stderr else ["without redmond: exit %d %r" % (p.returncode, p.stderr)])

        def check_config_through_exec():
            out = []
            argv = ["daemon", "--check-config", "--plugin-dir", probes, "-o", "sink.web.type=webhook",
                    "-o", "sink.web.url=http://127.0.0.1:9/x", "-o", "snmp.enabled=yes"]
            a, b = run(redmon, *argv), run(redmond, *argv)
            if a.returncode != 0 or "no configuration file: OK" not in a.stdout:
                out.append("redmon daemon --check-config: exit %d %r %r" % (a.returncode, a.stdout, a.stderr))
            if (a.returncode, a.stdout, a.stderr) != (b.returncode, b.stdout, b.stderr):
                out.append("redmon and redmond differ: %r %r" % (a.stderr, b.stderr))
            bad = run(redmon, *(argv + ["-o", "sink.web.url=ftp://nowhere"]))
            if bad.returncode != 1 or "1 error" not in bad.stderr:
                out.append("a bad webhook url through the exec: exit %d %r" % (bad.returncode, bad.stderr))
            return out
        rep.run(NAME + "daemon-check-config-through-exec", check_config_through_exec)

        def test_alert_through_exec():
            rx = Receiver(tmp)
            rx.start()
            try:
                p = run(redmon, "test-alert", "--plugin-dir", probes, "-o", "sink.web.type=webhook",
                        "-o", "sink.web.url=" + rx.url)
                reqs = rx.wait_for(lambda r: len(r) >= 1, 10)
            finally:
                rx.stop()
            out = []
            if p.returncode != 0 or "web" not in p.stdout:
                out.append("test-alert: exit %d %r %r" % (p.returncode, p.stdout, p.stderr))
            if not reqs or '"test"' not in reqs[0]["body"]:
                out.append("the receiver got no test event: %r" % reqs)
            return out
        rep.run(NAME + "test-alert-through-exec-posts", test_alert_through_exec)

        def daemon_keeps_pid(snmp=False):
            root = os.path.join(tmp, "root-snmp" if snmp else "root")
            os.makedirs(root)
            Tree(root).set(("md0", 1, 1, [("sda", "active"), ("sdb", "active")]))
            events = os.path.join(root, "events.jsonl")
            err = tempfile.TemporaryFile()
            opts = ["-o", "snmp.enabled=yes", "-o", "snmp.agentx_socket=none",
                    "-o", "snmp.state_file=" + os.path.join(root, "snmp-index")] if snmp else []
            proc = subprocess.Popen([redmon, "daemon", "--root", root, "--plugin-dir", probes,
                                     "-o", "sink.t.type=json", "-o", "sink.t.path=" + events] + opts,
                                    stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env)
            out = []
            try:
                harness.EventWaiter(events, proc, err, 10.0).wait_for([lambda e: e.get("event")])
                exe = os.readlink("/proc/%d/exe" % proc.pid)
                if exe != os.path.realpath(redmond):
                    out.append("pid %d runs %s, not redmond" % (proc.pid, exe))
                libs = harness.maps_libraries(proc.pid)
                snmp_libs = sorted(x for x in libs if x.startswith(("libnetsnmp", SNMP_MODULE)))
                if snmp and len(snmp_libs) < 3:
                    out.append("SNMP on, but the daemon maps only %s" % snmp_libs)
                if not snmp and snmp_libs:
                    out.append("SNMP off, but the daemon maps %s" % " ".join(snmp_libs))
            finally:
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=15)
            if code != 0:
                err.seek(0)
                out.append("daemon exit %d: %s" % (code, harness.tail(err.read().decode(errors="replace"))))
            return out
        rep.run(NAME + "daemon-is-redmond-same-pid", daemon_keeps_pid)
        rep.run(NAME + "snmp-module-loaded-only-when-enabled", lambda: daemon_keeps_pid(snmp=True))

        def installed_layout_not_path():
            # bin/redmon and lib/redmon/redmond, as `make install` lays them out; a
            # redmond on PATH that would leave a mark must not be the one run.
            prefix = os.path.join(tmp, "prefix")
            os.makedirs(os.path.join(prefix, "bin"))
            os.makedirs(os.path.join(prefix, "lib", "redmon"))
            shutil.copy2(redmon, os.path.join(prefix, "bin"))
            shutil.copy2(redmond, os.path.join(prefix, "lib", "redmon"))
            trap = os.path.join(tmp, "trap")
            os.makedirs(trap)
            mark = os.path.join(tmp, "mark")
            with open(os.path.join(trap, "redmond"), "w") as f:
                f.write("#!/bin/sh\ntouch %s\n" % mark)
            os.chmod(os.path.join(trap, "redmond"), 0o755)
            p = run(os.path.join(prefix, "bin", "redmon"), "daemon", "--check-config", "--plugin-dir", probes,
                    env_=dict(env, PATH=trap + ":" + env.get("PATH", "")))
            out = []
            if p.returncode != 0 or "OK" not in p.stdout:
                out.append("installed layout: exit %d %r %r" % (p.returncode, p.stdout, p.stderr))
            if os.path.exists(mark):
                out.append("the redmond on PATH ran")
            return out
        rep.run(NAME + "found-at-lib-redmon-never-on-path", installed_layout_not_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

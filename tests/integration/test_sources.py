#!/usr/bin/env python3
"""A one-shot scan loads only the plugins whose data source exists (NAME.sources,
docs/plugins.md "Data sources", issue 19): `redmon check` on an empty root
dlopens no plugin (glibc's LD_DEBUG=files says which objects a process opens)
yet lists every probe as before; a tree with /proc/mdstat loads md and shows
its array; a [probe.NAME] section, a missing or a malformed .sources file
loads the plugin; the daemon loads and starts (dlopen, a thread, init) only
those with a source, and a dormant one once its source appears (looked for at
every rescan) or a reload configures it, its keys then checked.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import harness

NAME = "integration/sources/"
MDSTAT = """Personalities : [raid1]
md0 : active raid1 sdb1[1] sda1[0]
      1048576 blocks super 1.2 [2/2] [UU]

unused devices: <none>
"""


def loaded(stderr):
    """The plugin files (NAME.so) a process dlopened, from LD_DEBUG=files lines."""
    out = set()
    for line in stderr.splitlines():
        # "   1234:\tfile=/x/plugins/md.so [0];  dynamically loaded by ..."
        if "file=" in line and "dynamically loaded by" in line:
            path = line.split("file=", 1)[1].split(" ", 1)[0]
            if "/plugins/" in path or "/plug-" in path:
                out.add(os.path.basename(path))
    return out


class Daemon:
    """redmond on a root and a plugin directory of its own (`plugins`: file name ->
    the file copied there, or linked with link=True; `texts`: file name -> its
    content), rescanning every 100 ms; its log in d/log.  Stopped by PID."""

    def __init__(self, build, d, plugins, env, link=True, texts=None):
        self.root, self.plug, self.conf = os.path.join(d, "root"), os.path.join(d, "plugins"), \
            os.path.join(d, "redmon.conf")
        for sub in (os.path.join(self.root, "proc"), self.plug, os.path.join(d, "state")):
            os.makedirs(sub)
        for name, src in plugins.items():
            (os.symlink if link else shutil.copy)(src, os.path.join(self.plug, name))
        for name, text in (texts or {}).items():
            with open(os.path.join(self.plug, name), "w") as f:
                f.write(text)
        self.base = "[daemon]\nsocket = %s\nstate_dir = %s\nrescan_interval = 100ms\n" % (
            os.path.join(d, "s.sock"), os.path.join(d, "state"))
        self.configure("")
        self.log = open(os.path.join(d, "log"), "w+")
        self.proc = subprocess.Popen([os.path.join(build, "redmond"), "daemon", "--root", self.root,
                                      "--plugin-dir", self.plug, "-c", self.conf],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=env)

    def configure(self, extra):
        with open(self.conf, "w") as f:
            f.write(self.base + extra)

    def text(self):
        return open(self.log.name).read()

    def log_has(self, text, timeout):
        """Whether text is in the log within timeout s (False at once if the daemon exits)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if text in self.text():
                return True
            time.sleep(0.05)
        return False

    def reload(self, extra, want):
        """SIGHUP with [daemon] plus extra as the config: whether want is logged once more."""
        self.configure(extra)
        before = self.text().count(want)
        os.kill(self.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 20
        while self.text().count(want) == before and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise harness.TestError("the daemon exited: %s" % harness.tail(self.text(), 5))
            time.sleep(0.05)
        return self.text().count(want) > before

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.proc.pid))

    def wait_dormant(self, probe):
        """Until the start-up log says the one probe waits for a source."""
        if not self.log_has("1 probe without a data source", 20):
            raise harness.TestError("%s did not wait: %s" % (probe, harness.tail(self.text(), 5)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = os.path.join(args.build, "redmon")
    plugdir = os.path.join(args.build, "plugins")
    tmp = tempfile.mkdtemp(prefix="rm-sources-")
    os.chmod(tmp, 0o755)
    env = dict(harness.test_env(), REDMON_CONF="")
    with_sources = sorted(f[:-len(".sources")] for f in os.listdir(plugdir) if f.endswith(".sources"))
    every = sorted(f[:-3] for f in os.listdir(plugdir) if f.endswith(".so"))
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    mdroot = os.path.join(tmp, "md")
    os.makedirs(os.path.join(mdroot, "proc"))
    with open(os.path.join(mdroot, "proc", "mdstat"), "w") as f:
        f.write(MDSTAT)

    def run(*argv, debug=True, extra_env=None):
        e = dict(env, **(extra_env or {}))
        if debug:
            e["LD_DEBUG"] = "files"
        p = subprocess.run([redmon] + list(argv), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           env=e, timeout=60)
        if any(m in p.stderr for m in harness.SAN_MARKERS):
            raise harness.TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
        return p

    def probes_of(p):
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            raise harness.TestError("status --json: not JSON: %r %s" % (p.stdout[:200], harness.tail(p.stderr, 5)))
        return doc, [(x["name"], x["status"]) for x in doc["probes"]]

    try:
        def empty_root_loads_nothing():
            out = []
            if len(with_sources) < 10:
                out.append("only %d plugins ship a .sources file: %s" % (len(with_sources), with_sources))
            p = run("check", "--scan", "-vv", "--root", empty)
            if p.returncode != 3 or "no redundancy groups found" not in p.stdout:
                out.append("check: exit %d %r" % (p.returncode, p.stdout))
            got = loaded(p.stderr)
            if got:
                out.append("plugins dlopened on an empty root: %s" % sorted(got))
            for name in with_sources:
                if "skipped %s: no source" % name not in p.stderr:
                    out.append("no 'skipped %s: no source' at debug level" % name)
            return out
        rep.run(NAME + "check-on-empty-root-loads-no-plugin", empty_root_loads_nothing)

        def empty_root_lists_every_probe():
            # As if each had scanned and found nothing: ok, no group.
            doc, probes = probes_of(run("status", "--json", "--scan", "--root", empty, debug=False))
            out = []
            if probes != [(n, "ok") for n in every]:
                out.append("probes %r, want every plugin ok: %r" % (probes, every))
            if doc["groups"]:
                out.append("groups on an empty root: %r" % doc["groups"])
            return out
        rep.run(NAME + "skipped-probes-listed-ok", empty_root_lists_every_probe)

        def md_tree_loads_md():
            out = []
            p = run("status", "--json", "--scan", "-vv", "--root", mdroot)
            got = loaded(p.stderr)
            if got != {"md.so"}:
                out.append("dlopened %s, want md.so only" % sorted(got))
            if "skipped md:" in p.stderr:
                out.append("md skipped with proc/mdstat in the root")
            doc, _ = probes_of(p)
            ids = [g["id"] for g in doc["groups"]]
            if "md:md0" not in ids:
                out.append("no md:md0 group: %r" % ids)
            return out
        rep.run(NAME + "mdstat-loads-md", md_tree_loads_md)

        def link_out_is_no_source():
            # proc/mdstat -> the host's /proc/mdstat: resolved inside the root, nothing there.
            root = os.path.join(tmp, "linked")
            os.makedirs(os.path.join(root, "proc"))
            os.symlink(os.path.join(mdroot, "proc", "mdstat"), os.path.join(root, "proc", "mdstat"))
            p = run("check", "--scan", "-vv", "--root", root)
            got = loaded(p.stderr)
            return ["a link out of the root counted as a source: dlopened %s" % sorted(got)] if got else []
        rep.run(NAME + "link-out-of-root-is-no-source", link_out_is_no_source)

        def section_loads():
            conf = os.path.join(tmp, "smart.conf")
            with open(conf, "w") as f:
                f.write("[probe.smart]\ninterval = 10m\n")
            p = run("check", "--scan", "-vv", "-c", conf, "--root", empty)
            got = loaded(p.stderr)
            return [] if got == {"smart.so"} else ["with [probe.smart]: dlopened %s, want smart.so" % sorted(got)]
        rep.run(NAME + "probe-section-loads-plugin", section_loads)

        def group_of_skipped_probe():
            # [group.md:md0] names an installed probe even when md is not loaded: the
            # expectation holds (the group is gone), no "no probe plugin named 'md'".
            conf = os.path.join(tmp, "group.conf")
            with open(conf, "w") as f:
                f.write("[group.md:md0]\nrequired = yes\n")
            p = run("check", "--scan", "-vv", "-c", conf, "--root", empty)
            out = []
            if p.returncode != 2 or "expected group md:md0 is gone" not in p.stdout:
                out.append("check: exit %d %r %s" % (p.returncode, p.stdout, harness.tail(p.stderr, 3)))
            if "skipped md: no source" not in p.stderr or loaded(p.stderr):
                out.append("md was loaded")
            return out
        rep.run(NAME + "group-of-skipped-probe-still-expected", group_of_skipped_probe)

        def bad_or_missing_file_loads():
            out = []
            d = os.path.join(tmp, "plug-dir")
            os.mkdir(d)
            for n in ("md", "btrfs", "zfs"):
                shutil.copy2(os.path.join(plugdir, n + ".so"), d)
            with open(os.path.join(d, "md.sources"), "w") as f:
                f.write("path /proc/mdstat\nexists-maybe /x\n")  # malformed: loaded
            with open(os.path.join(d, "zfs.sources"), "w") as f:
                f.write("path /proc/spl/kstat/zfs\n")  # fine: skipped
            # btrfs.so without btrfs.sources: loaded
            p = run("check", "--scan", "-vv", "--plugin-dir", d, "--root", empty)
            got = loaded(p.stderr)
            if got != {"md.so", "btrfs.so"}:
                out.append("dlopened %s, want md.so (malformed) and btrfs.so (no file)" % sorted(got))
            if "md.sources: line 2: unknown kind" not in p.stderr:
                out.append("the malformed file is not named at debug level: %s" % harness.tail(p.stderr, 5))
            if "skipped zfs: no source" not in p.stderr:
                out.append("zfs not skipped")
            return out
        rep.run(NAME + "malformed-or-missing-file-loads-plugin", bad_or_missing_file_loads)

        def daemon_starts_probes_with_sources():
            redmond = os.path.join(args.build, "redmond")
            d = os.path.join(tmp, "daemon")
            droot = os.path.join(d, "root")  # empty at first: every probe dormant
            os.makedirs(os.path.join(d, "state"))
            os.makedirs(droot)
            conf = os.path.join(d, "redmon.conf")
            with open(conf, "w") as f:
                f.write("[daemon]\nsocket = %s\nstate_dir = %s\nrescan_interval = 300ms\n" %
                        (os.path.join(d, "s.sock"), os.path.join(d, "state")))
            log = open(os.path.join(d, "log"), "w+")
            proc = subprocess.Popen([redmond, "daemon", "--root", droot, "-c", conf], stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, env=dict(env, LD_DEBUG="files"))
            out = []

            def status_until(pred, what):
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and proc.poll() is None:
                    p = run("status", "--json", "-c", conf, debug=False)
                    if '"source": "daemon"' in p.stdout and pred(probes_of(p)):
                        return probes_of(p)
                    time.sleep(0.2)
                raise harness.TestError("the daemon never answered with %s: %s" %
                                        (what, harness.tail(open(log.name).read(), 8)))

            def threads():
                return len(os.listdir("/proc/%d/task" % proc.pid))
            sourceless = {n + ".so" for n in every if n not in with_sources}
            try:
                _, probes = status_until(lambda dp: True, "any answer")
                if threads() != 1:
                    out.append("%d threads with every probe dormant, want the main one only" % threads())
                if loaded(open(log.name).read()) != sourceless:
                    out.append("with every probe dormant the daemon dlopened %s, want %s" %
                               (sorted(loaded(open(log.name).read())), sorted(sourceless)))
                # md's source appears: started at the next rescan, its array reported.
                os.makedirs(os.path.join(droot, "proc"))
                with open(os.path.join(droot, "proc", "mdstat"), "w") as f:
                    f.write(MDSTAT)
                status_until(lambda dp: "md:md0" in [g["id"] for g in dp[0]["groups"]], "md:md0")
                if threads() != 2:
                    out.append("%d threads once md started, want 2" % threads())
                # A probe that ran never waits again: its source gone at a SIGHUP, it stays.
                os.unlink(os.path.join(droot, "proc", "mdstat"))
                os.kill(proc.pid, signal.SIGHUP)
                deadline = time.monotonic() + 20
                while "reloaded configuration" not in open(log.name).read() and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)  # a rescan or two
                if threads() != 2:
                    out.append("%d threads after md's source went and a SIGHUP, want 2" % threads())
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            text = open(log.name).read()
            got = loaded(text)
            if got != sourceless | {"md.so"}:
                out.append("the daemon dlopened %s, want md.so and %s only" % (sorted(got), sorted(sourceless)))
            if [n for n, _ in probes] != every:
                out.append("daemon's probes %r" % probes)
            if "%d probes without a data source" % len(with_sources) not in text:
                out.append("the dormant probes are not logged: %s" % harness.tail(text, 5))
            if "probe md: a data source of it appeared: started" not in text:
                out.append("md's start is not logged")
            return out
        rep.run(NAME + "daemon-starts-a-probe-when-its-source-appears", daemon_starts_probes_with_sources)

        def daemon_reads_sources_at_start_and_reload():
            # The daemon reads md.sources at start and at SIGHUP, not at every
            # rescan (issue 19: 6 system calls a rescan per dormant probe): a file
            # changed under it counts from the next reload.
            out = []
            with Daemon(args.build, os.path.join(tmp, "reread"), {"md.so": os.path.join(plugdir, "md.so")}, env,
                        texts={"md.sources": "path /proc/redmon-test-never\n"}) as dm:
                sources = os.path.join(dm.plug, "md.sources")
                dm.wait_dormant("md")
                with open(os.path.join(dm.root, "proc", "mdstat"), "w") as f:
                    f.write(MDSTAT)
                with open(sources + ".new", "w") as f:
                    f.write("path /proc/mdstat\n")
                os.rename(sources + ".new", sources)
                if dm.log_has("probe md: a data source of it appeared", 1.0):  # 10 rescans
                    out.append("md started at a rescan after its .sources file changed: it was reread")
                if not dm.reload("", "reloaded configuration"):
                    out.append("no reload seen")
                elif dm.threads() != 2:
                    out.append("md not started after the reload read its new .sources: %d threads" % dm.threads())
            return out
        rep.run(NAME + "daemon-reads-sources-at-start-and-reload", daemon_reads_sources_at_start_and_reload)

        def reload_configures_an_unloaded_plugin():
            # zfs has no source here, so the daemon never dlopened it; a reload
            # adding [probe.zfs] loads it, checks its keys against its options
            # (a wrong key refuses the reload, naming the key), and starts it.
            out = []
            with Daemon(args.build, os.path.join(tmp, "configure"),
                        {f: os.path.join(plugdir, f) for f in ("zfs.so", "zfs.sources")},
                        dict(env, LD_DEBUG="files")) as dm:
                dm.wait_dormant("zfs")
                if loaded(dm.text()):
                    out.append("dlopened before any source or section: %s" % sorted(loaded(dm.text())))
                if not dm.reload("[probe.zfs]\nno_such_key = 1\n", "reload failed"):
                    out.append("a wrong [probe.zfs] key did not refuse the reload")
                elif "unknown key 'no_such_key' in [probe.zfs]" not in dm.text():
                    out.append("the refusal does not name the key: %s" % harness.tail(dm.text(), 4))
                if loaded(dm.text()) != {"zfs.so"}:
                    out.append("the section did not load zfs.so: %s" % sorted(loaded(dm.text())))
                if not dm.reload("[probe.zfs]\ninterval = 10m\nzpool_path = /nonexistent/zpool\n",
                                 "reloaded configuration"):
                    out.append("a good [probe.zfs] section was not taken: %s" % harness.tail(dm.text(), 4))
                elif dm.threads() != 2:
                    out.append("zfs not started after the reload configured it: %d threads" % dm.threads())
            return out
        rep.run(NAME + "reload-configures-an-unloaded-plugin", reload_configures_an_unloaded_plugin)

        def plugin_broken_before_its_source_appears():
            # md waits unloaded; its file is then replaced by garbage (a botched
            # upgrade). When mdstat appears the load fails: the probe is failed
            # with the loader's reason, and the daemon runs on.
            out = []
            with Daemon(args.build, os.path.join(tmp, "broken"),
                        {f: os.path.join(plugdir, f) for f in ("md.so", "md.sources")}, env, link=False) as dm:
                dm.wait_dormant("md")
                with open(os.path.join(dm.plug, "md.so.new"), "w") as f:
                    f.write("not a shared object\n")
                os.rename(os.path.join(dm.plug, "md.so.new"), os.path.join(dm.plug, "md.so"))
                with open(os.path.join(dm.root, "proc", "mdstat"), "w") as f:
                    f.write(MDSTAT)
                if not dm.log_has("probe md: plugin refused: cannot load", 20):
                    out.append("the failed load is not logged: %s" % harness.tail(dm.text(), 5))
                doc, probes = probes_of(run("status", "--json", "-c", dm.conf, debug=False))
                if ("md", "failed") not in probes:
                    out.append("md is not failed: %r" % probes)
                elif "cannot load" not in json.dumps(doc["probes"]):
                    out.append("md's reason lacks the loader's: %s" % json.dumps(doc["probes"])[:300])
                time.sleep(0.3)  # rescans: the daemon runs on
                if dm.proc.poll() is not None:
                    out.append("the daemon exited %s" % dm.proc.returncode)
            return out
        rep.run(NAME + "plugin-broken-before-its-source-appears", plugin_broken_before_its_source_appears)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

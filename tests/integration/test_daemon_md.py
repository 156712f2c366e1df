#!/usr/bin/env python3
"""The daemon follows an md array through a failure and a rebuild, from inotify alone.

A captured-style tree (md0 raid1 [2/2], md1 raid6 [4/4], as /proc/mdstat and as
/sys/block/mdX/md) is copied to a temporary root; `redmon daemon --root TMP` runs
with a JSON Lines sink and a one-hour rescan, so every event must come from the
md probe's inotify watches.  The test then fails a disk, starts a recovery onto a
new disk, advances and finishes it, reloads a broken config (SIGHUP), fails a
disk of the raid6, and stops the daemon (SIGTERM).  After each step the new
events must arrive within STEP_TIMEOUT, in sequence, with the right fields.

Before that, `redmon status --root` on a copy of the demo tree with md links
planted to a file outside the root must never read that file.

Set REDMON_KEEP_TMP=1 to keep the temporary root, events and daemon log.

Files are replaced atomically (temporary file + rename) in some steps and
rewritten in place (same inode) in others, since the kernel and tools do both.
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from harness import TestError

STEP_TIMEOUT = 5.0   # seconds to wait for a step's events
STOP_TIMEOUT = 2.0   # seconds SIGTERM may take
POLL = 0.02

PERSONALITIES = "Personalities : [raid1] [raid6] [raid5] [raid4] \n"
MD1_OK = """md1 : active raid6 sdf1[3] sde1[2] sdd1[1] sdc1[0]
      1953260544 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/4] [UUUU]
      bitmap: 0/8 pages [0KB], 65536KB chunk
"""
MD1_FAILED = """md1 : active raid6 sdf1[3] sde1[2](F) sdd1[1] sdc1[0]
      1953260544 blocks super 1.2 level 6, 512k chunk, algorithm 2 [4/3] [UU_U]
      bitmap: 1/8 pages [4KB], 65536KB chunk
"""
MD0_OK = """md0 : active raid1 sdb1[1] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
      bitmap: 0/8 pages [0KB], 65536KB chunk
"""
MD0_FAILED = """md0 : active raid1 sdb1[1](F) sda1[0]
      976630464 blocks super 1.2 [2/1] [U_]
      bitmap: 2/8 pages [8KB], 65536KB chunk
"""
MD0_RECOVERY = """md0 : active raid1 sdg1[2] sda1[0]
      976630464 blocks super 1.2 [2/1] [U_]
      [%s]  recovery = %s%% (%d/976630464) finish=%smin speed=208012K/sec
      bitmap: 2/8 pages [8KB], 65536KB chunk
"""
MD0_RESTORED = """md0 : active raid1 sdg1[2] sda1[0]
      976630464 blocks super 1.2 [2/2] [UU]
      bitmap: 0/8 pages [0KB], 65536KB chunk
"""
SECTORS = 1953260928  # md0 per-device size in sectors (976630464 KiB)


def mdstat(md1, md0):
    return PERSONALITIES + md1 + "\n" + md0 + "\nunused devices: <none>\n"


def recovery(per_milli):
    """md0 recovering onto sdg1, as the kernel prints it (md.c status_resync)."""
    x = per_milli // 50
    bar = "=" * x + ">" + "." * (20 - x)
    kib = (976630464 * per_milli + 999) // 1000
    finish = "%.1f" % ((976630464 - kib) / 208012 / 60)
    return MD0_RECOVERY % (bar, "%d.%d" % (per_milli // 10, per_milli % 10), kib, finish)


class Tree:
    """The temporary root, with writes in both styles."""

    def __init__(self, root):
        self.root = root
        self.stage = os.path.join(root, ".stage")
        os.makedirs(self.stage)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def put(self, rel, text, inplace=False):
        """Replace a file's content: atomically by rename, or in place on the
        same inode (write over, then cut the tail: never an empty file)."""
        p = self.path(rel)
        data = text.encode()
        if inplace:
            fd = os.open(p, os.O_WRONLY)
            try:
                os.write(fd, data)
                os.ftruncate(fd, len(data))
            finally:
                os.close(fd)
        else:
            tmp = os.path.join(os.path.dirname(p), "." + os.path.basename(p) + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, p)

    def link(self, rel, target):
        """Create or replace a symlink atomically."""
        p = self.path(rel)
        tmp = os.path.join(os.path.dirname(p), "." + os.path.basename(p) + ".tmp")
        os.symlink(target, tmp)
        os.rename(tmp, p)

    def unlink(self, rel):
        os.unlink(self.path(rel))

    def add_dir(self, rel, files):
        """Create a populated directory in one rename."""
        tmp = os.path.join(self.stage, os.path.basename(rel))
        os.makedirs(tmp)
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        os.rename(tmp, self.path(rel))

    def remove_dir(self, rel):
        """Remove a directory in one rename, then clean it up out of sight."""
        tmp = os.path.join(self.stage, os.path.basename(rel))
        os.rename(self.path(rel), tmp)
        shutil.rmtree(tmp)


def sysfs_array(tree, name, level, members, degraded=0):
    """Write /sys/block/NAME/md with members [(dev, state, slot)]; rdN are symlinks."""
    d = "sys/block/%s/md" % name
    os.makedirs(tree.path(d))
    for f, v in (("level", level), ("raid_disks", str(len(members))), ("degraded", str(degraded)),
                 ("array_state", "clean"), ("sync_action", "idle"), ("sync_completed", "none"),
                 ("metadata_version", "1.2")):
        tree.put("%s/%s" % (d, f), v + "\n")
    for dev, state, slot in members:
        tree.add_dir("%s/dev-%s" % (d, dev), {"state": state + "\n", "slot": "%s\n" % slot})
        tree.link("%s/rd%d" % (d, slot), "dev-" + dev)


def build_tree(root):
    tree = Tree(root)
    os.makedirs(tree.path("proc"))
    tree.put("proc/mdstat", mdstat(MD1_OK, MD0_OK))
    sysfs_array(tree, "md0", "raid1", [("sda1", "in_sync", 0), ("sdb1", "in_sync", 1)])
    sysfs_array(tree, "md1", "raid6", [("sd%s1" % c, "in_sync", i) for i, c in enumerate("cdef")])
    return tree


# --- event checks --------------------------------------------------------

def parse_time(s):
    if not harness.TIME_RE.match(str(s)):
        raise ValueError("time %r is not UTC with milliseconds" % s)
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def severity_of(group):
    h = group.get("health")
    return "critical" if h in ("critical", "failed") else "warning" if h in ("degraded", "unknown") else "info"


def key(ev):
    """What identifies an expected event within a step."""
    return (ev.get("event"), (ev.get("group") or {}).get("id"), (ev.get("member") or {}).get("name"))


def short(ev):
    g = ev.get("group") or {}
    m = ev.get("member") or {}
    s = "#%s %s %s" % (ev.get("seq"), ev.get("event"), g.get("id"))
    if m:
        s += " %s %s->%s" % (m.get("name"), m.get("previous_role"), m.get("role"))
    if g:
        s += " [%s m=%s %s %s]" % (g.get("health"), g.get("margin"), g.get("activity"), g.get("progress"))
    return s


def event_problems(ev, since):
    """Fields every event carries (docs/json.md), and the severity rule."""
    out = []
    if ev.get("version") != 1:
        out.append("version %r" % ev.get("version"))
    try:
        t = parse_time(ev.get("time"))
        if not since - 2 <= t <= time.time() + 2:
            out.append("time %s is not now" % ev.get("time"))
    except ValueError as e:
        out.append(str(e))
    if ev.get("host") != os.uname().nodename:
        out.append("host %r, expected %r" % (ev.get("host"), os.uname().nodename))
    if ev.get("probe") != "md":
        out.append("probe %r" % ev.get("probe"))
    if not isinstance(ev.get("message"), str) or not ev["message"]:
        out.append("message %r" % ev.get("message"))
    g = ev.get("group")
    if not isinstance(g, dict):
        return out + ["no group object"]
    out += harness.group_problems(g, "group")
    if ev.get("severity") != severity_of(g):
        out.append("severity %r for a %s group" % (ev.get("severity"), g.get("health")))
    return ["%s: %s" % (short(ev), p) for p in out]


def field_problems(ev, want):
    """want: {"group.health": "critical", "previous.margin": 1, ...}; a float
    value is compared to one decimal."""
    out = []
    for path, v in want.items():
        obj = ev
        for part in path.split("."):
            obj = obj.get(part) if isinstance(obj, dict) else None
        if isinstance(v, float):
            bad = not isinstance(obj, (int, float)) or abs(obj - v) > 0.05
        else:
            bad = obj != v or type(obj) is bool
        if bad:
            out.append("%s: %s expected %r, got %r" % (short(ev), path, v, obj))
    return out


class Daemon:
    def __init__(self, build, tmp):
        self.events_path = os.path.join(tmp, "events.jsonl")
        self.err_path = os.path.join(tmp, "daemon.err")
        self.conf = os.path.join(tmp, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write("# redmon integration test\n[daemon]\nprogress_step = 10\n")
        # Only the md probe: other probes' events are not this test's business.
        plugins = os.path.join(tmp, "plugins")
        os.makedirs(plugins)
        os.symlink(os.path.join(build, "plugins", "md.so"), os.path.join(plugins, "md.so"))
        argv = [os.path.join(build, "redmon"), "daemon", "--root", tmp, "--plugin-dir", plugins,
                "-c", self.conf, "-o", "sink.t.type=json", "-o", "sink.t.path=" + self.events_path,
                "-o", "daemon.rescan_interval=1h"]
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err,
                                     env=harness.test_env())
        self.events = []   # every event read so far
        self.consumed = 0  # events already claimed by a step
        self._partial = b""
        self._offset = 0

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def read(self):
        """Append complete new lines of the events file to self.events."""
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            try:
                ev = json.loads(line.decode("utf-8"))
            except ValueError as e:
                raise TestError("events file line is not JSON (%s): %r" % (e, line[:200]))
            if not isinstance(ev, dict):
                raise TestError("events file line is not an object: %r" % line[:200])
            self.events.append(ev)

    def alive_or_raise(self):
        if self.proc.poll() is not None:
            raise TestError("daemon exited with %s: %s" % (self.proc.returncode, harness.tail(self.stderr())))

    def wait_for(self, wanted):
        """Wait until every key in wanted (a list) is among the unclaimed
        events; claim and return them.  An unclaimed event that is not wanted
        before the last wanted one is an error (one after it shows up as
        unexpected in the next step)."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            self.read()
            new = self.events[self.consumed:]
            keys = [key(e) for e in new]
            missing = list(wanted)
            for k in keys:
                if k in missing:
                    missing.remove(k)
            if not missing:
                break
            if time.monotonic() > deadline:
                raise TestError("after %.0fs still missing %s; new events: %s" % (
                    STEP_TIMEOUT, missing, [short(e) for e in new] or "none"))
            self.alive_or_raise()
            time.sleep(POLL)
        # Claim up to the last wanted event; everything claimed must be wanted.
        pending = list(wanted)
        claimed = []
        for e in new:
            if not pending:
                break
            claimed.append(e)
            if key(e) in pending:
                pending.remove(key(e))
            else:
                raise TestError("unexpected event %s among %s" % (short(e), [short(x) for x in new]))
        self.consumed += len(claimed)
        return claimed

    def stop(self):
        """SIGTERM; returns (exit code or None if it did not stop, seconds)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def step_events(d, since, wanted, fields):
    """Wait for the step's events and check each: common fields, seq, then the
    per-event expectations fields[key] (a dict of path -> value)."""
    got = d.wait_for(wanted)
    problems = []
    first = d.consumed - len(got)
    prev_seq = d.events[first - 1].get("seq") if first > 0 else 0
    for ev in got:
        if ev.get("seq") != prev_seq + 1:
            problems.append("%s: seq %r after %r" % (short(ev), ev.get("seq"), prev_seq))
        prev_seq = ev.get("seq") if isinstance(ev.get("seq"), int) else prev_seq
        problems += event_problems(ev, since)
        problems += field_problems(ev, fields.get(key(ev), {}))
    return problems


def links_out_of_root(build, rep):
    """Issue 12 E1: `redmon status --root T` with md links to a file outside T
    (absolute, a ../../.. chain, proc/mdstat) never reads it.  The demo tree is
    copied; the arrays so broken are unknown with a reason, the others as before."""
    name = "integration/daemon_md/links-out-of-root"
    tmp = tempfile.mkdtemp(prefix="redmon-it-")
    try:
        root = os.path.join(tmp, "root")
        shutil.copytree(os.path.join(harness.REPO, "tests", "fixtures", "demo"), root, symlinks=True)
        secret = "hunter2-%d" % os.getpid()
        with open(os.path.join(tmp, "secret"), "w") as f:
            f.write(secret + "\n")
        md = os.path.join(root, "sys", "block")
        plant = (("md1/md/level", os.path.join(tmp, "secret")),           # absolute
                 ("md2/md/dev-sdl1/state", "../" * 6 + "secret"),         # exactly up to tmp/
                 ("md2/md/dev-sdk1/state", "../" * 12 + os.path.join(tmp, "secret")[1:]))
        for rel, target in plant:
            os.unlink(os.path.join(md, rel))
            os.symlink(target, os.path.join(md, rel))
        os.unlink(os.path.join(root, "proc", "mdstat"))
        os.symlink("../../secret", os.path.join(root, "proc", "mdstat"))
        # Without the fix the plain paths read the secret: the test would see it.
        assert open(os.path.join(md, "md2/md/dev-sdl1/state")).read().startswith(secret)

        p = harness.Redmon(build).run(["status", "--json", "--root", root])
        problems = []
        if secret in p.stdout or secret in p.stderr:
            problems.append("the secret is in the output: %s" % harness.tail(p.stdout + p.stderr))
        try:
            groups = {g["name"]: g for g in json.loads(p.stdout)["groups"]}
        except (ValueError, KeyError) as e:
            raise TestError("status --json printed no status (%s): %s" % (e, harness.tail(p.stdout + p.stderr)))
        for g, why in (("md1", "sysfs level unreadable"), ("md2", "sysfs dev-sd")):
            got = groups.get(g, {})
            if got.get("health") != "unknown" or why not in (got.get("reason") or ""):
                problems.append("%s: health %r reason %r, expected unknown and %r"
                                % (g, got.get("health"), got.get("reason"), why))
        if (groups.get("md0") or {}).get("health") != "ok":
            problems.append("md0 (no link planted) is %r, not ok" % (groups.get("md0") or {}).get("health"))
        rep.check(name, problems)
    except TestError as e:
        rep.fail(name, str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    name = "integration/daemon_md/"
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail(name + "start", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    links_out_of_root(args.build, rep)
    tmp = tempfile.mkdtemp(prefix="redmon-it-")
    d = None
    try:
        tree = build_tree(tmp)
        d = Daemon(args.build, tmp)
        md0, md1 = "md:md0", "md:md1"
        steps_ok = True

        def step(label, action, wanted, fields):
            nonlocal steps_ok
            since = time.time()
            try:
                action()
                problems = step_events(d, since, wanted, fields)
                if d.proc.poll() is not None:
                    problems.append("daemon exited with %s" % d.proc.returncode)
            except TestError as e:
                problems = [str(e)]
            steps_ok = steps_ok and not problems
            rep.check(name + label, problems)

        # 0. Start: every group of the first scan appears, healthy.
        step("start", lambda: None,
             [("group_appeared", md0, None), ("group_appeared", md1, None)],
             {("group_appeared", md0, None): {
                 "group.name": "md0", "group.type": "raid1", "group.health": "ok", "group.margin": 1,
                 "group.margin_nominal": 1, "group.members_total": 2, "group.members_ok": 2,
                 "group.members_failed": 0, "group.activity": "none", "severity": "info"},
              ("group_appeared", md1, None): {
                 "group.name": "md1", "group.type": "raid6", "group.health": "ok", "group.margin": 2,
                 "group.margin_nominal": 2, "group.members_total": 4, "group.members_ok": 4,
                 "severity": "info"}})

        # 1. sdb1 fails (atomic replacements; the kernel then drops rd1).
        def fail_sdb1():
            tree.put("sys/block/md0/md/dev-sdb1/state", "faulty\n")
            tree.put("sys/block/md0/md/degraded", "1\n")
            tree.unlink("sys/block/md0/md/rd1")
            tree.put("proc/mdstat", mdstat(MD1_OK, MD0_FAILED))
        step("fail-disk (atomic)", fail_sdb1,
             [("health_changed", md0, None), ("member_changed", md0, "sdb1")],
             {("health_changed", md0, None): {
                 "group.health": "critical", "group.margin": 0, "group.members_ok": 1,
                 "group.members_failed": 1, "previous.health": "ok", "previous.margin": 1,
                 "severity": "critical"},
              ("member_changed", md0, "sdb1"): {
                 "member.role": "failed", "member.previous_role": "active", "severity": "critical"}})

        # 2. sdb1 removed, sdg1 added and recovering at 10.0 % (atomic).
        def start_recovery():
            tree.remove_dir("sys/block/md0/md/dev-sdb1")
            tree.add_dir("sys/block/md0/md/dev-sdg1", {"state": "spare\n", "slot": "1\n"})
            tree.link("sys/block/md0/md/rd1", "dev-sdg1")
            tree.put("sys/block/md0/md/sync_completed", "%d / %d\n" % (SECTORS // 10 + 1, SECTORS))
            tree.put("sys/block/md0/md/sync_action", "recover\n")
            tree.put("proc/mdstat", mdstat(MD1_OK, recovery(100)))
        step("recovery-start (atomic)", start_recovery,
             [("member_changed", md0, "sdb1"), ("member_changed", md0, "sdg1"), ("rebuild_started", md0, None)],
             {("member_changed", md0, "sdb1"): {"member.role": "absent", "member.previous_role": "failed"},
              ("member_changed", md0, "sdg1"): {"member.role": "rebuilding", "member.previous_role": "absent"},
              ("rebuild_started", md0, None): {
                  "group.activity": "recovery", "group.progress": 10.0, "group.health": "critical",
                  "group.members_failed": 0, "severity": "critical"}})
        # Starting at 10.0 % is no crossing of the 10 % step: rebuild_started
        # carries the progress, and a rebuild_progress here is unexpected.

        # 3./4. Progress, rewritten in place: 10 -> 25 crosses 20; 25 -> 55 crosses 30..50.
        def progress(per_milli):
            def act():
                tree.put("sys/block/md0/md/sync_completed",
                         "%d / %d\n" % (SECTORS * per_milli // 1000 + 1, SECTORS), inplace=True)
                tree.put("proc/mdstat", mdstat(MD1_OK, recovery(per_milli)), inplace=True)
            return act
        for pm in (250, 550):
            step("recovery-progress-%d%% (in place)" % (pm // 10), progress(pm),
                 [("rebuild_progress", md0, None)],
                 {("rebuild_progress", md0, None): {
                     "group.activity": "recovery", "group.progress": pm / 10.0, "group.health": "critical",
                     "severity": "critical"}})

        # 5. Recovery done: sdg1 in sync, [2/2] [UU] (in place).  degraded
        # right after the state, as the kernel's spare_active() changes both.
        def finish():
            tree.put("sys/block/md0/md/dev-sdg1/state", "in_sync\n", inplace=True)
            tree.put("sys/block/md0/md/degraded", "0\n", inplace=True)
            tree.put("sys/block/md0/md/sync_action", "idle\n", inplace=True)
            tree.put("sys/block/md0/md/sync_completed", "none\n", inplace=True)
            tree.put("proc/mdstat", mdstat(MD1_OK, MD0_RESTORED), inplace=True)
        step("recovery-finish (in place)", finish,
             [("rebuild_finished", md0, None), ("health_changed", md0, None), ("member_changed", md0, "sdg1")],
             {("rebuild_finished", md0, None): {
                 "group.activity": "none", "group.progress": None, "previous.activity": "recovery",
                 "previous.progress": 55.0, "severity": "info"},
              ("health_changed", md0, None): {
                 "group.health": "ok", "group.margin": 1, "group.members_ok": 2, "previous.health": "critical",
                 "previous.margin": 0, "severity": "info"},
              ("member_changed", md0, "sdg1"): {"member.role": "active", "member.previous_role": "rebuilding"}})

        # 6. SIGHUP with a broken config: the daemon logs it, keeps running and
        # still reports the next change (sde1 of the raid6 fails).
        with open(d.conf, "w") as f:
            f.write("[daemon\nrescan_interval = soon\nthis line is no key value pair\n")
        before = len(d.stderr())
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + STEP_TIMEOUT
        while d.conf not in d.stderr()[before:] and time.monotonic() < deadline and d.proc.poll() is None:
            time.sleep(POLL)
        logged = d.stderr()[before:]
        problems = []
        if d.proc.poll() is not None:
            problems.append("daemon exited with %s after SIGHUP: %s" % (d.proc.returncode, harness.tail(logged)))
        elif d.conf not in logged:
            problems.append("no log line naming %s within %.0fs; stderr after SIGHUP: %r"
                            % (d.conf, STEP_TIMEOUT, harness.tail(logged)))
        rep.check(name + "reload-bad-config", problems)

        def fail_sde1():
            tree.put("sys/block/md1/md/dev-sde1/state", "faulty\n", inplace=True)
            tree.put("sys/block/md1/md/degraded", "1\n", inplace=True)
            tree.unlink("sys/block/md1/md/rd2")
            tree.put("proc/mdstat", mdstat(MD1_FAILED, MD0_RESTORED))
        step("change-after-bad-reload", fail_sde1,
             [("health_changed", md1, None), ("member_changed", md1, "sde1")],
             {("health_changed", md1, None): {
                 "group.health": "degraded", "group.margin": 1, "group.members_ok": 3,
                 "group.members_failed": 1, "previous.health": "ok", "previous.margin": 2,
                 "severity": "warning"},
              ("member_changed", md1, "sde1"): {
                 "member.role": "failed", "member.previous_role": "active", "severity": "warning"}})

        # 7. SIGTERM: exit 0 within STOP_TIMEOUT.
        if d.proc.poll() is None:
            rc, took = d.stop()
            rep.check(name + "sigterm", [] if rc == 0 else [
                "exit %s after %.1fs (%s): %s" % (rc, took, "still running" if rc is None else "stopped",
                                                  harness.tail(d.stderr()))])
        else:
            rep.fail(name + "sigterm", "daemon already gone (exit %s)" % d.proc.returncode)

        # The whole log: nothing unexpected after the last step, seq 1..N.
        problems = []
        try:
            d.read()
            seqs = [e.get("seq") for e in d.events]
            if not seqs:
                problems.append("no event at all")
            elif seqs != list(range(1, len(seqs) + 1)):
                problems.append("seq is not 1..N: %s" % seqs)
            if steps_ok and d.consumed != len(d.events):
                problems.append("unexpected events at the end: %s" % [short(e) for e in d.events[d.consumed:]])
            if d._partial:
                problems.append("last line not terminated: %r" % d._partial[:200])
        except TestError as e:
            problems.append(str(e))
        rep.check(name + "event-log", problems)
    finally:
        if d is not None:
            d.kill()
            if rep.failed:
                sys.stderr.write("daemon stderr:\n" + d.stderr())
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

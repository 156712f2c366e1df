#!/usr/bin/env python3
"""The daemon warns before the second failure: a stalled rebuild, a missing spare, a required group gone.

The md tree of test_daemon_md.py (md0 raid1 [2/2], md1 raid6 [4/4]) is copied
to a temporary root and `redmon daemon --root TMP` runs with a JSON Lines sink,
a 200 ms rescan and this config:

    [daemon] stall_after = 1s
    [group.md:md0] spares = 1       (md0 has none: spares_missing at start)
    [group.md:md1] required = yes   (removing md1: group_vanished, critical)

Steps: md0 loses sdb1 and recovers onto sdg1 at 10 %, then its progress
freezes: rebuild_stalled (warning) once stall_after has passed, and only once;
the progress moves to 25 %: rebuild_resumed, with an `eta_s`.  md1 is then
removed: group_vanished is critical, "expected group md:md1 (raid6) is gone".
A reload (SIGHUP) expecting 3 members of md0 gives members_missing.
`redmon check` on the same tree says CRITICAL for the missing md1 and WARNING
for md0's spare; `redmon daemon --check-config` names a bad [group.ID] key's
file and line.

Set REDMON_KEEP_TMP=1 to keep the temporary root.
"""

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
from test_daemon_md import MD0_FAILED, MD1_OK, PERSONALITIES, SECTORS, build_tree, mdstat, recovery

CONF = """# redmon integration test: expected groups and stalls
[daemon]
stall_after = 1s
rescan_interval = 200ms
[group.md:md0]
spares = 1
[group.md:md1]
required = yes
"""


def start_daemon(build, tmp):
    """The daemon on tmp with only the md probe; returns (proc, stderr file, waiter)."""
    conf = os.path.join(tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    plugins = os.path.join(tmp, "plugins")
    os.makedirs(plugins)
    os.symlink(os.path.join(build, "plugins", "md.so"), os.path.join(plugins, "md.so"))
    events = os.path.join(tmp, "events.jsonl")
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--root", tmp, "--plugin-dir", plugins,
            "-c", conf, "-o", "sink.t.type=json", "-o", "sink.t.path=" + events]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                            env=harness.test_env())
    return proc, err, harness.EventWaiter(events, proc, err, 5.0)


def is_event(name, gid):
    return lambda e: e.get("event") == name and (e.get("group") or {}).get("id") == gid


def the(events, name, gid):
    for e in events:
        if is_event(name, gid)(e):
            return e
    raise TestError("no %s for %s among %s" % (name, gid, [e.get("event") for e in events]))


def expect(problems, what, got, want):
    if got != want:
        problems.append("%s: %r, expected %r" % (what, got, want))


def check_start(w):
    """md0 appears ok, then spares_missing (warning) with the reason."""
    evs = w.wait_for([is_event("group_appeared", "md:md0"), is_event("spares_missing", "md:md0"),
                      is_event("group_appeared", "md:md1")])
    e = the(evs, "spares_missing", "md:md0")
    out = []
    expect(out, "severity", e.get("severity"), "warning")
    expect(out, "expected", e.get("expected"), 1)
    expect(out, "group.health", e["group"].get("health"), "ok")
    expect(out, "group.reason", e["group"].get("reason"), "1 spare expected, 0 present")
    expect(out, "message", e.get("message"), "md:md0 has 0 spares, 1 expected")
    return out


def start_recovery(tree):
    tree.put("sys/block/md0/md/dev-sdb1/state", "faulty\n")
    tree.put("sys/block/md0/md/degraded", "1\n")
    tree.unlink("sys/block/md0/md/rd1")
    tree.put("proc/mdstat", mdstat(MD1_OK, MD0_FAILED))
    time.sleep(0.3)
    tree.remove_dir("sys/block/md0/md/dev-sdb1")
    tree.add_dir("sys/block/md0/md/dev-sdg1", {"state": "spare\n", "slot": "1\n"})
    tree.link("sys/block/md0/md/rd1", "dev-sdg1")
    tree.put("sys/block/md0/md/sync_completed", "%d / %d\n" % (SECTORS // 10 + 1, SECTORS))
    tree.put("sys/block/md0/md/sync_action", "recover\n")
    tree.put("proc/mdstat", mdstat(MD1_OK, recovery(100)))


def check_stall(w, tree):
    """Frozen at 10 %: rebuild_stalled after stall_after (1 s), said once."""
    start_recovery(tree)
    t0 = time.monotonic()
    w.wait_for([is_event("rebuild_started", "md:md0")])
    evs = w.wait_for([is_event("rebuild_stalled", "md:md0")], timeout=5.0)
    waited = time.monotonic() - t0
    e = the(evs, "rebuild_stalled", "md:md0")
    out = []
    if waited < 0.9:
        out.append("stalled after %.2fs, before stall_after (1s)" % waited)
    expect(out, "severity", e.get("severity"), "warning")
    expect(out, "group.stalled", e["group"].get("stalled"), True)
    expect(out, "group.eta_s", e["group"].get("eta_s"), None)
    expect(out, "message", e.get("message"), "md:md0 recovery stalled at 10.0%")
    time.sleep(1.0)  # five more rescans, all frozen: no second rebuild_stalled
    again = [x.get("event") for x in w.read()[w.seen:]]
    if again:
        out.append("events while still stalled: %s" % again)
    return out


def check_resume(w, tree):
    """10 % -> 25 %: rebuild_resumed with an ETA from the observed rate."""
    tree.put("sys/block/md0/md/sync_completed", "%d / %d\n" % (SECTORS // 4, SECTORS), inplace=True)
    tree.put("proc/mdstat", mdstat(MD1_OK, recovery(250)), inplace=True)
    evs = w.wait_for([is_event("rebuild_resumed", "md:md0")])
    e = the(evs, "rebuild_resumed", "md:md0")
    out = []
    eta = e["group"].get("eta_s")
    if not isinstance(eta, int) or eta <= 0:
        out.append("eta_s %r is not a positive count of seconds" % eta)
    if "stalled" in e["group"]:
        out.append("still stalled: %r" % e["group"])
    expect(out, "severity", e.get("severity"), "critical")  # as the group: [2/1]
    return out


def check_required_gone(w, tree):
    """md1 removed: group_vanished is critical and says it was expected."""
    text = PERSONALITIES + "\n" + recovery(250) + "\nunused devices: <none>\n"
    tree.remove_dir("sys/block/md1")
    tree.put("proc/mdstat", text)
    evs = w.wait_for([is_event("group_vanished", "md:md1")])
    e = the(evs, "group_vanished", "md:md1")
    out = []
    expect(out, "severity", e.get("severity"), "critical")
    expect(out, "required", e.get("required"), True)
    expect(out, "message", e.get("message"), "expected group md:md1 (raid6) is gone")
    return out


def check_reload(w, proc, tmp):
    """SIGHUP with md0 now expected to have 3 members: members_missing at the next scan."""
    conf = os.path.join(tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write(CONF.replace("spares = 1", "spares = 1\nmembers = 3"))
    proc.send_signal(signal.SIGHUP)
    evs = w.wait_for([is_event("members_missing", "md:md0")])
    e = the(evs, "members_missing", "md:md0")
    out = []
    expect(out, "expected", e.get("expected"), 3)
    expect(out, "severity", e.get("severity"), "warning")
    if "3 members expected, 2 present" not in (e["group"].get("reason") or ""):
        out.append("reason %r" % e["group"].get("reason"))
    with open(conf, "w") as f:
        f.write(CONF)  # as the one-shot checks below expect it
    return out


def check_oneshot(build, tmp):
    """`redmon check` on the tree as it is now; --check-config on a bad section."""
    conf, plugins = os.path.join(tmp, "redmon.conf"), os.path.join(tmp, "plugins")
    r = harness.Redmon(build)
    p = r.run(["check", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    out = []
    expect(out, "check exit", p.returncode, 2)
    for want in ("REDMON CRITICAL", "expected group md:md1 is gone",
                 "md:md0 1 spare expected, 0 present"):
        if want not in p.stdout:
            out.append("check output lacks %r: %r" % (want, p.stdout))
    p = r.run(["status", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    for want in ("expected group md:md1 is gone", "1 spare expected, 0 present"):
        if want not in p.stdout:
            out.append("status table lacks %r: %r" % (want, p.stdout))
    p = r.run(["status", "--json", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    doc = json.loads(p.stdout)
    md0 = [g for g in doc["groups"] if g["id"] == "md:md0"]
    if not md0 or "1 spare expected, 0 present" not in (md0[0].get("reason") or ""):
        out.append("status --json: md0's reason %r" % (md0 and md0[0].get("reason")))
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[group.md:md0]\nspares = 1\nspare = 2\n[group.md0]\nrequired = yes\n")
    p = r.run(["daemon", "--check-config", "-c", bad, "--plugin-dir", plugins])
    if p.returncode == 0:
        out.append("--check-config accepted %s" % bad)
    for want in ("bad.conf:3: unknown key 'spare' in [group.md:md0]",
                 "bad.conf:5: [group.md0]: a group is named <probe>:<name>"):
        if want not in p.stderr:
            out.append("--check-config lacks %r: %r" % (want, p.stderr))
    return out


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    name = "integration/daemon_expect/"
    tmp = tempfile.mkdtemp(prefix="redmon-it-")
    proc = err = None
    try:
        tree = build_tree(tmp)
        proc, err, w = start_daemon(args.build, tmp)
        for label, fn, fargs in (("spares-missing", check_start, (w,)),
                                 ("rebuild-stalled", check_stall, (w, tree)),
                                 ("rebuild-resumed", check_resume, (w, tree)),
                                 ("required-gone", check_required_gone, (w, tree)),
                                 ("reload-applies-expectations", check_reload, (w, proc, tmp))):
            try:
                rep.check(name + label, fn(*fargs))
            except TestError as e:
                rep.fail(name + label, str(e))
                err.seek(0)
                sys.stderr.write("daemon stderr:\n" + err.read().decode(errors="replace"))
                break
        rep.check(name + "stop", harness.stop_daemon(proc, err))
        proc = None
        rep.run(name + "check-and-check-config", lambda: check_oneshot(args.build, tmp))
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

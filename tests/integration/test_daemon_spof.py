#!/usr/bin/env python3
"""The daemon names a hidden single point of failure once, and remembers it across a restart.

A temporary root holds a sysfs device tree with real links (as the kernel lays
it out: sys/class/block/sdb1 -> ../../devices/pci0000:00/0000:00:1f.2/.../block/sdb/sdb1)
and two md raid1 arrays: md0 of sdb1 and sdb2, two partitions of one disk;
md1 of sdc1 and sdd1, two disks on two controllers.  `redmon daemon --root TMP`
runs with the md probe, a JSON Lines sink, a state directory and a 200 ms
rescan.

  spof-found           one spof_found for md0 (severity info, "spof" the
                       reason, group.spof lists it, health still ok), none for md1
  exec-hook            an exec sink's hook ran for it with REDMON_SPOF, the reason
  not-repeated         more rescans: no second spof_found
  status-and-check     `redmon status --json` lists md0's spof ([] for md1), the
                       table shows it under md0, `redmon check` stays OK and
                       gives it as long output
  disk-moved           sdd moved behind md1's other controller: only its links
                       in sys/class/block change (no array does), and the next
                       scans find md1's new spof (inotify on sys/class/block
                       says disks changed; links are not resolved every scan)
  restart-remembers    the daemon restarted on the same state: md1 changes
                       (a member fails) and is announced, md0's spof is not again
  events-match-the-schema  every event (spof_found, group spof) as docs/alert.schema.json says
  gone-then-back       sdb2 replaced by sde1 (another disk): no event; sdb2
                       back: spof_found again, as a reason that went away is forgotten

Set REDMON_KEEP_TMP=1 to keep the temporary root.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import alerts_harness
import harness
from harness import TestError
from test_daemon_md import PERSONALITIES, Tree

NAME = "integration/daemon_spof/"
REASON = "members sdb1 and sdb2 are partitions of one disk, sdb"

MD0 = """md0 : active raid1 sdb2[1] sdb1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD0_OTHER = """md0 : active raid1 sde1[1] sdb1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD1 = """md1 : active raid1 sdd1[1] sdc1[0]
      976630464 blocks super 1.2 [2/2] [UU]
"""
MD1_FAILED = """md1 : active raid1 sdd1[1](F) sdc1[0]
      976630464 blocks super 1.2 [2/1] [U_]
"""


# The exec hook records its arguments and REDMON_* environment, one JSON line a run.
HOOK = """#!/usr/bin/python3
import json, os, sys
rec = {"argv": sys.argv[1:], "env": {k: v for k, v in os.environ.items() if k.startswith("REDMON_")}}
with open(%r, "a") as f:
    f.write(json.dumps(rec) + "\\n")
"""


def hook_runs(tmp, event):
    runs = harness.json_lines(os.path.join(tmp, "hook.jsonl"))
    return [r for r in runs if r["argv"][:1] == [event]]


def mdstat(md0, md1):
    return PERSONALITIES + md0 + "\n" + md1 + "\nunused devices: <none>\n"


def disk(root, fn, host, name, parts):
    """sdX behind PCI function fn, with partitions 1..parts, linked from sys/class/block
    and sys/block as the kernel links them (test_snmp_spof.py uses it too)."""
    dev = "devices/pci0000:00/%s/host%d/target%d:0:0/%d:0:0:0/block/%s" % (fn, host, host, host, name)
    path = lambda rel: os.path.join(root, rel)
    for d in ("sys/" + dev, "sys/class/block", "sys/block"):
        os.makedirs(path(d), exist_ok=True)
    os.symlink("../../../%d:0:0:0" % host, path("sys/%s/device" % dev))
    os.symlink("../../" + dev, path("sys/class/block/" + name))
    os.symlink("../" + dev, path("sys/block/" + name))
    for p in range(1, parts + 1):
        os.makedirs(path("sys/%s/%s%d" % (dev, name, p)))
        with open(path("sys/%s/%s%d/partition" % (dev, name, p)), "w") as f:
            f.write("%d\n" % p)
        os.symlink("../../%s/%s%d" % (dev, name, p), path("sys/class/block/%s%d" % (name, p)))


def array(tree, name, members):
    d = "sys/block/%s/md" % name
    os.makedirs(tree.path(d))
    for f, v in (("level", "raid1"), ("raid_disks", "2"), ("degraded", "0"),
                 ("array_state", "clean"), ("sync_action", "idle"), ("sync_completed", "none")):
        tree.put("%s/%s" % (d, f), v + "\n")
    for slot, dev in enumerate(members):
        tree.add_dir("%s/dev-%s" % (d, dev), {"state": "in_sync\n", "slot": "%d\n" % slot})
        tree.link("%s/rd%d" % (d, slot), "dev-" + dev)


def build_tree(root):
    tree = Tree(root)
    os.makedirs(tree.path("proc"))
    disk(root, "0000:00:1f.2", 0, "sdb", 2)
    disk(root, "0000:00:1f.2", 1, "sdc", 1)
    disk(root, "0000:03:00.0", 2, "sdd", 1)
    disk(root, "0000:04:00.0", 3, "sde", 1)
    array(tree, "md0", ["sdb1", "sdb2"])
    array(tree, "md1", ["sdc1", "sdd1"])
    tree.put("proc/mdstat", mdstat(MD0, MD1))
    return tree


def start_daemon(build, tmp, events):
    conf = os.path.join(tmp, "redmon.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nrescan_interval = 200ms\nstate_dir = %s\n" % os.path.join(tmp, "state"))
        f.write("[sink.hook]\ntype = exec\ncommand = %s\n" % os.path.join(tmp, "hook.py"))
    plugins = os.path.join(tmp, "plugins")
    if not os.path.isdir(plugins):
        hook = os.path.join(tmp, "hook.py")
        with open(hook, "w") as f:
            f.write(HOOK % os.path.join(tmp, "hook.jsonl"))
        os.chmod(hook, 0o700)
        os.makedirs(plugins)
        os.makedirs(os.path.join(tmp, "state"))
        os.symlink(os.path.join(build, "plugins", "md.so"), os.path.join(plugins, "md.so"))
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--root", tmp, "--plugin-dir", plugins,
            "-c", conf, "-o", "sink.t.type=json", "-o", "sink.t.path=" + events]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                            env=harness.test_env())
    return proc, err


def is_event(name, gid):
    return lambda e: e.get("event") == name and (e.get("group") or {}).get("id") == gid


def spof_events(evs):
    return [e for e in evs if e.get("event") == "spof_found"]


def check_found(w):
    evs = w.wait_for([is_event("spof_found", "md:md0"), is_event("group_appeared", "md:md1")])
    out = []
    found = spof_events(evs)
    if len(found) != 1:
        return ["%d spof_found events, expected 1 (md0): %r" % (len(found), found)]
    e = found[0]
    for what, got, want in (("severity", e.get("severity"), "info"),
                            ("spof", e.get("spof"), REASON),
                            ("group.spof", e["group"].get("spof"), [REASON]),
                            ("group.health", e["group"].get("health"), "ok"),
                            ("message", e.get("message"),
                             "md:md0 has a hidden single point of failure: " + REASON)):
        if got != want:
            out.append("%s: %r, expected %r" % (what, got, want))
    return out


def check_hook(tmp):
    """The exec hook got spof_found with REDMON_SPOF, severity info."""
    deadline = time.time() + 5
    while not hook_runs(tmp, "spof_found") and time.time() < deadline:
        time.sleep(0.05)
    runs = hook_runs(tmp, "spof_found")
    if len(runs) != 1:
        return ["%d hook runs for spof_found, expected 1" % len(runs)]
    env, out = runs[0]["env"], []
    for k, want in (("REDMON_SPOF", REASON), ("REDMON_SEVERITY", "info"), ("REDMON_GROUP", "md:md0"),
                    ("REDMON_EVENT", "spof_found")):
        if env.get(k) != want:
            out.append("%s is %r, expected %r" % (k, env.get(k), want))
    if runs[0]["argv"][1:2] != ["md:md0"]:
        out.append("hook argv %r" % runs[0]["argv"])
    return out


def check_not_repeated(w):
    time.sleep(1.0)  # five rescans
    again = spof_events(w.read()[w.seen:])
    return ["spof_found again: %r" % again] if again else []


def check_disk_moved(w, root):
    """sdd's links in sys/class/block now lead behind 0000:00:1f.2, sdc's controller."""
    dev = "devices/pci0000:00/0000:00:1f.2/host4/target4:0:0/4:0:0:0/block/sdd"
    os.makedirs(os.path.join(root, "sys", dev, "sdd1"))
    os.symlink("../../../4:0:0:0", os.path.join(root, "sys", dev, "device"))
    with open(os.path.join(root, "sys", dev, "sdd1", "partition"), "w") as f:
        f.write("1\n")
    for name, target in (("sdd", "../../" + dev), ("sdd1", "../../%s/sdd1" % dev)):
        link = os.path.join(root, "sys/class/block", name)
        os.symlink(target, link + ".new")
        os.rename(link + ".new", link)  # replaced at once, as a renamed device's
    evs = w.wait_for([is_event("spof_found", "md:md1")])
    found = [e for e in spof_events(evs) if e["group"]["id"] == "md:md1"]
    if len(found) != 1 or "one controller, 0000:00:1f.2" not in found[0].get("spof", ""):
        return ["md1 after sdd moved: %r" % found]
    return []


def check_oneshot(build, tmp):
    plugins, conf = os.path.join(tmp, "plugins"), os.path.join(tmp, "redmon.conf")
    r = harness.Redmon(build)
    out = []
    p = r.run(["status", "--json", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    doc = json.loads(p.stdout)
    spof = {g["id"]: g.get("spof") for g in doc["groups"]}
    if spof.get("md:md0") != [REASON] or spof.get("md:md1") != []:
        out.append("status --json spof: %r" % spof)
    p = r.run(["status", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    if "spof: " + REASON not in p.stdout:
        out.append("status table lacks the spof: %r" % p.stdout)
    p = r.run(["check", "--root", tmp, "--plugin-dir", plugins, "-c", conf])
    lines = p.stdout.splitlines()
    if p.returncode != 0 or not lines or not lines[0].startswith("REDMON OK"):
        out.append("check: exit %d, %r (a spof is no problem of health)" % (p.returncode, p.stdout))
    if "md:md0 spof: " + REASON not in lines[1:]:
        out.append("check long output lacks the spof: %r" % p.stdout)
    return out


def check_restart(w, tree):
    before = w.seen  # every event since the stop, the restart's first scans included
    tree.put("sys/block/md1/md/dev-sdd1/state", "faulty\n")
    tree.put("sys/block/md1/md/degraded", "1\n")
    tree.put("proc/mdstat", mdstat(MD0, MD1_FAILED))
    w.wait_for([is_event("health_changed", "md:md1")])
    after = w.read()[before:]
    out = []
    if any(e.get("event") == "group_appeared" for e in after):
        out.append("groups appeared again after the restart: state not restored")
    if spof_events(after):
        out.append("spof_found after a restart: %r" % spof_events(after))
    return out


def check_gone_then_back(w, tree):
    tree.remove_dir("sys/block/md0/md/dev-sdb2")
    tree.add_dir("sys/block/md0/md/dev-sde1", {"state": "in_sync\n", "slot": "1\n"})
    tree.link("sys/block/md0/md/rd1", "dev-sde1")
    tree.put("proc/mdstat", mdstat(MD0_OTHER, MD1_FAILED))
    evs = w.wait_for([is_event("member_changed", "md:md0"), is_event("member_changed", "md:md0")])
    out = []
    if spof_events(evs):
        out.append("spof_found while md0 is on two disks: %r" % spof_events(evs))
    time.sleep(0.6)
    tree.remove_dir("sys/block/md0/md/dev-sde1")
    tree.add_dir("sys/block/md0/md/dev-sdb2", {"state": "in_sync\n", "slot": "1\n"})
    tree.link("sys/block/md0/md/rd1", "dev-sdb2")
    tree.put("proc/mdstat", mdstat(MD0, MD1_FAILED))
    evs = w.wait_for([is_event("spof_found", "md:md0")])
    if len(spof_events(evs)) != 1 or spof_events(evs)[0].get("spof") != REASON:
        out.append("on its return: %r" % spof_events(evs))
    return out


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="redmon-it-")
    events = os.path.join(tmp, "events.jsonl")
    proc = err = None
    try:
        tree = build_tree(tmp)
        proc, err = start_daemon(args.build, tmp, events)
        w = harness.EventWaiter(events, proc, err, 5.0)
        steps = [("spof-found", check_found, (w,)),
                 ("exec-hook", check_hook, (tmp,)),
                 ("not-repeated", check_not_repeated, (w,)),
                 ("status-and-check", check_oneshot, (args.build, tmp)),
                 ("disk-moved", check_disk_moved, (w, tmp)),
                 ("restart", None, None),
                 ("restart-remembers", check_restart, (w, tree)),
                 ("gone-then-back", check_gone_then_back, (w, tree))]
        for label, fn, fargs in steps:
            if fn is None:
                w.seen = len(w.read())
                rep.check(NAME + "stop", harness.stop_daemon(proc, err))
                proc, err = start_daemon(args.build, tmp, events)
                w.proc, w.stderr_file = proc, err
                time.sleep(0.6)  # its first scans, diffed against the restored state
                continue
            try:
                rep.check(NAME + label, fn(*fargs))
            except TestError as e:
                rep.fail(NAME + label, str(e))
                err.seek(0)
                sys.stderr.write("daemon stderr:\n" + err.read().decode(errors="replace"))
                break
        if proc:
            rep.check(NAME + "stop-again", harness.stop_daemon(proc, err))
            proc = None
        alerts_harness.check_schema(rep, NAME + "events-match-the-schema", w.read())
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

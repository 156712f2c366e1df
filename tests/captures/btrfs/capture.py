#!/usr/bin/env python3
"""Build real btrfs filesystems on loop devices and capture what the btrfs
probe reads of them, as --root trees: tests/captures/btrfs/<case>/ holds
sys/fs/btrfs/<fsid>/ (every readable attribute, links as links), the
`btrfs scrub status` / `btrfs replace status -1` output at the top of the
tree where the case has one (docs/btrfs.md), and an expected.json written
from what the case built (not from redmon's answer).

Run as root on a machine with btrfs and loop devices (btrfs-progs
installed): `python3 tests/captures/btrfs/capture.py [CASE...]`.  Every loop
device and mount is removed in every exit path (tests/integration/btrfs_loop.py).
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "integration"))
from btrfs_loop import Lab, have_btrfs, run  # noqa: E402

SYSFS = "/sys/fs/btrfs"


def copy_tree(src, dst):
    """Copy a sysfs directory: readable attributes as files, links as links."""
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        elif os.path.isdir(s):
            copy_tree(s, d)
        else:
            try:
                with open(s, "rb") as f:
                    data = f.read()
            except OSError:
                continue  # write-only, or refused: not something a probe reads
            with open(d, "wb") as f:
                f.write(data)


def progs_version():
    return run("btrfs", "--version").stdout.strip()


def save(case, uuid, verdict, group, texts=None):
    out = os.path.join(HERE, case)
    shutil.rmtree(out, ignore_errors=True)
    copy_tree(os.path.join(SYSFS, uuid), os.path.join(out, "sys/fs/btrfs", uuid))
    for name, text in (texts or {}).items():
        with open(os.path.join(out, name % uuid), "w") as f:
            f.write(text)
    group = dict(group, group=uuid, kind="btrfs")
    doc = {"case": case, "category": "btrfs",
           "source": {"repo": "(this repository) tests/captures/btrfs/capture.py",
                      "captured_on": "Linux %s, %s" % (platform.release(), progs_version()),
                      "license": "GPL-2.0-or-later (redmon's own capture)",
                      "extraction": "copy of /sys/fs/btrfs/<fsid> of a filesystem on loop devices"},
           "verdict": verdict, "groups": [group]}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("captured", case, uuid)


def counts(total, ok, tolerable, state):
    return {"members_total": total, "members_ok": ok, "members_failed": 0, "spares": 0,
            "state": state, "failures_tolerable": tolerable}


def case_healthy(lab, case, n, profile, tolerable):
    devs = lab.attach(n)
    uuid = lab.mkfs(devs, profile, profile)
    lab.mount(devs[0])
    save(case, uuid, "%s on %d loop devices, all present: ok, margin %d" % (profile, n, tolerable),
         counts(n, n, tolerable, "ok"))


def case_degraded(lab, case, n, profile, tolerable):
    devs = lab.attach(n)
    uuid = lab.mkfs(devs, profile, profile)
    lab.detach(devs[-1])
    lab.mount(devs[0], "degraded")
    save(case, uuid, "%s of %d mounted degraded, devid %d missing: margin %d"
         % (profile, n, n, tolerable),
         counts(n, n - 1, tolerable, "degraded"))


def case_degraded_written(lab, case):
    devs = lab.attach(2)
    uuid = lab.mkfs(devs, "raid1", "raid1")
    lab.detach(devs[-1])
    lab.mount(devs[0], "degraded")
    lab.fill(80)  # chunks allocated while degraded are single
    save(case, uuid, "raid1 of 2 mounted degraded and written: data has single chunks beside "
         "raid1, devid 2 missing: margin 0",
         counts(2, 1, 0, "degraded"))


def case_single_dup(lab, case):
    devs = lab.attach(1)
    uuid = lab.mkfs(devs, "single", "dup")
    lab.mount(devs[0])
    save(case, uuid, "one device, data single, metadata dup: nonredundant (dup protects no device)",
         counts(1, 1, 0, "ok"))


def throttle(uuid, rate):
    base = os.path.join(SYSFS, uuid, "devinfo")
    for d in os.listdir(base):
        with open(os.path.join(base, d, "scrub_speed_max"), "w") as f:
            f.write(str(rate))


def case_scrub_running(lab, case):
    devs = lab.attach(2)
    uuid = lab.mkfs(devs, "raid1", "raid1")
    lab.mount(devs[0])
    lab.fill(128)
    throttle(uuid, 1 << 20)  # 128 MiB a device at 1 MiB/s: long enough to be seen
    lab.background("btrfs", "scrub", "start", "-B", lab.mnt)
    for _ in range(60):  # until the first stats are out (a few seconds)
        time.sleep(1)
        text = run("btrfs", "scrub", "status", lab.mnt).stdout
        if "Status:           running" in text and "(0.00%)" not in text:
            break
    else:
        raise RuntimeError("no running scrub seen: %r" % text)
    save(case, uuid, "raid1 of 2, a scrub running (throttled by scrub_speed_max): ok, check",
         counts(2, 2, 1, "ok"), {"btrfs-scrub-status-%s.txt": text})


def case_replace_running(lab, case):
    devs = lab.attach(3)
    uuid = lab.mkfs(devs[:2], "raid1", "raid1")
    lab.mount(devs[0])
    lab.fill(64)
    throttle(uuid, 2 << 20)
    lab.background("btrfs", "replace", "start", "-B", "-f", devs[1], devs[2], lab.mnt)
    time.sleep(8)
    text = run("btrfs", "replace", "status", "-1", lab.mnt).stdout
    if "% done" not in text:
        raise RuntimeError("replace not running: %r" % text)
    pct = float(text.split("%")[0])
    save(case, uuid, "raid1 of 2, devid 2 being replaced onto a third device (devid 0 the "
         "target): the source still serves, margin 1, recovery %.1f%%" % pct,
         dict(counts(2, 2, 1, "rebuilding"), rebuild_percent=pct),
         {"btrfs-replace-status-%s.txt": text})


def case_errors(lab, case):
    """Corrupt one mirror under the filesystem, then scrub: counters rise, scrub repairs."""
    devs = lab.attach(2)
    uuid = lab.mkfs(devs, "raid1", "raid1")
    lab.mount(devs[0])
    lab.fill(32)
    lab.umount()
    img = os.path.join(lab.dir, "d1.img")
    with open(img, "r+b") as f:  # past the superblocks and the first chunks: data
        for off in range(64 << 20, 200 << 20, 4 << 20):
            f.seek(off)
            f.write(b"\xa5" * 65536)
    lab.mount(devs[0])
    run("btrfs", "scrub", "start", "-B", lab.mnt, check=False)
    text = run("btrfs", "scrub", "status", lab.mnt).stdout
    save(case, uuid, "raid1 of 2, one mirror overwritten under the filesystem, then scrubbed: "
         "corruption counters of devid 2 not zero, the scrub repaired: ok, margin 1",
         counts(2, 2, 1, "ok"), {"btrfs-scrub-status-%s.txt": text})


CASES = {
    "raid1-two-devices": lambda lab: case_healthy(lab, "raid1-two-devices", 2, "raid1", 1),
    "raid1c3-three-devices": lambda lab: case_healthy(lab, "raid1c3-three-devices", 3, "raid1c3", 2),
    "raid6-four-devices": lambda lab: case_healthy(lab, "raid6-four-devices", 4, "raid6", 2),
    "raid1-degraded-devid2-missing":
        lambda lab: case_degraded(lab, "raid1-degraded-devid2-missing", 2, "raid1", 0),
    "raid1c3-degraded-devid3-missing":
        lambda lab: case_degraded(lab, "raid1c3-degraded-devid3-missing", 3, "raid1c3", 1),
    "raid1-degraded-written-single-chunks":
        lambda lab: case_degraded_written(lab, "raid1-degraded-written-single-chunks"),
    "single-data-dup-metadata": lambda lab: case_single_dup(lab, "single-data-dup-metadata"),
    "raid1-scrub-running": lambda lab: case_scrub_running(lab, "raid1-scrub-running"),
    "raid1-replace-running": lambda lab: case_replace_running(lab, "raid1-replace-running"),
    "raid1-corrupted-mirror-scrubbed": lambda lab: case_errors(lab, "raid1-corrupted-mirror-scrubbed"),
}


def main():
    why = have_btrfs()
    if why:
        sys.exit("capture: " + why)
    names = sys.argv[1:] or list(CASES)
    for name in names:
        with Lab() as lab:
            CASES[name](lab)


if __name__ == "__main__":
    main()

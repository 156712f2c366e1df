"""Real btrfs filesystems on loop devices, for the btrfs probe's tests and
for tests/captures/btrfs/capture.py.

A Lab owns everything it makes (image files, loop devices, mounts) and undoes
all of it in close(), whatever failed before: use it as a context manager.
The recipe and its pitfalls: /work/shared/recipes/RECIPES.md section 8 (a
detached device must be dropped from the kernel's list with
`btrfs device scan --forget` before a degraded mount).
"""

import os
import shutil
import subprocess
import tempfile
import time


def have_btrfs():
    """Why btrfs on loop devices cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "needs root (losetup, mount)"
    for tool in ("mkfs.btrfs", "btrfs", "losetup"):
        if not shutil.which(tool):
            return "%s not installed (scripts/install-deps.sh)" % tool
    with open("/proc/filesystems") as f:
        if "btrfs" not in f.read():
            subprocess.run(["modprobe", "btrfs"], capture_output=True)
    with open("/proc/filesystems") as f:
        if "btrfs" not in f.read():
            return "the kernel has no btrfs"
    return None


def run(*argv, check=True):
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p


def mounts():
    with open("/proc/mounts") as f:
        return f.read()


def loops():
    return run("losetup", "-a").stdout


class Lab:
    def __init__(self, size_mb=300):
        self.dir = tempfile.mkdtemp(prefix="redmon-btrfs-")
        self.size = size_mb << 20
        self.devs = []      # loop devices attached, in order
        self.mnt = os.path.join(self.dir, "mnt")
        self.mounted = False
        self.procs = []     # foreground btrfs commands run in the background
        os.mkdir(self.mnt)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def attach(self, n):
        """n new loop devices on sparse images; their names."""
        new = []
        for _ in range(n):
            img = os.path.join(self.dir, "d%d.img" % len(self.devs))
            with open(img, "wb") as f:
                f.truncate(self.size)
            dev = run("losetup", "-f", "--show", img).stdout.strip()
            self.devs.append(dev)
            new.append(dev)
        return new

    def mkfs(self, devs, data, meta):
        run("mkfs.btrfs", "-q", "-f", "-L", "redmon-test", "-d", data, "-m", meta, *devs)
        return run("blkid", "-s", "UUID", "-o", "value", devs[0]).stdout.strip()

    def mount(self, dev, *opts):
        argv = ["mount", "-t", "btrfs"]
        if opts:
            argv += ["-o", ",".join(opts)]
        run(*argv, dev, self.mnt)
        self.mounted = True

    def umount(self):
        if self.mounted:
            run("umount", self.mnt)
            self.mounted = False

    def detach(self, dev):
        """Take dev away for good: the loop device goes, and btrfs forgets it."""
        run("losetup", "-d", dev)
        self.devs.remove(dev)
        # --forget drops every device not mounted, the others too: scan them again.
        run("btrfs", "device", "scan", "--forget", check=False)
        for other in self.devs:
            run("btrfs", "device", "scan", other, check=False)

    def fill(self, mb):
        """Write mb MiB of random data, so that a scrub or replace takes a while."""
        with open(os.path.join(self.mnt, "fill"), "wb") as f:
            for _ in range(mb):
                f.write(os.urandom(1 << 20))
        run("sync")

    def background(self, *argv):
        """Start a blocking btrfs command (scrub start -B, replace start -B) without waiting.
        Not `scrub start` alone: its forked tracker dies with our pipes, and the status
        file then says finished while the kernel still scrubs."""
        p = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def close(self):
        """Undo everything, each step on its own, so one failure leaves no rest behind."""
        if self.mounted and self.procs:
            run("btrfs", "scrub", "cancel", self.mnt, check=False)
            run("btrfs", "replace", "cancel", self.mnt, check=False)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.mounted:
            for _ in range(3):
                p = run("btrfs", "scrub", "cancel", self.mnt, check=False)
                p = run("btrfs", "replace", "cancel", self.mnt, check=False)
                p = run("umount", self.mnt, check=False)
                if p.returncode == 0 or self.mnt not in mounts():
                    break
                time.sleep(1)
            self.mounted = self.mnt in mounts()
            if self.mounted:
                run("umount", "-l", self.mnt, check=False)
        for dev in list(self.devs):
            run("losetup", "-d", dev, check=False)
            self.devs.remove(dev)
        run("btrfs", "device", "scan", "--forget", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

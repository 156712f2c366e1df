"""A real full file system for fault tests: a small tmpfs in a private mount
namespace, filled up by a filler file (tests/integration/test_faults_state.py).

The test script runs itself again under `unshare -m --propagation private`
(root, or CAP_SYS_ADMIN), so the tmpfs is seen only by it and the processes it
starts, and goes away with them: nothing is mounted on the host.  Where that
is not possible the caller reports SKIP with the reason.  Standard library
only.
"""

import errno
import os
import subprocess
import sys

NS_ENV = "REDMON_FAULT_MOUNT_NS"


def in_namespace():
    return os.environ.get(NS_ENV) == "1"


def run_in_namespace():
    """Outside: run this script again in a private mount namespace.

    Returns (exit code, None) after the inner run (its protocol lines went to
    our stdout), or (None, reason) when no namespace can be made here.
    """
    try:
        probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "no mount namespace: unshare: %s" % e
    if probe.returncode != 0:
        return None, "no mount namespace (needs root or CAP_SYS_ADMIN): %s" % (
            probe.stderr.strip() or "unshare exit %d" % probe.returncode)
    env = dict(os.environ)
    env[NS_ENV] = "1"
    sys.stdout.flush()
    inner = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable]
                           + sys.argv, stdin=subprocess.DEVNULL, env=env)
    return inner.returncode, None


def mount_tmpfs(path, size):
    """Mount a tmpfs of size (mount's syntax: 64k, 1m) on path; None or the reason it failed."""
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0750" % size, "tmpfs", path],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=30)
    if r.returncode != 0:
        return "cannot mount a tmpfs: %s" % (r.stderr.strip() or "exit %d" % r.returncode)
    return None


def remount(path, how):
    """Remount path ro or rw; None or the reason it failed."""
    r = subprocess.run(["mount", "-o", "remount," + how, path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       timeout=30)
    return None if r.returncode == 0 else "cannot remount %s: %s" % (how, r.stderr.strip())


def umount(path):
    subprocess.run(["umount", "-l", path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def fill(path):
    """Write path until the file system is full (ENOSPC); returns the bytes written."""
    block = b"x" * 4096
    n = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (4096, 1):
            while True:
                try:
                    n += os.write(fd, block[:size])
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return n


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize

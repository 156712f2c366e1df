#!/usr/bin/env python3
"""`redmon status` on a terminal: colour by health on a TTY only (--no-color,
NO_COLOR and TERM=dumb honoured), aligned columns, a closing summary line, and
`status --watch` redrawing the table when the tree changes, fitted to the
terminal (lines cut, never wrapped; rows beyond the screen counted) and drawn
again when the terminal is resized.

The terminal is a pseudo-terminal (python's pty module); the tree is a copy of
tests/fixtures/demo.  Every wait is bounded.
"""

import os
import fcntl
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import time

import harness
from harness import TestError

REPO = harness.REPO
DEMO = os.path.join(REPO, "tests", "fixtures", "demo")
SGR = re.compile(r"\x1b\[[0-9;]*m")
CLEAR = "\x1b[H\x1b[2J"
WAIT = 5.0


class Pty:
    """redmon with its stdout and stderr on a pseudo-terminal."""

    def __init__(self, build, args, env=None, size=None):
        self.master, slave = pty.openpty()
        if size:
            self.resize(*size, fd=slave)
        self.p = subprocess.Popen([os.path.join(build, "redmon")] + args, stdin=slave,
                                  stdout=slave, stderr=slave, env=env or harness.test_env(),
                                  start_new_session=True)
        os.close(slave)
        self.buf = b""

    def resize(self, cols, rows, fd=None):
        fcntl.ioctl(self.master if fd is None else fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))

    def read_until(self, pred, timeout=WAIT, what="output"):
        end = time.monotonic() + timeout
        while True:
            text = self.buf.decode("utf-8", "replace")
            if pred(text):
                return text
            left = end - time.monotonic()
            if left <= 0:
                raise TestError("timed out after %ss waiting for %s; got %r" % (timeout, what, text[-400:]))
            r, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk and self.p.poll() is not None:
                    text = self.buf.decode("utf-8", "replace")
                    if pred(text):
                        return text
                    raise TestError("redmon exited %s before %s; got %r" % (self.p.returncode, what, text[-400:]))
                self.buf += chunk

    def close(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        os.close(self.master)
        return self.p.returncode


def run_tty(build, args, env=None):
    t = Pty(build, args, env)
    try:
        text = t.read_until(lambda s: "worst:" in s and s.endswith("\n"), what="the summary line")
        rc = t.p.wait(WAIT)
    finally:
        t.close()
    return rc, text.replace("\r\n", "\n")


def table_problems(text):
    """Columns aligned: every group row starts its fields where the header's start."""
    plain = SGR.sub("", text)
    lines = [l for l in plain.split("\n") if l]
    head = [l for l in lines if l.startswith("GROUP")]
    if not head:
        return ["no header line in %r" % plain[:200]]
    header = head[-1]
    cols = [m.start() for m in re.finditer(r"\S+", header)]
    probs = []
    rows = [l for l in lines[lines.index(header) + 1:] if l[:1].strip() and ":" in l.split()[0]]
    if not rows:
        probs.append("no group rows")
    for r in rows:
        # GROUP TYPE HEALTH start where the header says; MARGIN is several words.
        for c in cols[1:4]:
            if c >= len(r) or r[c - 2:c] != "  " or r[c] == " ":
                probs.append("row %r: no field at column %d" % (r, c))
                break
    if not re.match(r"^\d+ groups?: .*worst: \w+$", lines[-1]):
        probs.append("last line is not the summary: %r" % lines[-1])
    return probs


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    b = args.build
    base = ["status", "--root", DEMO]

    def colour():
        rc, text = run_tty(b, base)
        probs = [] if rc == 0 else ["exit %s" % rc]
        if "\x1b[1;31mcritical" not in text or "\x1b[32mok" not in text:
            probs.append("no health colours on a terminal: %r" % text[:300])
        return probs + table_problems(text)
    rep.run("tty/colour_aligned", colour)

    def no_color_opt():
        rc, text = run_tty(b, base + ["--no-color"])
        return (["escape sequences with --no-color: %r" % text[:200]] if "\x1b[" in text else []) + \
            table_problems(text)
    rep.run("tty/no_color_option", no_color_opt)

    def no_color_env():
        env = dict(harness.test_env(), NO_COLOR="1")
        rc, text = run_tty(b, base, env)
        return ["escape sequences with NO_COLOR=1"] if "\x1b[" in text else []
    rep.run("tty/NO_COLOR", no_color_env)

    def empty_no_color():
        env = dict(harness.test_env(), NO_COLOR="")
        rc, text = run_tty(b, base, env)
        return [] if "\x1b[" in text else ["an empty NO_COLOR disabled colour (no-color.org: only a non-empty one does)"]
    rep.run("tty/NO_COLOR_empty", empty_no_color)

    def dumb():
        env = dict(harness.test_env(), TERM="dumb")
        rc, text = run_tty(b, base, env)
        return ["escape sequences with TERM=dumb"] if "\x1b[" in text else []
    rep.run("tty/TERM_dumb", dumb)

    def pipe():
        p = harness.Redmon(b).run(base)
        probs = [] if p.returncode == 0 else ["exit %d" % p.returncode]
        if "\x1b[" in p.stdout:
            probs.append("escape sequences on a pipe")
        return probs + table_problems(p.stdout)
    rep.run("tty/pipe_plain", pipe)

    def watch():
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "root")
            shutil.copytree(DEMO, root, symlinks=True)
            # One-hour rescans: only the probes' own notifications can redraw in time.
            t = Pty(b, ["status", "--watch", "--root", root, "-o", "daemon.rescan_interval=1h"],
                    size=(160, 40))
            try:
                t.read_until(lambda s: CLEAR in s and "worst:" in s, what="the first table")
                first = t.buf.count(CLEAR.encode())
                md = os.path.join(root, "sys", "block", "md0", "md")
                with open(os.path.join(md, "dev-sdf1", "state"), "w") as f:
                    f.write("faulty\n")
                with open(os.path.join(md, "degraded"), "w") as f:
                    f.write("1\n")
                path = os.path.join(root, "proc", "mdstat")
                text = open(path).read().replace("sdf1[5] sde1", "sdf1[5](F) sde1")
                with open(path + ".new", "w") as f:
                    f.write(text.replace("[6/6] [UUUUUU]", "[6/5] [UUUUU_]"))
                os.rename(path + ".new", path)

                def redrawn(s):
                    screens = s.split(CLEAR)
                    last = SGR.sub("", screens[-1])
                    return len(screens) - 1 > first and re.search(r"md:md0 +raid6 +degraded", last) \
                        and "worst:" in last
                text = t.read_until(redrawn, what="a redraw with md0 degraded")
                probs = table_problems(text.split(CLEAR)[-1].replace("\r\n", "\n"))
                t.p.send_signal(signal.SIGINT)
                rc = t.p.wait(WAIT)
                if rc != 0:
                    probs.append("exit %d after SIGINT" % rc)
                return probs
            finally:
                t.close()
    rep.run("tty/watch_redraw", watch)

    def watch_fits():
        t = Pty(b, ["status", "--watch", "--root", DEMO, "-o", "daemon.rescan_interval=1h"],
                size=(50, 8))
        try:
            text = t.read_until(lambda s: CLEAR in s and "more line" in s,
                                what="a table cut to 50x8")
            screen = SGR.sub("", text.split(CLEAR)[-1])
            lines = screen.split("\r\n")
            probs = []
            if len(lines) > 8:
                probs.append("%d rows on an 8-row terminal" % len(lines))
            wide = [l for l in lines if len(l) > 50]
            if wide:
                probs.append("rows wider than 50 columns: %r" % wide)
            if not any(l.endswith(">") for l in lines):
                probs.append("no cut line ends in '>': %r" % lines)
            if not re.search(r"\.\.\. \d+ more lines", lines[-1]):
                probs.append("the last row does not count what did not fit: %r" % lines[-1])
            # A larger terminal: SIGWINCH redraws it whole.
            n = t.buf.count(CLEAR.encode())
            t.resize(160, 40)
            os.killpg(t.p.pid, signal.SIGWINCH)
            text = t.read_until(lambda s: s.count(CLEAR) > n and "worst:" in s.split(CLEAR)[-1],
                                what="a redraw after the resize")
            if "more line" in text.split(CLEAR)[-1]:
                probs.append("160x40 still cut: %r" % text.split(CLEAR)[-1])
            return probs
        finally:
            t.close()
    rep.run("tty/watch_fits_terminal", watch_fits)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""State across restarts: what changed while redmon was down is reported as a change, nothing twice.

redmon runs on the fake probe with its state in the test's directory and is
stopped and started around changes: a disk that fails while it is stopped is a
health_changed on start (not group_appeared), a restart with nothing changed
announces nothing, the sequence never goes back (even after SIGKILL), a torn or
edited state file is reported, moved aside and not trusted, and a new set of
sinks hears every group afresh.

Then the md probe on a --root tree with a 16-member raid6 (issue 12: a group of
15 or more members could not be restored): stopped and started, its state is
restored (no "is not valid" line) and a disk failed while it was stopped is a
health_changed, not the group announced again.  And, as root, a state_dir that
does not exist with a [daemon] user to drop to: created owned by that user, so
the state is saved after the drop (it was created root's, and nothing could be
saved); an existing one the user cannot write refuses the start.  Links nobody
planted in that state directory (the webhook spool, or a directory on its way,
pointing at a directory of root's) stop the start and leave the target as it
was; a link root made is followed.
"""

import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import harness
from alerts_harness import check_schema, Daemon, Events, Tree, has, ini, raid1, wait_until
from harness import TestError

NAME = "integration/state_restart/"
MD_MEMBERS = 16


def md_write(root, rel, text):
    """Replace root/rel atomically (the md probe watches with inotify)."""
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    tmp = os.path.join(os.path.dirname(p), "." + os.path.basename(p) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, p)


def md_raid6(root, n, failed=None):
    """/proc/mdstat and /sys/block/md0/md: a raid6 of n members sd?1, member failed (an index) faulty."""
    devs = ["sd%s1" % chr(ord("a") + i) for i in range(n)]
    listed = " ".join("%s[%d]%s" % (d, i, "(F)" if i == failed else "") for i, d in reversed(list(enumerate(devs))))
    ok = n - (failed is not None)
    flags = "".join("_" if i == failed else "U" for i in range(n))
    md_write(root, "proc/mdstat",
             "Personalities : [raid6] [raid5] [raid4] \n"
             "md0 : active raid6 %s\n"
             "      %d blocks super 1.2 level 6, 512k chunk, algorithm 2 [%d/%d] [%s]\n\n"
             "unused devices: <none>\n" % (listed, 976630464 * (n - 2), n, ok, flags))
    d = "sys/block/md0/md"
    for f, v in (("level", "raid6"), ("raid_disks", str(n)), ("degraded", str(n - ok)),
                 ("array_state", "clean"), ("sync_action", "idle"), ("sync_completed", "none"),
                 ("metadata_version", "1.2")):
        md_write(root, "%s/%s" % (d, f), v + "\n")
    for i, dev in enumerate(devs):
        md_write(root, "%s/dev-%s/state" % (d, dev), ("faulty" if i == failed else "in_sync") + "\n")
        md_write(root, "%s/dev-%s/slot" % (d, dev), "%d\n" % i)
        link = os.path.join(root, d, "rd%d" % i)
        if not os.path.islink(link):
            os.symlink("dev-" + dev, link)


class MdDaemon:
    """redmon daemon on the md probe alone, over a --root tree; stopped by PID."""

    def __init__(self, build, tmp, state_dir, events, extra=()):
        self.plugins = os.path.join(tmp, "md-plugins")
        os.makedirs(self.plugins, exist_ok=True)
        link = os.path.join(self.plugins, "md.so")
        if not os.path.islink(link):
            os.symlink(os.path.join(build, "plugins", "md.so"), link)
        empty_conf = os.path.join(tmp, "empty.conf")  # a config must be a regular file
        open(empty_conf, "a").close()
        self.argv = [os.path.join(build, "redmon"), "daemon", "--root", tmp, "--plugin-dir", self.plugins,
                     "-c", empty_conf, "-o", "daemon.state_dir=" + state_dir,
                     "-o", "daemon.rescan_interval=200ms", "-o", "sink.t.type=json",
                     "-o", "sink.t.path=" + events] + list(extra)
        self.err_path = os.path.join(tmp, "md-daemon.err")
        self.proc = None

    def start(self):
        with open(self.err_path, "a") as err:
            err.write("--- start\n")
            err.flush()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         env=harness.test_env())
        return self

    def stderr(self, since_start=True):
        try:
            with open(self.err_path, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return ""
        return text.rsplit("--- start\n", 1)[-1] if since_start else text

    def alive_or_raise(self):
        if self.proc and self.proc.poll() is not None:
            raise TestError("daemon exited with %s: %s" % (self.proc.returncode, harness.tail(self.stderr())))

    def stop(self, timeout=10):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TestError("daemon did not stop within %ss" % timeout)
        finally:
            self.proc = None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def test_md_raid6_restart(args, rep):
    """A 16-member raid6 is restored across a stop and a start."""
    tmp = tempfile.mkdtemp(prefix="rm-state-md-")
    state = os.path.join(tmp, "state")
    events = Events(os.path.join(tmp, "events.jsonl"))
    d = MdDaemon(args.build, tmp, state, events.path)
    try:
        md_raid6(tmp, MD_MEMBERS)
        d.start()
        evs = events.wait_for(lambda e: has(e, "group_appeared"), "md0 announced", d)
        appeared = [e for e in evs if e["event"] == "group_appeared"][0]["group"]
        if len(appeared.get("members", [])) != MD_MEMBERS:
            rep.fail(NAME + "md-raid6-16", "md0 has %d members, want %d"
                     % (len(appeared.get("members", [])), MD_MEMBERS))
            return

        def restored():
            """stop, start: restored; nothing announced again."""
            if d.stop() != 0:
                return ["daemon exited non-zero: %s" % harness.tail(d.stderr())]
            n = len(events.read())
            d.start()
            wait_until(lambda: "state: restored" in d.stderr() or "is not valid" in d.stderr(),
                       "the state to be read", daemon=d)
            out = []
            err = d.stderr()
            if "is not valid" in err or "state: restored" not in err:
                out.append("state not restored: %s" % harness.tail(err, 4))
            # A change made now is the first event: nothing before it was re-announced.
            md_raid6(tmp, MD_MEMBERS, failed=5)
            evs = events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)[n:]
            again = [e["event"] for e in evs if e["event"] in ("group_appeared", "member_appeared")]
            if again:
                out.append("announced again after the restart: %s" % again)
            if glob.glob(os.path.join(state, "state.json.corrupt-*")):
                out.append("state moved aside: %s" % os.listdir(state))
            return out
        rep.run(NAME + "md-raid6-16-restored", restored)

        def changed_while_stopped():
            """a disk failed while stopped is a health_changed with its previous health."""
            if d.stop() != 0:
                return ["daemon exited non-zero: %s" % harness.tail(d.stderr())]
            n = len(events.read())
            md_raid6(tmp, MD_MEMBERS, failed=None)  # replaced while redmon was down
            d.start()
            evs = events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)[n:]
            out = []
            if "is not valid" in d.stderr():
                out.append("state not valid: %s" % harness.tail(d.stderr(), 4))
            hc = [e for e in evs if e["event"] == "health_changed"][0]
            if hc["group"]["id"] != "md:md0" or hc["group"]["health"] != "ok" or \
                    hc["previous"]["health"] != "degraded":
                out.append("health_changed %s %s (previous %s)" % (hc["group"]["id"], hc["group"]["health"],
                                                                   hc["previous"]))
            if any(e["event"] == "group_appeared" for e in evs):
                out.append("announced again: %s" % [e["event"] for e in evs])
            return out
        rep.run(NAME + "md-raid6-16-change-while-stopped", changed_while_stopped)

        def stop():
            rc = d.stop()
            return ["exit %s" % rc] if rc != 0 else []
        rep.run(NAME + "md-raid6-16-sigterm", stop)
    except TestError as e:
        rep.fail(NAME + "md-raid6-16", str(e))
    finally:
        d.kill()
        if rep.failed:
            sys.stderr.write("md daemon stderr:\n" + d.stderr(False))
        shutil.rmtree(tmp, ignore_errors=True)


def test_state_dir_for_user(args, rep):
    """As root, dropping to a user: a missing state_dir is made that user's; an unwritable one refuses."""
    names = (NAME + "state-dir-created-for-user", NAME + "state-dir-unwritable-refused")
    if os.geteuid() != 0:
        for n in names:
            rep.skip(n, "needs root")
        return
    nobody = pwd.getpwnam("nobody")
    tmp = tempfile.mkdtemp(prefix="rm-state-user-")
    os.chmod(tmp, 0o755)  # nobody must reach the state directory
    out_dir = os.path.join(tmp, "out")
    os.mkdir(out_dir)
    os.chown(out_dir, nobody.pw_uid, nobody.pw_gid)
    events = Events(os.path.join(out_dir, "events.jsonl"))
    state = os.path.join(tmp, "var", "lib", "redmon")  # parents missing too
    # A webhook to a closed port: its alerts stay in its spool, under state_dir.
    d = MdDaemon(args.build, tmp, state, events.path,
                 extra=("-o", "daemon.user=nobody", "-o", "sink.w.type=webhook",
                        "-o", "sink.w.url=http://127.0.0.1:9/", "-o", "sink.w.retry_max=1h"))
    try:
        md_raid6(tmp, 4)

        def created():
            d.start()
            events.wait_for(lambda e: has(e, "group_appeared"), "md0 announced", d)
            wait_until(lambda: os.path.exists(os.path.join(state, "state.json")), "state.json saved",
                       daemon=d)
            out = []
            st = os.stat(state)
            if (st.st_uid, st.st_gid) != (nobody.pw_uid, nobody.pw_gid):
                out.append("%s is owned by %d:%d, not nobody" % (state, st.st_uid, st.st_gid))
            if st.st_mode & 0o777 != 0o750:
                out.append("%s has mode %o" % (state, st.st_mode & 0o777))
            parent = os.stat(os.path.dirname(state))
            if parent.st_uid != 0 or parent.st_mode & 0o755 != 0o755:
                out.append("its parent is %d, mode %o: root's, 0755 wanted" % (parent.st_uid, parent.st_mode))
            # Saves after the drop work: a change and a clean stop leave them in state.json.
            n = len(events.read())
            md_raid6(tmp, 4, failed=1)
            events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)
            if d.stop() != 0:
                out.append("exit non-zero: %s" % harness.tail(d.stderr()))
            err = d.stderr()
            if "cannot save" in err or "cannot use" in err or "is not owned by" in err:
                out.append("state not saved after the drop: %s" % harness.tail(err, 4))
            if "refuses alerts" in err or "cannot spool" in err:
                out.append("webhook spool not written after the drop: %s" % harness.tail(err, 4))
            spooled = glob.glob(os.path.join(state, "spool", "w", "*.alert"))
            if not spooled:
                out.append("nothing in the webhook spool: %s" % os.listdir(state))
            for f in spooled:
                if os.stat(f).st_uid != nobody.pw_uid:
                    out.append("%s is owned by %d" % (f, os.stat(f).st_uid))
                    break
            with open(os.path.join(state, "state.json")) as f:
                doc = json.load(f)
            if doc["state"]["seq"] != max(e["seq"] for e in events.read()):
                out.append("state.json seq %s, last event %s" % (doc["state"]["seq"], events.read()[-1]["seq"]))
            return out
        rep.run(names[0], created)

        def refused():
            shutil.rmtree(state)
            os.mkdir(state, 0o750)  # root's: nobody cannot write it
            d.start()
            try:
                rc = d.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                return ["still running with a state_dir nobody cannot write"]
            finally:
                d.proc = None
            err = d.stderr()
            out = [] if rc != 0 else ["exit 0"]
            if "not writable by nobody" not in err or "refusing to start" not in err:
                out.append("no clear error: %s" % harness.tail(err, 4))
            return out
        rep.run(names[1], refused)
    except TestError as e:
        rep.fail(NAME + "state-dir-for-user", str(e))
    finally:
        d.kill()
        if rep.failed:
            sys.stderr.write("daemon stderr:\n" + d.stderr(False))
        shutil.rmtree(tmp, ignore_errors=True)


def test_state_dir_removed(args, rep):
    """As root, dropping to nobody: the state directory removed while redmon runs (issue 12 F2).

    Said once, exactly (it cannot be made again: its parent is root's); made
    again by the administrator, the next scan saves there, and a restart goes
    on with the sequence and the groups (nothing announced again).
    """
    names = [NAME + "state-dir-removed-" + n for n in ("said", "saved-when-back", "restart-goes-on")]
    if os.geteuid() != 0:
        for n in names:
            rep.skip(n, "needs root")
        return
    nobody = pwd.getpwnam("nobody")
    tmp = tempfile.mkdtemp(prefix="rm-state-removed-")
    os.chmod(tmp, 0o755)
    out_dir = os.path.join(tmp, "out")
    os.mkdir(out_dir)
    os.chown(out_dir, nobody.pw_uid, nobody.pw_gid)
    events = Events(os.path.join(out_dir, "events.jsonl"))
    state = os.path.join(tmp, "var", "lib", "redmon")
    state_file = os.path.join(state, "state.json")
    d = MdDaemon(args.build, tmp, state, events.path, extra=("-o", "daemon.user=nobody"))

    def change(failed):
        n = len(events.read())
        md_raid6(tmp, 4, failed=failed)
        events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)

    def saved_seq():
        try:
            with open(state_file) as f:
                return json.load(f)["state"]["seq"]
        except (OSError, ValueError, KeyError):
            return None
    try:
        md_raid6(tmp, 4)
        d.start()
        events.wait_for(lambda e: has(e, "group_appeared"), "md0 announced", d)
        wait_until(lambda: saved_seq() is not None, "state.json saved", daemon=d)
        shutil.rmtree(state)
        change(1)

        def said():
            wait_until(lambda: "was removed while redmon runs and cannot be made again" in d.stderr(),
                       "the removal said", daemon=d)
            return []
        rep.run(names[0], said)

        def saved_when_back():
            os.mkdir(state, 0o750)
            os.chown(state, nobody.pw_uid, nobody.pw_gid)
            change(None)
            last = max(e["seq"] for e in events.read())
            wait_until(lambda: saved_seq() == last, "state.json saved again with seq %d" % last,
                       daemon=d)
            return [] if "it is there again" in d.stderr() else ["not said: %s" % harness.tail(d.stderr(), 3)]
        rep.run(names[1], saved_when_back)

        def restart_goes_on():
            last = max(e["seq"] for e in events.read())
            if d.stop() != 0:
                return ["exit non-zero: %s" % harness.tail(d.stderr())]
            n = len(events.read())
            d.start()
            change(2)
            new = events.read()[n:]
            out = []
            if min(e["seq"] for e in new) <= last:
                out.append("sequence went back: %s after %d" % ([e["seq"] for e in new], last))
            if has(new, "group_appeared"):
                out.append("md0 announced again after the restart")
            return out
        rep.run(names[2], restart_goes_on)
    except TestError as e:
        rep.fail(NAME + "state-dir-removed", str(e))
    finally:
        d.kill()
        if rep.failed:
            sys.stderr.write("daemon stderr:\n" + d.stderr(False))
        shutil.rmtree(tmp, ignore_errors=True)


def test_planted_links(args, rep):
    """As root, dropping to nobody: links nobody planted in its state directory are not followed.

    Issue 12 E4.  The webhook's spool directory replaced by a link to a
    directory of root's: the spool used to open it as root, unlink its *.tmp
    files and make directories in it; a link on the way (state_dir/spool) made
    root create the spool in the target.  Now the start is refused, naming the
    spool, and the target is untouched.  A link root made is still followed.
    """
    cases = ("spool-link", "link-on-the-way", "root-link-followed")
    if os.geteuid() != 0:
        for c in cases:
            rep.skip(NAME + "planted-" + c, "needs root")
        return
    nobody = pwd.getpwnam("nobody")
    tmp = tempfile.mkdtemp(prefix="rm-state-planted-")
    os.chmod(tmp, 0o755)
    out_dir = os.path.join(tmp, "out")
    os.mkdir(out_dir)
    os.chown(out_dir, nobody.pw_uid, nobody.pw_gid)
    events = Events(os.path.join(out_dir, "events.jsonl"))
    state = os.path.join(tmp, "state")
    victim = os.path.join(tmp, "victim")
    md_raid6(tmp, 4)

    def fresh(link_at, owner):
        """state_dir nobody's, holding a link (owned by owner) to victim, a directory of root's."""
        for p in (state, victim):
            shutil.rmtree(p, ignore_errors=True)
        os.mkdir(victim, 0o755)
        with open(os.path.join(victim, "precious.tmp"), "w") as f:
            f.write("root's\n")
        for sub in ("", "spool"):
            os.makedirs(os.path.join(state, sub), 0o750, exist_ok=True)
            os.chown(os.path.join(state, sub), nobody.pw_uid, nobody.pw_gid)
        if link_at == "spool":
            os.rmdir(os.path.join(state, "spool"))
        link = os.path.join(state, link_at)
        os.symlink(victim, link)
        os.lchown(link, owner, owner)
        if owner == 0:  # the administrator made the spool nobody's there
            os.mkdir(os.path.join(victim, "w"), 0o750)
            os.chown(os.path.join(victim, "w"), nobody.pw_uid, nobody.pw_gid)

    def one(link_at, owner, refused):
        fresh(link_at, owner)
        d = MdDaemon(args.build, tmp, state, events.path,
                     extra=("-o", "daemon.user=nobody", "-o", "sink.w.type=webhook",
                            "-o", "sink.w.url=http://127.0.0.1:9/", "-o", "sink.w.retry_max=1h"))
        d.start()
        out = []
        try:
            if refused:
                try:
                    rc = d.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    rc = None
                err = d.stderr()
                if rc in (0, None) or "neither root's nor ours" not in err:
                    out.append("start not refused: exit %s, %s" % (rc, harness.tail(err, 4)))
            else:
                wait_until(lambda: glob.glob(os.path.join(victim, "w", "*.alert")),
                           "an alert spooled through root's link", daemon=d)
            left = sorted(os.listdir(victim))
            if "precious.tmp" not in left:
                out.append("root unlinked %s/precious.tmp" % victim)
            if refused and left != ["precious.tmp"]:
                out.append("root made %s in %s" % (left, victim))
        finally:
            d.kill()
        return out
    try:
        # state/spool/w -> victim: the spool itself
        rep.run(NAME + "planted-spool-link",
                lambda: one(os.path.join("spool", "w"), nobody.pw_uid, True))
        # state/spool -> victim: the spool would be victim/w
        rep.run(NAME + "planted-link-on-the-way", lambda: one("spool", nobody.pw_uid, True))
        # the administrator's link (root's): followed as any path
        rep.run(NAME + "planted-root-link-followed", lambda: one("spool", 0, False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    tmp = tempfile.mkdtemp(prefix="rm-state-")
    state = os.path.join(tmp, "state")
    state_file = os.path.join(state, "state.json")
    d = None
    try:
        tree = Tree(tmp)
        tree.set(raid1("md0"), raid1("md1"))
        events = Events(os.path.join(tmp, "events.jsonl"))

        def conf(path=events.path):
            return ini({"daemon": {"state_dir": state, "rescan_interval": "100ms"},
                        "sink.log": {"type": "json", "path": path}})
        d = Daemon(args.build, tmp, conf())

        def last_seq():
            return max(e["seq"] for e in events.read())

        def restart(change=None, kill=False):
            """Stop (SIGTERM, or SIGKILL), apply change, start; return the index of the next event."""
            if kill:
                d.kill()
            elif d.stop() != 0:
                raise TestError("daemon exited non-zero: %s" % harness.tail(d.stderr()))
            if change:
                change()
            n = len(events.read())
            d.start()
            return n

        def mark(n, label):
            """A change of another group; returns the events from n up to and with it."""
            tree.set(raid1("md0", failed_now[0]), raid1("md1"), ("marker", 1, 1, [(label, "active")]))
            return events.wait_for(lambda e: any((x.get("group") or {}).get("id") == "fake:marker"
                                                 for x in e[n:]), "marker " + label, d)[n:]
        failed_now = [False]

        d.start()
        events.wait_for(lambda e: len([x for x in e if x["event"] == "group_appeared"]) == 2, "2 groups", d)

        def change_while_stopped():
            seq = last_seq()
            failed_now[0] = True
            n = restart(lambda: tree.set(raid1("md0", True), raid1("md1")))
            evs = events.wait_for(lambda e: has(e, "health_changed", since=n), "health_changed", d)[n:]
            out = []
            if any(e["event"] == "group_appeared" for e in evs):
                out.append("a known group was announced as new: %s" % [e["event"] for e in evs])
            hc = [e for e in evs if e["event"] == "health_changed"][0]
            if hc["group"]["id"] != "fake:md0" or hc["previous"] != {"health": "ok", "margin": 1}:
                out.append("health_changed %s previous %s" % (hc["group"]["id"], hc["previous"]))
            if evs[0]["seq"] != seq + 1:
                out.append("sequence %d after %d: a clean stop continues exactly" % (evs[0]["seq"], seq))
            return out
        rep.run(NAME + "change-while-stopped", change_while_stopped)

        def nothing_new():
            n = restart()
            evs = mark(n, "a")
            first = evs[0]
            if (first.get("group") or {}).get("id") != "fake:marker":
                return ["announced again on a restart with no change: %s" % [e["event"] for e in evs]]
            return []
        rep.run(NAME + "restart-announces-nothing-new", nothing_new)

        def sigkill_sequence():
            before = last_seq()
            n = len(events.read())
            mark(n, "b")  # events, then SIGKILL with no clean stop
            seen = last_seq()
            n = restart(kill=True)
            evs = mark(n, "c")
            out = []
            if min(e["seq"] for e in evs) <= seen:
                out.append("sequence went back after SIGKILL: %d after %d" % (evs[0]["seq"], seen))
            print("# state: after SIGKILL the sequence continued at %d (last seen %d, reserve %d)"
                  % (evs[0]["seq"], seen, evs[0]["seq"] - seen - 1))
            return out + ([] if seen > before else ["no event before the kill"])
        rep.run(NAME + "sigkill-sequence-never-back", sigkill_sequence)

        def corrupt(name, damage, want_seq_kept):
            def case():
                seq = last_seq()
                n = restart(lambda: damage())
                evs = events.wait_for(lambda e: len([x for x in e[n:] if x["event"] == "group_appeared"])
                                      >= 2, "groups announced afresh", d)[n:]
                out = []
                err = d.stderr()
                if "is not valid" not in err or "not trusted" not in err:
                    out.append("not reported: %s" % harness.tail(err))
                if not [l for l in err.splitlines() if "is not valid" in l and ": error: " in l]:
                    out.append("not logged at error level")
                aside = glob.glob(state_file + ".corrupt-*")
                if not aside:
                    out.append("not moved aside: %s" % os.listdir(state))
                for f in aside:
                    os.unlink(f)
                if want_seq_kept and evs[0]["seq"] <= seq:
                    out.append("sequence %d after %d" % (evs[0]["seq"], seq))
                # Replaced: the next save is a valid file again.
                mark(len(events.read()), name)
                with open(state_file) as f:
                    if json.load(f).get("format") != "redmon-state":
                        out.append("state file not replaced")
                return out
            return case

        def torn():
            with open(state_file, "r+") as f:
                f.truncate(os.path.getsize(state_file) // 2)

        def edited():
            with open(state_file) as f:
                doc = json.load(f)
            for g in doc["state"]["probes"][0]["groups"]:
                if g["group"]["id"] == "fake:md0":  # critical: saying ok hides a failure
                    g["group"]["health"] = "ok"
                    g["margin_raw"] = 1
            with open(state_file, "w") as f:
                json.dump(doc, f)
        rep.run(NAME + "torn-file-replaced", corrupt("torn", torn, True))
        rep.run(NAME + "edited-file-replaced", corrupt("edited", edited, True))

        def other_sinks():
            seq = last_seq()
            other = Events(os.path.join(tmp, "other.jsonl"))
            n_other = 0
            d.stop()
            d.write_conf(conf(other.path))
            d.start()
            evs = other.wait_for(lambda e: len([x for x in e[n_other:] if x["event"] == "group_appeared"])
                                 >= 3, "every group for the new sink", d)
            out = []
            if evs[0]["seq"] <= seq:
                out.append("sequence %d after %d" % (evs[0]["seq"], seq))
            if "set of sinks" not in d.stderr():
                out.append("no notice: %s" % harness.tail(d.stderr()))
            return out
        rep.run(NAME + "new-sinks-hear-everything", other_sinks)

        check_schema(rep, NAME + "json-schema", events.read())

        def stop():
            rc = d.stop()
            return (["exit %s" % rc] if rc != 0 else []) + d.sanitizer_problems()
        rep.run(NAME + "sigterm", stop)
    except TestError as e:
        rep.fail(NAME + "setup", str(e))
    finally:
        if d:
            d.kill()
        if rep.failed and d:
            sys.stderr.write("daemon stderr:\n" + d.stderr())
        if os.environ.get("REDMON_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    test_md_raid6_restart(args, rep)
    test_state_dir_for_user(args, rep)
    test_state_dir_removed(args, rep)
    test_planted_links(args, rep)
    rep.exit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Upgrades: the state, webhook spools and SNMP index file an earlier release wrote are read.

tests/fixtures/upgrade/state/ is a state_dir written by the release named in
tests/fixtures/upgrade/README.md (its generate.py ran the daemon on the demo
tree at a fixed root).  Each case puts a copy of it under that same root and
starts this build on it:

  state-restored           the groups and the sequence of state.json are
                           restored: a disk failed since is one health_changed
                           with the saved health as previous, numbered right
                           after the saved sequence; no group is announced again;
  webhook-spool-delivered  the alerts spooled by the two webhook sinks (generic
                           and alertmanager) reach a real HTTP receiver on
                           127.0.0.1, first, in sequence order, once each, with
                           the spooled idempotency keys and bodies; the
                           alertmanager sink's held.json (md1 vanished while
                           critical) keeps md1 in its re-sends;
  snmp-indexes-kept        through a real snmpd (AgentX master), every group,
                           member and probe row has the index the index file
                           gave it (a fresh start would number them otherwise).
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys

import harness
from alerts_harness import Events, has, wait_until
from harness import TestError
from http_receiver import Receiver

FIXTURE = os.path.join(harness.REPO, "tests", "fixtures", "upgrade")
sys.path.insert(0, FIXTURE)
import generate  # noqa: E402  (the fixture's root, config and tree: the reader must see the same)

NAME = "integration/upgrade/"
STATE_FILES = ("state.json", "state.seq", "snmp-index", "spool")
WEBHOOKS = {"web": "/alert", "am": "/api/v2/alerts"}


class Daemon:
    """redmon daemon on the fixture's root and a copy of its state_dir; stopped by PID."""

    def __init__(self, build, conf_text):
        self.work = os.path.join(generate.BASE, "work")
        self.conf = os.path.join(self.work, "redmon.conf")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.err_path = os.path.join(self.work, "daemon.err")
        self.argv = [os.path.join(build, "redmon"), "daemon", "--root", generate.ROOT, "--plugin-dir",
                     generate.plugin_dir(build, self.work), "-c", self.conf]
        self.proc = None

    def start(self):
        with open(self.err_path, "a") as err:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         env=harness.test_env())
        return self

    def stderr(self):
        try:
            with open(self.err_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

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

    def problems_at_stop(self):
        rc = self.stop()
        out = [] if rc == 0 else ["exit %s: %s" % (rc, harness.tail(self.stderr()))]
        if any(m in self.stderr() for m in harness.SAN_MARKERS):
            out.append("sanitizer: " + harness.tail(self.stderr(), 12))
        return out


def fixture_state():
    """A fresh root and a copy of the fixture's state_dir (as an installer leaves it: 0750)."""
    work = generate.fresh_root(generate.SAVED_ARRAYS)  # the tree as it was at the stop
    state = os.path.join(work, "state")
    os.mkdir(state, 0o750)
    for name in STATE_FILES:
        src = os.path.join(FIXTURE, "state", name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(state, name))
        else:
            shutil.copy2(src, state)
    return state


def saved_state():
    with open(os.path.join(FIXTURE, "state", "state.json")) as f:
        return json.load(f)["state"]


def saved_group(gid):
    for p in saved_state()["probes"]:
        for g in p["groups"]:
            if g["group"]["id"] == gid:
                return g["group"]
    raise TestError("the fixture's state.json has no group %s" % gid)


def fail_md0_disk():
    """md0 (raid6, 6 disks) loses sdc1: ok -> degraded."""
    root = generate.ROOT
    md = os.path.join(root, "sys", "block", "md0", "md")
    generate.write_atomic(os.path.join(md, "dev-sdc1", "state"), "faulty\n")
    generate.write_atomic(os.path.join(md, "degraded"), "1\n")
    os.unlink(os.path.join(md, "rd2"))
    stat = os.path.join(root, "proc", "mdstat")
    with open(stat) as f:
        text = f.read()
    text = text.replace("sdc1[2] ", "sdc1[2](F) ").replace("[6/6] [UUUUUU]", "[6/5] [UU_UUU]")
    generate.write_atomic(stat, text)


def test_state(args, rep):
    saved = saved_state()
    md0 = saved_group("md:md0")
    state = fixture_state()
    fail_md0_disk()
    d = Daemon(args.build, generate.config(state))
    events = Events(generate.EVENTS)
    try:
        d.start()
        evs = events.wait_for(lambda e: has(e, "health_changed"), "health_changed of md0", d)
        hc = [e for e in evs if e["event"] == "health_changed"][0]
        # The scan's events are all written once the state saved after it says so.
        wait_until(lambda: json.load(open(os.path.join(state, "state.json")))["state"]["seq"] >=
                   events.read()[-1]["seq"], "the state saved after the first scan", daemon=d)
        evs = events.read()
        out = []
        err = d.stderr()
        if "state: restored" not in err or "is not valid" in err or "saved for another" in err:
            out.append("state.json not restored: %s" % harness.tail(err, 4))
        if glob.glob(os.path.join(state, "state.json.corrupt-*")):
            out.append("state.json moved aside: %s" % os.listdir(state))
        again = ["%s %s" % (e["event"], (e.get("group") or {}).get("id")) for e in evs
                 if e["event"] in ("group_appeared", "group_disappeared", "member_appeared")]
        if again:
            out.append("announced again, as if nothing was restored: %s" % again)
        if hc["group"]["id"] != "md:md0" or hc["group"]["health"] != "degraded":
            out.append("health_changed %s %s" % (hc["group"]["id"], hc["group"]["health"]))
        want_prev = {"health": md0["health"], "margin": md0["margin"]}
        if hc.get("previous") != want_prev:
            out.append("previous %s, the saved group says %s" % (hc.get("previous"), want_prev))
        if evs[0]["seq"] != saved["seq_reserved"] + 1:
            out.append("first event #%d after a saved sequence of %d (reserved %d)"
                       % (evs[0]["seq"], saved["seq"], saved["seq_reserved"]))
        return out + d.problems_at_stop()
    finally:
        d.stop()


def spooled(name):
    """The fixture's spool of sink name: [(seq, key, body)] in sequence order."""
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURE, "state", "spool", name, "*.alert"))):
        with open(path) as f:
            text = f.read()
        m = re.match(r"Idempotency-Key: (.*)\n\n", text)
        if not m:
            raise TestError("%s is not a spool entry" % path)
        out.append((int(os.path.basename(path).split(".")[0]), m.group(1), text[m.end():]))
    if not out:
        raise TestError("the fixture has no spooled alert for %s" % name)
    return out


def held_resent(rx, d):
    """The alertmanager re-sends (every 500 ms once the spool is empty) carry the held md1."""
    def groups(r):
        try:
            return [a.get("labels", {}).get("group") for a in json.loads(r["body"])]
        except (ValueError, AttributeError):
            return []

    def resends(reqs):
        return [r for r in reqs if r["path"] == WEBHOOKS["am"] and
                ":resend-" in r["headers"].get("idempotency-key", "")]
    reqs = rx.wait_for(lambda reqs: len(resends(reqs)) >= 2, 10)
    d.alive_or_raise()
    if reqs is None:
        return ["no alertmanager re-send within 10s: %s" % [r["path"] for r in rx.requests()]]
    missing = [groups(r) for r in resends(reqs) if "md:md1" not in groups(r)]
    return ["a re-send without the held md:md1 (held.json not read): %s" % missing[0]] if missing else []


def test_webhook(args, rep):
    state = fixture_state()
    rx = Receiver(generate.BASE)
    rx.start()
    url = "http://127.0.0.1:%d" % rx.port
    d = Daemon(args.build, generate.config(state, url + WEBHOOKS["web"], url + WEBHOOKS["am"]))
    want = {name: spooled(name) for name in WEBHOOKS}

    def got(reqs, name):
        """(key, body) of the 2xx answers on the sink's path, not Alertmanager's re-sends."""
        return [(r["headers"].get("idempotency-key"), r["body"]) for r in reqs
                if r["path"] == WEBHOOKS[name] and r["status"] < 300 and
                ":resend-" not in r["headers"].get("idempotency-key", "")]

    def all_in(reqs):
        return all(set(k for _, k, _ in want[n]) <= set(k for k, _ in got(reqs, n)) for n in WEBHOOKS)
    try:
        d.start()
        reqs = rx.wait_for(all_in, 20)
        out = []
        if reqs is None:
            reqs = rx.requests()
            out.append("after 20s not all spooled alerts delivered: %s" % {
                n: [k for k, _ in got(reqs, n)] for n in WEBHOOKS})
        for name in WEBHOOKS:
            keys = [k for k, _ in got(reqs, name)]
            spooled_keys = [k for _, k, _ in want[name]]
            head = got(reqs, name)[:len(want[name])]
            if [k for k, _ in head] != spooled_keys:
                out.append("%s: delivered %s, the spool held %s (in this order, first)"
                           % (name, keys, spooled_keys))
            elif [b for _, b in head] != [b for _, _, b in want[name]]:
                out.append("%s: bodies differ from the spooled ones" % name)
            dups = sorted(set(k for k in keys if keys.count(k) > 1))
            if dups:
                out.append("%s: delivered more than once: %s" % (name, dups))
            spool = os.path.join(state, "spool", name)
            wait_until(lambda: not glob.glob(os.path.join(spool, "*.alert")), "%s empty" % spool, daemon=d)
        out += held_resent(rx, d)
        return out + d.problems_at_stop()
    finally:
        d.stop()
        rx.stop()


def fixture_indexes():
    """{("group", id) | ("member", group id, name) | ("probe", name): index} of the fixture."""
    out, groups, members = {}, {}, []
    with open(os.path.join(FIXTURE, "state", "snmp-index")) as f:
        for line in f:
            w = line.rstrip("\n").split(" ")
            if w[0] == "group":
                groups[w[1]] = w[2]
                out[("group", w[2])] = w[1]
            elif w[0] == "probe":
                out[("probe", w[2])] = w[1]
            elif w[0] == "member":
                members.append(w[1:])
    for g, m, name in members:
        out[("member", groups[g], name)] = "%s.%s" % (g, m)
    return out


def walked_indexes(walk):
    out = {}
    for (obj, idx), v in walk.items():
        if obj == "redmonGroupId":
            out[("group", v)] = idx
        elif obj == "redmonProbeName":
            out[("probe", v)] = idx
    for (obj, idx), v in walk.items():
        if obj == "redmonMemberName":
            out[("member", walk[("redmonGroupId", idx.split(".")[0])], v)] = idx
    return out


def test_snmp(args, rep):
    if not shutil.which("snmpd") or not shutil.which("snmpbulkwalk"):
        rep.skip(NAME + "snmp-indexes-kept", "snmpd or snmpbulkwalk is not installed")
        return
    from test_snmp import Peers
    p = Peers(args.build)
    state = fixture_state()
    d = Daemon(args.build, generate.config(state, agentx_socket="unix:" + p.sock))
    saved_ids = [g["group"]["id"] for pr in saved_state()["probes"] for g in pr["groups"]]
    # Only rows of groups in the tree: md1's index stays in the file, unused.
    want = {k: i for k, i in fixture_indexes().items() if k[0] == "probe" or k[1] in saved_ids}

    def rows():
        """The walk once the four groups are there, else None."""
        d.alive_or_raise()
        try:
            w = p.walk()
        except TestError:  # not registered with the master yet
            return None
        return w if len([1 for (o, _) in w if o == "redmonGroupId"]) == len(saved_ids) else None

    def case():
        p.start_snmpd()
        d.start()
        walk = p.wait(rows, "%d group rows through snmpd" % len(saved_ids))
        got = walked_indexes(walk)
        out = ["%s has index %s, the index file gave it %s" % (" ".join(k), got.get(k), i)
               for k, i in sorted(want.items()) if got.get(k) != i]
        out += ["%s has index %s, not in the index file" % (" ".join(k), i)
                for k, i in sorted(got.items()) if k not in want]
        return out + d.problems_at_stop()
    try:
        rep.run(NAME + "snmp-indexes-kept", case)
    finally:
        d.stop()
        p.cleanup()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    lock = generate.lock_base()  # the fixture's root is one fixed path
    try:
        for name, fn in (("state-restored", test_state), ("webhook-spool-delivered", test_webhook)):
            try:
                rep.run(NAME + name, fn, args, rep)
            except TestError as e:
                rep.fail(NAME + name, str(e))
        test_snmp(args, rep)
    finally:
        shutil.rmtree(generate.BASE, ignore_errors=True)
        os.close(lock)
    rep.exit()


if __name__ == "__main__":
    main()

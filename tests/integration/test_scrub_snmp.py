#!/usr/bin/env python3
"""Scrub ages, md's own ETA and the warning notifications through the real daemon and peers.

The peers and routes of test_snmp.py (snmpd as AgentX master, snmptrapd on
direct v2c, v3 trap, v3 inform and v2c forwarded by the master), on 127.0.0.1
and a unix AgentX socket, stopped by PID.  The daemon reads a captured md
tree (--root): md1, a raid1 of sda1 and sdb1, idle.

- A check runs (sync_action check, sync_completed and sync_speed): the
  group's eta_s in `status --json` is the one md's speed gives, not the
  daemon's own.
- The check ends with mismatch_cnt 128 (last_sync_action check): the JSON
  event scrub_found_errors (warning) with last_scrub dated by the daemon,
  and redmonScrubFoundErrors on every route with redmonGroupScrubFound;
  the group table's redmonGroupScrubAge and redmonGroupScrubFound say the
  same; an exec hook gets REDMON_SCRUB_FOUND, REDMON_LAST_SCRUB and
  REDMON_SCRUB_AGE_S.
- A reload expecting a spare ([group.md:md1] spares = 1): spares_missing
  and redmonSparesMissing on every route with redmonGroupSpares 0.
"""

import json
import os
import signal
import subprocess

import harness
import snmp_harness
import test_snmp as ts

NAME = "integration/scrub_snmp/"


HOOK = """#!/usr/bin/python3
import json, os
with open(%r, "a") as f:
    f.write(json.dumps({k: v for k, v in os.environ.items() if k.startswith("REDMON_")}) + "\\n")
"""


class ScrubPeers(ts.Peers):
    """test_snmp's peers; the daemon's config adds an exec hook, and a
    [group.md:md1] when expect_spare."""

    expect_spare = False

    def write_conf(self, fast_path=None):
        super().write_conf(fast_path)
        self.hook, self.hook_out = os.path.join(self.tmp, "hook.py"), os.path.join(self.tmp, "hook.jsonl")
        with open(self.hook, "w") as f:
            f.write(HOOK % self.hook_out)
        os.chmod(self.hook, 0o755)
        with open(self.conf, "a") as f:
            f.write("[sink.hook]\ntype = exec\ncommand = %s\n" % self.hook)
            if self.expect_spare:
                f.write("[group.md:md1]\nspares = 1\n")

    def hook_env(self, event):
        runs = harness.json_lines(self.hook_out)
        return [r for r in runs if r.get("REDMON_EVENT") == event]


def status_group(p, gid):
    out = subprocess.run([os.path.join(p.build, "redmon"), "status", "--json", "--root", p.tree.root,
                          "--plugin-dir", os.path.join(p.tmp, "plugins"), "-c", p.conf],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                         env=harness.test_env(), timeout=30)
    for g in json.loads(out.stdout).get("groups", []):
        if g["id"] == gid:
            return g
    raise harness.TestError("status --json has no group %s: %r" % (gid, out.stdout[:300]))


def run(p, rep):
    t = p.tree
    t.mdstat(ts.MD1_OK)
    t.array("md1", "raid1", ["sda1", "sdb1"])
    t.put("sys/block/md1/md/sync_speed", "none\n")
    t.put("sys/block/md1/md/mismatch_cnt", "0\n")
    t.put("sys/block/md1/md/last_sync_action", "idle\n")
    p.start_trapd()
    p.start_snmpd()
    p.start_daemon()
    p.wait(lambda: "STRING" in p.client("snmpget", ["REDMON-MIB::redmonAgentVersion.0"], check=False),
           "REDMON-MIB through snmpd")
    p.wait(lambda: p.event("group_appeared", "md:md1"), "md1 appears")
    state = {}

    def new_group_nothing_at_once():
        out = []
        g = p.event("group_appeared", "md:md1")["group"]
        if g.get("last_scrub", "absent") is not None or g.get("scrub_age_s", "absent") is not None:
            out.append("a group never scrubbed: last_scrub %r, scrub_age_s %r" %
                       (g.get("last_scrub", "absent"), g.get("scrub_age_s", "absent")))
        for kind in ("scrub_overdue", "scrub_found_errors"):
            if p.event(kind, "md:md1"):
                out.append("%s at once for a new group" % kind)
        return out
    rep.run(NAME + "new-group-raises-nothing", new_group_nothing_at_once)

    def check_eta_from_md():
        # 1000000 - 100000 sectors left = 450000 KiB at 1500 KiB/s: 300 s
        t.put("sys/block/md1/md/sync_completed", "100000 / 1000000\n")
        t.put("sys/block/md1/md/sync_speed", "1500\n")
        t.put("sys/block/md1/md/sync_action", "check\n")
        t.mdstat(ts.MD1_OK.rstrip("\n") + "\n      [=>...]  check = 10.0% (50000/500000) finish=5.0min "
                 "speed=1500K/sec\n")
        g = status_group(p, "md:md1")
        if g["activity"] != "check" or g.get("eta_s") != 300:
            return ["a running check: activity %r, eta_s %r (want 300 from sync_speed)" %
                    (g["activity"], g.get("eta_s"))]
        return []
    rep.run(NAME + "md-eta-from-sync-speed", check_eta_from_md)

    def scrub_found_errors():
        gi = ts.group_index(p.walk(), "md:md1")
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"] if p.read_events() else 0
        t.put("sys/block/md1/md/mismatch_cnt", "128\n")
        t.put("sys/block/md1/md/last_sync_action", "check\n")
        t.put("sys/block/md1/md/sync_completed", "none\n")
        t.put("sys/block/md1/md/sync_speed", "none\n")
        t.put("sys/block/md1/md/sync_action", "idle\n")
        t.mdstat(ts.MD1_OK)
        ev = p.wait(lambda: p.event("scrub_found_errors", "md:md1", after=last), "scrub_found_errors event")
        out = []
        g = ev["group"]
        if ev["severity"] != "warning" or g.get("scrub_found") != "mismatch_cnt 128" or \
                not g.get("last_scrub") or g.get("scrub_age_s") is None or g["health"] != "ok":
            out.append("event %r" % ev)
        if "mismatch_cnt 128" not in (g.get("reason") or ""):
            out.append("reason %r does not say what the scrub found" % g.get("reason"))
        for route, tr in ts.wait_routes(p, "redmonScrubFoundErrors", since,
                                        lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == ev["seq"],
                                        "md1 mismatches").items():
            out += ts.check_group_trap(tr, gi, "md:md1", "md1", "raid1", ts.HEALTH["ok"], ts.HEALTH["ok"],
                                       1, 1, ev["seq"])
            v = tr["vars"].get("REDMON-MIB::redmonGroupScrubFound.%s" % gi)
            if v != "mismatch_cnt 128":
                out.append("%s: redmonGroupScrubFound.%s is %r" % (route, gi, v))
        w = p.walk()
        age, found = w.get(("redmonGroupScrubAge", gi)), w.get(("redmonGroupScrubFound", gi))
        if not isinstance(age, int) or age < 0 or age > 60 or found != "mismatch_cnt 128":
            out.append("group table: redmonGroupScrubAge %r, redmonGroupScrubFound %r" % (age, found))
        # Column 20 (redmonGroupSpof) sits between the ETA and the scrub columns: this
        # tree's md1 has no hidden single point of failure, so it is the empty string.
        if w.get(("redmonGroupSpof", gi)) != "":
            out.append("column 20 redmonGroupSpof.%s is %r, want empty" % (gi, w.get(("redmonGroupSpof", gi))))
        env = p.wait(lambda: p.hook_env("scrub_found_errors"), "the exec hook for scrub_found_errors")[0]
        if env.get("REDMON_SCRUB_FOUND") != "mismatch_cnt 128" or not env.get("REDMON_LAST_SCRUB") or \
                not env.get("REDMON_SCRUB_AGE_S", "").isdigit() or env.get("REDMON_SEVERITY") != "warning":
            out.append("exec hook environment %r" % {k: v for k, v in env.items() if "SCRUB" in k or
                                                     k == "REDMON_SEVERITY"})
        state["gi"] = gi
        return out
    rep.run(NAME + "scrub-found-errors-on-every-route", scrub_found_errors)

    def spares_missing():
        gi = state.get("gi") or ts.group_index(p.walk(), "md:md1")
        since = len(p.read_traps())
        last = p.read_events()[-1]["seq"] if p.read_events() else 0
        mark = len(p.daemon_log())
        p.expect_spare = True
        p.write_conf()
        p.daemon.send_signal(signal.SIGHUP)
        p.wait(lambda: "reloading configuration" in p.daemon_log()[mark:], "the reload")
        ev = p.wait(lambda: p.event("spares_missing", "md:md1", after=last), "spares_missing event")
        out = []
        for route, tr in ts.wait_routes(p, "redmonSparesMissing", since,
                                        lambda x: x["vars"].get("REDMON-MIB::redmonNotifSeq.0") == ev["seq"],
                                        "md1 short of a spare").items():
            out += ts.check_group_trap(tr, gi, "md:md1", "md1", "raid1", ts.HEALTH["ok"], ts.HEALTH["ok"],
                                       1, 1, ev["seq"])
            v = tr["vars"].get("REDMON-MIB::redmonGroupSpares.%s" % gi)
            if v != 0:
                out.append("%s: redmonGroupSpares.%s is %r" % (route, gi, v))
        return out
    rep.run(NAME + "spares-missing-on-every-route", spares_missing)


if __name__ == "__main__":
    snmp_harness.main(__doc__, NAME, run, peers=ScrubPeers)

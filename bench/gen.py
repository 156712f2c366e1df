#!/usr/bin/env python3
"""Generate a realistic redundancy tree under a root, with its ground truth.

    bench/gen.py --root DIR [--md N] [--bonds N] [--psus N]

Writes under DIR:
  proc/mdstat, sys/block/mdI/md/...          N md arrays: a mix of raid1/5/6/10 that
                                             are ok, have a failed or a removed member,
                                             recover, resync, check, are delayed, reshape,
                                             are inactive, auto-read-only, carry a spare
  sys/class/net/bonding_masters (cut at one page like the kernel), sys/class/net/<bond>/
  and <slave>/, proc/net/bonding/<bond>     N bonds in every mode, some with a slave
                                             down, a failover, an 802.3ad port outside
                                             the active aggregator
  sys/class/hwmon/hwmonK -> sys/devices/...  N PMBus supplies (at least 2), some with
                                             input lost, a fan fault, over-temperature
and beside the tree (DIR/truth.json, DIR/floor.list; redmon reads only DIR/proc and DIR/sys):
  truth.json   {"groups": {id: {field: value}}, "counts": {...}}; a field absent from
               a group's entry is not pinned down by the generator
  floor.list   the files a complete monitor has to read each pass, one path
               relative to DIR per line (bench/floor.c reads exactly these)

The figures in truth.json follow DESIGN.md's margin rules (md: README "How it
decides"; bonds: plugins/bond/README.md; PSUs: docs/psu.md, N = all but one).
"""

import argparse
import json
import os
import sys

SECTORS = 1953260928        # per-device size in 512-byte sectors
KIB = SECTORS // 2          # the same in KiB (mdstat "blocks")
PAGE = 4096
IFNAMSIZ = 16


class Tree:
    def __init__(self, root):
        self.root = root
        self.floor = []
        self.dirs = set()

    def mkdir(self, d):
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)

    def put(self, rel, text, floor=False):
        p = os.path.join(self.root, rel)
        self.mkdir(os.path.dirname(p))
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, text.encode())
        os.close(fd)
        if floor:
            self.floor.append(rel)

    def link(self, rel, target):
        p = os.path.join(self.root, rel)
        self.mkdir(os.path.dirname(p))
        if os.path.lexists(p):
            os.unlink(p)
        os.symlink(target, p)


# --- md ---------------------------------------------------------------------

def bar(per_milli):
    x = per_milli // 50
    return "[" + "=" * x + ">" + "." * (20 - x) + "]"


def progress_line(kind, per_milli):
    done = KIB * per_milli // 1000
    return "      %s  %s = %d.%d%% (%d/%d) finish=%.1fmin speed=208012K/sec\n" % (
        bar(per_milli), kind, per_milli // 10, per_milli % 10, done, KIB, (KIB - done) / 208012 / 60)


def md_array(t, i, kind):
    """One array of template `kind`; returns (mdstat block, truth)."""
    name = "md%d" % i
    dev = lambda j: "sd%dd%d" % (i, j)  # noqa: E731  unique device names per array
    d = "sys/block/%s/md" % name
    attrs = {"array_state": "clean", "sync_action": "idle", "sync_completed": "none",
             "degraded": "0", "metadata_version": "1.2"}
    # members: (dev, mdstat index, flag "", "F" or "S", sysfs state, slot or None)
    truth = {"probe": "md", "activity": "none", "progress": None, "members_failed": 0, "spares": 0}
    extra = ""
    status = None
    if kind == "raid1-ok":
        level, n = "raid1", 2
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        truth.update(type="raid1", health="ok", margin=1, margin_nominal=1, members_total=2, members_ok=2)
    elif kind == "raid5-failed":
        level, n = "raid5", 4
        mem = [(dev(j), j, "", "in_sync", j) for j in range(3)] + [(dev(3), 3, "F", "faulty", None)]
        status = "[4/3] [UUU_]"
        attrs["degraded"] = "1"
        truth.update(type="raid5", health="critical", margin=0, margin_nominal=1, members_total=4,
                     members_ok=3, members_failed=1)
    elif kind == "raid6-removed":
        level, n = "raid6", 6
        mem = [(dev(j), j, "", "in_sync", j) for j in (0, 1, 2, 3, 5)]
        status = "[6/5] [UUUU_U]"
        attrs["degraded"] = "1"
        truth.update(type="raid6", health="degraded", margin=1, margin_nominal=2, members_total=6,
                     members_ok=5)
    elif kind == "raid1-recovering":
        level, n = "raid1", 2
        pm = 374
        mem = [(dev(0), 0, "", "in_sync", 0), (dev(2), 2, "", "spare", 1)]
        status = "[2/1] [U_]"
        extra = progress_line("recovery", pm)
        attrs.update(degraded="1", sync_action="recover",
                     sync_completed="%d / %d" % (SECTORS * pm // 1000 + 1, SECTORS))
        truth.update(type="raid1", health="critical", margin=0, margin_nominal=1, members_total=2,
                     members_ok=1, activity="recovery", progress=pm / 10)
    elif kind == "raid5-resync":
        level, n = "raid5", 3
        pm = 112
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        extra = progress_line("resync", pm)
        attrs.update(array_state="active", sync_action="resync",
                     sync_completed="%d / %d" % (SECTORS * pm // 1000 + 1, SECTORS))
        truth.update(type="raid5", health="ok", margin=1, margin_nominal=1, members_total=3, members_ok=3,
                     activity="resync", progress=pm / 10)
    elif kind == "raid6-check":
        level, n = "raid6", 4
        pm = 983
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        extra = progress_line("check", pm)
        attrs.update(sync_action="check", sync_completed="%d / %d" % (SECTORS * pm // 1000 + 1, SECTORS))
        truth.update(type="raid6", health="ok", margin=2, margin_nominal=2, members_total=4, members_ok=4,
                     activity="check")
        truth.pop("progress")  # scrub progress: reported or not, no rule pins it
    elif kind == "raid1-delayed":
        level, n = "raid1", 2
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        extra = "      resync=DELAYED\n"
        attrs.update(array_state="active", sync_action="resync", sync_completed="delayed")
        truth.update(type="raid1", health="ok", margin=1, margin_nominal=1, members_total=2, members_ok=2,
                     activity="delayed")
    elif kind == "raid5-reshape":
        level, n = "raid5", 5
        pm = 484
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        extra = progress_line("reshape", pm)
        attrs.update(sync_action="reshape", sync_completed="%d / %d" % (SECTORS * pm // 1000 + 1, SECTORS))
        truth.update(type="raid5", health="ok", margin=1, margin_nominal=1, members_total=5, members_ok=5,
                     activity="reshape", progress=pm / 10)
    elif kind == "inactive":
        level, n = "", 2
        mem = [(dev(j), j, "S", "spare", None) for j in range(n)]
        attrs = {"array_state": "inactive", "metadata_version": "1.2"}
        truth = {"probe": "md", "health": "failed", "margin": 0}
    elif kind == "raid1-auto-read-only":
        level, n = "raid1", 2
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        attrs["array_state"] = "read-auto"
        truth.update(type="raid1", health="ok", margin=1, margin_nominal=1, members_total=2, members_ok=2)
    elif kind == "raid10-ok":
        level, n = "raid10", 4
        mem = [(dev(j), j, "", "in_sync", j) for j in range(n)]
        attrs["layout"] = "258"  # near=2, far=1
        truth.update(type="raid10", health="ok", margin=1, margin_nominal=1, members_total=4, members_ok=4)
    elif kind == "raid1-spare":
        level, n = "raid1", 2
        mem = [(dev(0), 0, "", "in_sync", 0), (dev(1), 1, "", "in_sync", 1), (dev(2), 2, "S", "spare", None)]
        truth.update(type="raid1", health="ok", margin=1, margin_nominal=1, members_total=2, members_ok=2,
                     spares=1)
    else:
        raise ValueError(kind)

    # /proc/mdstat block (md.c md_seq_show / status_resync).
    devs = " ".join("%s[%d]%s" % (m[0], m[1], "(%s)" % m[2] if m[2] else "") for m in reversed(mem))
    if kind == "inactive":
        block = "%s : inactive %s\n      %d blocks super 1.2\n" % (name, devs, KIB * n)
    else:
        ro = " (auto-read-only)" if attrs.get("array_state") == "read-auto" else ""
        if status is None:
            ins = sum(1 for m in mem if m[3] == "in_sync")
            status = "[%d/%d] [%s]" % (n, ins, "U" * ins)
        if level in ("raid5", "raid6"):
            geo = " level %s, 512k chunk, algorithm 2" % level[4:]
            size = KIB * (n - (1 if level == "raid5" else 2))
        elif level == "raid10":
            geo = " 512K chunks 2 near-copies"
            size = KIB * n // 2
        else:
            geo, size = "", KIB
        block = "%s : active%s %s %s\n      %d blocks super 1.2%s %s\n%s" % (
            name, ro, level, devs, size, geo, status, extra)

    # sysfs (Documentation/admin-guide/md.rst).
    attrs["level"] = level
    attrs["raid_disks"] = str(n) if kind != "inactive" else "0"
    for k, v in attrs.items():
        t.put("%s/%s" % (d, k), v + "\n", floor=k != "metadata_version")
    for m in mem:
        t.put("%s/dev-%s/state" % (d, m[0]), m[3] + "\n", floor=True)
        t.put("%s/dev-%s/slot" % (d, m[0]), ("%d" % m[4] if m[4] is not None else "none") + "\n", floor=True)
        if m[4] is not None:
            t.link("%s/rd%d" % (d, m[4]), "dev-%s" % m[0])
    return block, truth


MD_KINDS = ("raid1-ok", "raid5-failed", "raid6-removed", "raid1-recovering", "raid5-resync", "raid6-check",
            "raid1-delayed", "raid5-reshape", "inactive", "raid1-auto-read-only", "raid10-ok", "raid1-spare")


def gen_md(t, n, truth):
    blocks = []
    for i in range(n):
        block, tr = md_array(t, i, MD_KINDS[i % len(MD_KINDS)])
        blocks.append(block)
        truth["md:md%d" % i] = tr
    t.put("proc/mdstat", "Personalities : [raid1] [raid6] [raid5] [raid4] [raid10] \n" + "\n".join(
        reversed(blocks)) + ("\n" if blocks else "") + "unused devices: <none>\n", floor=True)


# --- bonds ------------------------------------------------------------------

MODES = {  # name: (sysfs number, /proc/net/bonding words)
    "balance-rr": (0, "load balancing (round-robin)"),
    "active-backup": (1, "fault-tolerance (active-backup)"),
    "balance-xor": (2, "load balancing (xor)"),
    "broadcast": (3, "fault-tolerance (broadcast)"),
    "802.3ad": (4, "IEEE 802.3ad Dynamic link aggregation"),
    "balance-tlb": (5, "transmit load balancing"),
    "balance-alb": (6, "adaptive load balancing"),
}
# kind: (mode, slaves [(up, aggregator)], active slave index or None)
BOND_KINDS = (
    ("802.3ad-ok", "802.3ad", [(True, 1), (True, 1)], None),
    ("active-backup-ok", "active-backup", [(True, 0), (True, 0)], 0),
    ("balance-rr-down", "balance-rr", [(True, 0), (False, 0)], None),
    ("active-backup-failover", "active-backup", [(False, 0), (True, 0)], 1),
    ("802.3ad-split", "802.3ad", [(True, 1), (True, 1), (True, 2)], None),
    ("balance-xor-ok", "balance-xor", [(True, 0), (True, 0)], None),
    ("broadcast-ok", "broadcast", [(True, 0), (True, 0)], None),
    ("balance-tlb-ok", "balance-tlb", [(True, 0), (True, 0)], None),
    ("balance-alb-down", "balance-alb", [(True, 0), (True, 0), (False, 0)], None),
)
LACP_OK = 61  # activity, aggregation, synchronization, collecting, distributing


def bonding_masters(names):
    """bond_sysfs.c bonding_show_bonds(): names until the page is nearly full, then '++more++'."""
    res = ""
    for nm in names:
        if len(res) > PAGE - IFNAMSIZ:
            if PAGE - len(res) > 10:
                res = res[:PAGE - 10]
            res += "++more++ "
            break
        res += nm + " "
    return res[:-1] + "\n" if res else ""


def mac(b, j):
    return "02:00:%02x:%02x:%02x:%02x" % ((b >> 16) & 0xff, (b >> 8) & 0xff, b & 0xff, j)


def gen_bond(t, b, kind, mode, slaves, active):
    name = "bond%d" % b
    sl = ["b%ds%d" % (b, j) for j in range(len(slaves))]
    num, words = MODES[mode]
    lacp = mode == "802.3ad"
    agg_active = 1
    p = ["Ethernet Channel Bonding Driver: v5.10.0", "", "Bonding Mode: %s" % words]
    if mode == "active-backup":
        p += ["Primary Slave: None", "Currently Active Slave: %s" % sl[active]]
    if mode in ("balance-xor", "802.3ad"):
        p.append("Transmit Hash Policy: layer2 (0)")
    p += ["MII Status: up", "MII Polling Interval (ms): 100", "Up Delay (ms): 0", "Down Delay (ms): 0",
          "Peer Notification Delay (ms): 0", ""]
    n_active_ports = sum(1 for up, agg in slaves if up and agg == agg_active)
    if lacp:
        p += ["802.3ad info", "LACP active: on", "LACP rate: slow", "Min links: 0",
              "Aggregator selection policy (ad_select): stable", "System priority: 65535",
              "System MAC address: %s" % mac(b, 0), "Active Aggregator Info:",
              "\tAggregator ID: %d" % agg_active, "\tNumber of ports: %d" % n_active_ports,
              "\tActor Key: 15", "\tPartner Key: 32", "\tPartner Mac Address: 02:ff:00:00:00:01", ""]
    for j, (up, agg) in enumerate(slaves):
        p += ["Slave Interface: %s" % sl[j], "MII Status: %s" % ("up" if up else "down"),
              "Speed: %s" % ("10000 Mbps" if up else "Unknown"), "Duplex: %s" % ("full" if up else "Unknown"),
              "Link Failure Count: %d" % (0 if up else 1), "Permanent HW addr: %s" % mac(b, j + 1),
              "Slave queue ID: 0"]
        if lacp:
            st = LACP_OK if up and agg == agg_active else 69
            p += ["Aggregator ID: %d" % agg, "Actor Churn State: none", "Partner Churn State: none",
                  "Actor Churned Count: 0", "Partner Churned Count: 0", "details actor lacp pdu:",
                  "    system priority: 65535", "    system mac address: %s" % mac(b, 0), "    port key: 15",
                  "    port priority: 255", "    port number: %d" % (j + 1), "    port state: %d" % st,
                  "details partner lacp pdu:", "    system priority: 32768",
                  "    system mac address: 02:ff:00:00:00:01", "    oper key: 32", "    port priority: 32768",
                  "    port number: %d" % (j + 1), "    port state: %d" % st]
        p.append("")
    t.put("proc/net/bonding/%s" % name, "\n".join(p), floor=True)

    bd = "sys/class/net/%s" % name
    t.put(bd + "/operstate", "up\n", floor=True)
    t.put(bd + "/flags", "0x1403\n", floor=True)
    for k, v in (("mode", "%s %d" % (mode, num)), ("slaves", " ".join(sl)), ("miimon", "100"),
                 ("arp_interval", "0"), ("arp_ip_target", ""), ("min_links", "0"), ("mii_status", "up"),
                 ("primary", ""), ("active_slave", sl[active] if active is not None else "")):
        t.put("%s/bonding/%s" % (bd, k), v + "\n")
    if lacp:
        for k, v in (("ad_aggregator", str(agg_active)), ("ad_num_ports", str(n_active_ports)),
                     ("ad_partner_mac", "02:ff:00:00:00:01")):
            t.put("%s/bonding/%s" % (bd, k), v + "\n")
    for j, (up, agg) in enumerate(slaves):
        sd = "sys/class/net/%s" % sl[j]
        t.put(sd + "/operstate", ("up" if up else "down") + "\n", floor=True)
        t.put(sd + "/speed", ("10000" if up else "-1") + "\n")
        t.put(sd + "/duplex", ("full" if up else "unknown") + "\n")
        t.put(sd + "/flags", "0x1803\n")
        state = "active" if (active is None or j == active) else "backup"
        bs = {"state": state, "mii_status": "up" if up else "down",
              "link_failure_count": "0" if up else "1", "perm_hwaddr": mac(b, j + 1), "queue_id": "0"}
        if lacp:
            st = LACP_OK if up and agg == agg_active else 69
            bs.update(ad_aggregator_id=str(agg), ad_actor_oper_port_state=str(st),
                      ad_partner_oper_port_state=str(st))
        for k, v in bs.items():
            t.put("%s/bonding_slave/%s" % (sd, k), v + "\n")
        t.link("%s/master" % sd, "../%s" % name)
        t.link("%s/upper_%s" % (sd, name), "../%s" % name)
        t.link("%s/lower_%s" % (bd, sl[j]), "../%s" % sl[j])

    usable = sum(1 for up, agg in slaves if up and (not lacp or agg == agg_active))
    total = len(slaves)
    failed = total - usable
    margin = usable - 1
    nominal = total - 1
    health = "ok" if margin == nominal else "degraded" if margin > 0 else "critical" if margin == 0 else "failed"
    return {"probe": "bond", "type": mode, "health": health, "margin": max(margin, 0), "margin_nominal": nominal,
            "members_total": total, "members_ok": usable, "members_failed": failed, "spares": 0,
            "activity": "none", "progress": None}


def gen_bonds(t, n, truth):
    names = []
    for b in range(n):
        kind, mode, slaves, active = BOND_KINDS[b % len(BOND_KINDS)]
        truth["bond:bond%d" % b] = gen_bond(t, b, kind, mode, slaves, active)
        names.append("bond%d" % b)
    if n:
        t.put("sys/class/net/bonding_masters", bonding_masters(names), floor=True)


# --- hwmon PSUs -------------------------------------------------------------

def gen_psus(t, n, truth):
    failed = 0
    for k in range(n):
        bus = k + 1
        devrel = "sys/devices/platform/i2c-mux/i2c-%d/%d-0058" % (bus, bus)
        hw = "%s/hwmon/hwmon%d" % (devrel, k)
        # Every 10th-ish supply fails one way: input lost, fan fault, over-temperature.
        fault = {3: "input", 6: "fan", 9: "temp"}.get(k % 10) if n >= 10 else None
        files = {"name": "pmbus", "in1_label": "vin", "in1_input": "0" if fault == "input" else "230000",
                 "in1_alarm": "0", "in2_label": "vout1", "in2_input": "12000", "curr1_label": "iin",
                 "curr1_input": "0" if fault == "input" else "1500", "power1_label": "pin",
                 "power1_input": "0" if fault == "input" else "345000000",
                 "fan1_input": "0" if fault == "fan" else "8400", "fan1_fault": "1" if fault == "fan" else "0",
                 "fan1_alarm": "0", "temp1_input": "96000" if fault == "temp" else "38000",
                 "temp1_max_alarm": "1" if fault == "temp" else "0",
                 "temp1_crit_alarm": "1" if fault == "temp" else "0"}
        for f, v in files.items():
            t.put("%s/%s" % (hw, f), v + "\n", floor=f != "name" and not f.endswith("_label"))
        t.link("%s/device" % hw, "../../../%d-0058" % bus)  # as the kernel links it
        t.link("%s/subsystem" % devrel, "../../../../../bus/i2c")
        os.makedirs(os.path.join(t.root, "sys/bus/i2c/devices"), exist_ok=True)
        t.link("sys/class/hwmon/hwmon%d" % k, "../../devices/platform/i2c-mux/i2c-%d/%d-0058/hwmon/hwmon%d"
               % (bus, bus, k))
        failed += fault is not None
    if n == 0:
        return
    needed = n - 1 if n > 1 else 1
    usable = n - failed
    margin = usable - needed
    nominal = max(n - needed, 0)
    health = ("nonredundant" if nominal == 0 else "ok" if margin == nominal else "degraded" if margin > 0
              else "critical" if margin == 0 else "failed")
    truth["hwmon:psu"] = {"probe": "hwmon", "type": "%d+%d" % (needed, nominal), "health": health,
                          "margin": max(margin, 0), "margin_nominal": nominal, "members_total": n,
                          "members_ok": usable, "members_failed": failed, "spares": 0, "activity": "none",
                          "progress": None, "_failed_chips": sorted(
                              "pmbus-i2c-%d-58" % (k + 1) for k in range(n)
                              if n >= 10 and k % 10 in (3, 6, 9))}


def generate(root, n_md, n_bonds, n_psus):
    if os.path.exists(root) and os.listdir(root):
        raise SystemExit("gen: %s exists and is not empty" % root)
    os.makedirs(root, exist_ok=True)
    t = Tree(root)
    truth = {}
    gen_md(t, n_md, truth)
    gen_bonds(t, n_bonds, truth)
    gen_psus(t, n_psus, truth)
    doc = {"md": n_md, "bonds": n_bonds, "psus": n_psus, "groups": truth,
           "bonding_masters_truncated": "++more++" in open(os.path.join(root, "sys/class/net/bonding_masters"))
           .read() if n_bonds else False}
    with open(os.path.join(root, "truth.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    with open(os.path.join(root, "floor.list"), "w") as f:
        f.write("\n".join(t.floor) + "\n")
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("-n", type=int, help="N for all three kinds (PSUs: at least 2)")
    ap.add_argument("--md", type=int)
    ap.add_argument("--bonds", type=int)
    ap.add_argument("--psus", type=int)
    a = ap.parse_args()
    n = a.n or 0
    doc = generate(a.root, a.md if a.md is not None else n, a.bonds if a.bonds is not None else n,
                   a.psus if a.psus is not None else (max(n, 2) if n else 0))
    print("%s: %d groups, %d floor files" % (a.root, len(doc["groups"]),
                                              sum(1 for _ in open(os.path.join(a.root, "floor.list")))))


if __name__ == "__main__":
    sys.exit(main())

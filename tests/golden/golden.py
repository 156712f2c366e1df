#!/usr/bin/env python3
"""Golden tests: redmon against the labelled captures of tests/corpus and the
bundled demo tree.

First, tests/corpus is what its SHA256SUMS says (scripts/sync-corpus --verify),
and that check catches a damaged copy.  One test per corpus case (md-mdstat,
md-sysfs, bonding-proc, bonding-sysfs, dmraid, redfish, zfs, lvm-raid, smart (whose disks are compared), and the hwraid-json and
hwraid-text cases of the tool families the hwraid probe reads), and one per case of
tests/captures/{hwraid,zfs,btrfs,lvm-raid}: `redmon status --json --root CASE`
must agree with CASE/expected.json.  Then: the status documents follow
docs/json.md; `redmon check` exits with the code redmon's own health implies
(on some corpus cases, and on two made-up trees for the precedence of UNKNOWN);
the demo tree (tests/fixtures/demo) shows what it was built to show, from both
sources and from each alone; every MegaRAID drive of the storcli/perccli cases
has the smartctl device its capture's DID gives.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness  # noqa: E402
from harness import coarse_state  # noqa: E402

CATEGORIES = ("md-mdstat", "md-sysfs", "bonding-proc", "bonding-sysfs", "hwraid-json", "hwraid-text",
              "dmraid", "redfish", "zfs", "lvm-raid", "smart")
# hwraid cases of the tool families redmon reads so far (docs/hwraid.md): a
# case is run when one of its captures starts with one of these prefixes.
HWRAID_PREFIXES = ("storcli", "perccli", "arcconf", "ssacli", "hpssacli", "hpacucli", "cciss_vol_status",
                   "megacli", "mpt-status", "tw_cli", "sas2ircu")
# Captures found in public projects beside the corpus (tests/corpus stays a
# copy of upstream): tests/captures/README.md, the same expected.json format.
CAPTURES = os.path.join(harness.REPO, "tests", "captures")
CAPTURE_KINDS = ("hwraid", "zfs", "btrfs", "lvm-raid", "multipath")
COUNTS = (("members_total", "members_total"), ("members_ok", "members_ok"),
          ("members_failed", "members_failed"), ("spares", "spares"),
          ("failures_tolerable", "margin"))
# Cases whose `redmon check` exit code is compared with redmon's own health:
# one per exit code at least (0 none/ok, 1 degraded, 2 critical and failed).
CHECK_CASES = ("md-mdstat/check_raid-none", "md-mdstat/pymdstat-02", "md-sysfs/procfs-sysfs-md1",
               "md-sysfs/procfs-sysfs-md6", "md-mdstat/telegraf-raid5-missing-member",
               "md-mdstat/pymdstat-08", "md-mdstat/procfs-fixtures-many-arrays",
               "bonding-proc/insights-balance-rr-2up", "bonding-proc/insights-802.3ad-split-aggregator",
               "bonding-sysfs/node-exporter-sysfs-int-and-empty-bond0",
               "hwraid-json/canonical-perccli-no-controller", "hwraid-json/netdata-storcli-raid6-six-pds",
               "hwraid-text/storcli-check-text-raid10-one-drive-offline",
               "captures/hwraid/check_raid-tw_cli-raid1-rebuilding-98",
               "zfs/openzfs-docs-2Q-mirror-device-cannot-open", "zfs/netdata-zpool-list-faulted-pool",
               "captures/multipath/fixture-dm-2path-one-failed",
               "captures/multipath/fixture-multipathd-4path-one-faulty")
# btrfs has no corpus case: its cases are trees of real loop-device filesystems
# (tests/captures/btrfs/capture.py), one per exit code here.
CHECK_CASES += ("captures/btrfs/raid1-two-devices", "captures/btrfs/raid1c3-degraded-devid3-missing",
                "captures/btrfs/raid1-degraded-devid2-missing")
DEMO = os.path.join(harness.REPO, "tests", "fixtures", "demo")
SYNC = os.path.join(harness.REPO, "scripts", "sync-corpus")


def hwraid_case(path):
    """Whether a hwraid-* case holds a capture of a tool family redmon reads."""
    return any(f.startswith(HWRAID_PREFIXES) for f in os.listdir(path))


def group_name(name):
    """The corpus's group name as redmon spells it (docs/hwraid.md, names): a
    storcli VD is cN/vM, an arcconf logical device ldN, without the ":label"
    some cases append."""
    m = re.match(r"^(c[0-9]+/v[0-9]+|ld[0-9]+):", name)
    return m.group(1) if m else name


def folded_log(name, expected):
    """lvm-raid: a mirrored log "X_mlog" listed beside its mirror X is folded
    into X's reason (docs/lvmraid.md), as its expected.json allows."""
    return name.endswith("_mlog") and any(e["group"] == name[:-5] for e in expected["groups"])


def compare_disks(doc, expected):
    """Differences between a status document's disks and a smart case's expected.json: the
    health (or one of acceptable_health) of each device; a tool error gives unknown disks only."""
    got = {d["device"]: d for d in doc.get("disks") or []}
    if expected.get("tool_error"):
        return ["%s: %s where smartctl could not read it" % (d["device"], d["health"])
                for d in got.values() if d["health"] != "unknown"]
    problems = []
    for e in expected["disks"]:
        d = got.pop(e["device"], None)
        healths = e.get("acceptable_health") or [e["health"]]
        if d is None:
            problems.append("disk %s missing" % e["device"])
        elif d["health"] not in healths:
            problems.append("%s health expected %s, got %s (%s)"
                            % (e["device"], "/".join(healths), d["health"], d["reason"]))
    return problems + ["unexpected disk %s" % dev for dev in sorted(got)]


def compare_case(doc, expected):
    """Differences between a status document and a corpus expected.json."""
    if expected.get("category") == "smart":
        return compare_disks(doc, expected)
    problems = []
    got = {g["name"]: g for g in doc["groups"]}
    listed = set()
    for e in expected["groups"]:
        name = group_name(e["group"])
        listed.add(name)
        g = got.get(name)
        if g is None and folded_log(name, expected):
            continue
        if e.get("redundancy_group") is False:
            if g is not None:
                problems.append("%s is a %s, not a redundancy group, but redmon reports it (health %s)"
                                % (name, e.get("kind"), g.get("health")))
            continue
        if g is None:
            problems.append("group %s missing (redmon has %s)" % (name, sorted(got) or "none"))
            continue
        for ekey, rkey in COUNTS:
            if e.get(ekey) is not None and g.get(rkey) != e[ekey]:
                problems.append("%s.%s expected %r, got %r" % (name, rkey, e[ekey], g.get(rkey)))
        states = e.get("acceptable_states") or [e["state"]]
        state = coarse_state(g)
        if state not in states:
            problems.append("%s.state expected %s, got %s (health %s, activity %s)"
                            % (name, "/".join(states), state, g.get("health"), g.get("activity")))
        if "rebuild_percent" in e:
            p = g.get("progress")
            if not isinstance(p, (int, float)) or abs(p - e["rebuild_percent"]) > 0.1 + 1e-9:
                problems.append("%s.progress expected %s, got %r" % (name, e["rebuild_percent"], p))
    for name in sorted(set(got) - listed):
        problems.append("unexpected group %s (health %s)" % (name, got[name].get("health")))
    return problems


NOT_FINE = ("degraded", "unknown", "critical", "failed")


MEGARAID_PREFIXES = ("storcli", "perccli")
PD_ROW = re.compile(r"^\s*([0-9]+:[0-9]+)\s+([0-9]+)\s")


def megaraid_dids(root):
    """{(controller, "eid:slot"): DID} read straight from a case's storcli/perccli
    captures, apart from redmon's parser: every JSON object with "EID:Slt" and
    "DID" under a controller's Response Data, every PD LIST row of the text
    form under its "Controller = N"; and whether a capture is storcli2/perccli2
    (a PID, no smartctl number)."""
    dids, v2 = {}, False

    def walk(ctl, node):
        if isinstance(node, dict):
            if "EID:Slt" in node and isinstance(node.get("DID"), int):
                dids[(ctl, node["EID:Slt"])] = node["DID"]
            for v in node.values():
                walk(ctl, v)
        elif isinstance(node, list):
            for v in node:
                walk(ctl, v)

    for f in sorted(os.listdir(root)):
        if not f.startswith(MEGARAID_PREFIXES):
            continue
        v2 = v2 or f.startswith(("storcli2", "perccli2"))
        with open(os.path.join(root, f), errors="replace") as fh:
            text = fh.read()
        if f.endswith(".json"):
            for c in json.loads(text).get("Controllers", []):
                walk(c.get("Command Status", {}).get("Controller"), c.get("Response Data"))
            continue
        ctl, table = None, False
        for line in text.splitlines():
            m = re.match(r"^Controller = ([0-9]+)\s*$", line)
            if m:
                ctl, table = int(m.group(1)), False
            elif line.startswith("EID:Slt DID"):
                table = True
            elif table and PD_ROW.match(line):
                m = PD_ROW.match(line)
                dids[(ctl, m.group(1))] = int(m.group(2))
    return dids, v2


def megaraid_devices(docs, roots):
    """Every drive of every storcli/perccli case: its member `device` is how
    smartctl reaches it behind the controller, `/dev/bus/<controller>
    megaraid,<DID>` with the DID of the capture (issue 14); storcli2/perccli2
    print a PID, not a DID: no device (docs/hwraid.md)."""
    problems, checked = [], 0
    for case, doc in sorted(docs.items()):
        if not case.startswith("hwraid-") or not any(
                f.startswith(MEGARAID_PREFIXES) for f in os.listdir(roots[case])):
            continue
        dids, v2 = megaraid_dids(roots[case])
        for g in doc["groups"]:
            m = re.match(r"^hwraid:c([0-9]+)/v[0-9]+$", g["id"])
            if not m:
                continue
            for mem in g["members"]:
                if mem["role"] == "missing":
                    continue
                key = (int(m.group(1)), mem["name"])
                want = None if v2 else "/dev/bus/%d megaraid,%d" % (key[0], dids[key]) if key in dids else "?"
                if want == "?":
                    problems.append("%s %s %s: no DID for this bay in the capture" % (case, g["id"], mem["name"]))
                elif mem.get("device") != want:
                    problems.append("%s %s %s: device %r, want %r" % (case, g["id"], mem["name"],
                                                                     mem.get("device"), want))
                checked += 1
    if checked < 20:
        problems.append("only %d MegaRAID drives checked: the cases did not parse" % checked)
    return problems


def check_exit(redmon, root, doc):
    """`redmon check --root ROOT` must exit with the Nagios code of doc's healths."""
    want = harness.nagios_code(doc["groups"])
    p = redmon.run(["check", "--root", root])
    problems = []
    if p.returncode != want:
        healths = [g["health"] for g in doc["groups"]]
        problems.append("exit %d, expected %d from healths %s: %s"
                        % (p.returncode, want, healths, harness.tail(p.stdout + p.stderr)))
    lines = p.stdout.splitlines()
    # The status line with perfdata, then a line per group not fine (check_raid's long output).
    troubled = [g["id"] for g in doc["groups"] if g["health"] in NOT_FINE]
    troubled.sort(key=lambda i: (-harness.WORST_ORDER.index(
        [g["health"] for g in doc["groups"] if g["id"] == i][0]), harness.natural_key(i)))
    long_ids = [l.split(" (")[0] for l in lines[1:]
                if not l.startswith("probe ") and " spof: " not in l]
    if not lines or "|" not in lines[0]:
        problems.append("the first line has no perfdata: %r" % p.stdout[:300])
    elif long_ids != troubled:
        problems.append("long output names %s, want a line per group not fine, worst first: %s"
                        % (long_ids, troubled))
    elif harness.NAGIOS_WORD.get(p.returncode, "?") not in lines[0].split("|")[0]:
        problems.append("line does not say %s: %r" % (harness.NAGIOS_WORD.get(p.returncode), lines[0]))
    return problems


def write_tree(root, files):
    """files: {relative path: content}; content "->X" makes a symlink to X."""
    for rel, text in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if text.startswith("->"):
            os.symlink(text[2:], p)
        else:
            with open(p, "w") as f:
                f.write(text + "\n")


# An md0 whose raid_disks cannot be read (health unknown) and an md1 raid6
# that lost a disk (degraded): Nagios precedence puts WARNING above UNKNOWN.
UNKNOWN_MD0 = {"sys/block/md0/md/level": "raid1", "sys/block/md0/md/raid_disks": "many",
               "sys/block/md0/md/array_state": "clean", "sys/block/md0/md/dev-sda1/state": "in_sync"}
DEGRADED_MD1 = {"sys/block/md1/md/level": "raid6", "sys/block/md1/md/raid_disks": "4",
                "sys/block/md1/md/degraded": "1", "sys/block/md1/md/array_state": "clean",
                "sys/block/md1/md/sync_action": "idle"}
for i, (dev, state) in enumerate((("sdc1", "in_sync"), ("sdd1", "in_sync"),
                                  ("sde1", "faulty"), ("sdf1", "in_sync"))):
    DEGRADED_MD1["sys/block/md1/md/dev-%s/state" % dev] = state
    if state != "faulty":
        DEGRADED_MD1["sys/block/md1/md/rd%d" % i] = "->dev-" + dev


def check_precedence(redmon, files, healths):
    """check's exit code on a made-up tree whose groups have exactly these healths."""
    tmp = tempfile.mkdtemp(prefix="redmon-check-")
    try:
        write_tree(tmp, files)
        doc = redmon.status(tmp)
        got = sorted(g["health"] for g in doc["groups"])
        if got != sorted(healths):
            reasons = [g["reason"] for g in doc["groups"]]
            return ["healths expected %s, got %s (%s)" % (sorted(healths), got, reasons)]
        return check_exit(redmon, tmp, doc)
    finally:
        shutil.rmtree(tmp)


# --- demo tree -----------------------------------------------------------

def expect(g, name, **fields):
    out = []
    for k, v in fields.items():
        got = coarse_state(g) if k == "state" else g.get(k)
        if k == "progress":
            if not isinstance(got, (int, float)) or abs(got - v) > 0.05:
                out.append("%s.progress expected %s, got %r" % (name, v, got))
        elif got != v:
            out.append("%s.%s expected %r, got %r" % (name, k, v, got))
    return out


def member_role(g, gname, member, role):
    for m in g.get("members", []):
        if m.get("name") == member:
            return [] if m.get("role") == role else [
                "%s member %s role expected %s, got %r" % (gname, member, role, m.get("role"))]
    return ["%s has no member %s (members: %s)" % (gname, member, [m.get("name") for m in g.get("members", [])])]


def demo_problems(doc):
    """What the demo tree's md arrays say: md0 raid6 ok, md1 raid1 lost a disk,
    md2 raid5 rebuilding.  (Other probes' groups in the tree are theirs to test.)"""
    got = {g["name"]: g for g in doc["groups"] if g.get("probe") == "md"}
    if sorted(got) != ["md0", "md1", "md2"]:
        return ["md groups expected md0 md1 md2, got %s" % sorted(got)]
    md0, md1, md2 = got["md0"], got["md1"], got["md2"]
    p = []
    p += expect(md0, "md0", type="raid6", health="ok", margin=2, margin_nominal=2, members_total=6,
                members_ok=6, members_failed=0, spares=0, activity="none", state="ok")
    p += expect(md1, "md1", type="raid1", health="critical", margin=0, margin_nominal=1, members_total=2,
                members_ok=1, members_failed=1, spares=0, activity="none", state="degraded")
    p += expect(md2, "md2", type="raid5", health="critical", margin=0, margin_nominal=1, members_total=4,
                members_ok=3, members_failed=0, spares=0, activity="recovery", progress=37.4,
                state="rebuilding")
    for m in ("sda1", "sdb1", "sdc1", "sdd1", "sde1", "sdf1"):
        p += member_role(md0, "md0", m, "active")
    p += member_role(md1, "md1", "sdg1", "active")
    p += member_role(md1, "md1", "sdh1", "failed")
    for m in ("sdi1", "sdj1", "sdk1"):
        p += member_role(md2, "md2", m, "active")
    # mdstat alone tells it by its number: sdl1[4] is past the 4 slots.
    p += member_role(md2, "md2", "sdl1", "rebuilding")
    return p


def demo_bond_problems(doc):
    """The demo's bond0: 802.3ad, eth1 stuck in another aggregator than the active one."""
    got = [g for g in doc["groups"] if g.get("id") == "bond:bond0"]
    if len(got) != 1:
        return ["bond:bond0 expected once, got %s" % [g.get("id") for g in doc["groups"]]]
    b = got[0]
    p = expect(b, "bond0", kind="nic", type="802.3ad", health="critical", margin=0, margin_nominal=1,
               members_total=2, members_ok=1, members_failed=1)
    p += member_role(b, "bond0", "eth0", "active")
    p += member_role(b, "bond0", "eth1", "failed")
    return p


def demo_bond_variant(redmon, keep):
    """The demo's bond from one source only (keep: "proc/net/bonding" or "sys/class/net")."""
    tmp = tempfile.mkdtemp(prefix="redmon-demo-")
    try:
        shutil.copytree(os.path.join(DEMO, keep), os.path.join(tmp, keep), symlinks=True)
        return demo_bond_problems(redmon.status(tmp))
    finally:
        shutil.rmtree(tmp)


def demo_variant(redmon, keep):
    """The demo's md arrays from one source only (keep: "proc/mdstat" or
    "sys/block"): either alone suffices."""
    tmp = tempfile.mkdtemp(prefix="redmon-demo-")
    try:
        src, dst = os.path.join(DEMO, keep), os.path.join(tmp, keep)
        os.makedirs(os.path.dirname(dst))
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy(src, dst)
        return demo_problems(redmon.status(tmp))
    finally:
        shutil.rmtree(tmp)


def corpus_verify(corpus, want_rc, needles=()):
    """scripts/sync-corpus --verify on corpus: its exit code, and on failure
    the problems it must name."""
    p = subprocess.run([sys.executable, SYNC, "--verify", "--to", corpus], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    if p.returncode != want_rc:
        return ["exit %d, expected %d: %s" % (p.returncode, want_rc, harness.tail(p.stderr + p.stdout))]
    return ["%r not reported: %s" % (n, harness.tail(p.stderr)) for n in needles if n not in p.stderr]


def corpus_damaged():
    """A copy of tests/corpus with one byte changed, a file added and one
    removed: --verify names all three."""
    tmp = tempfile.mkdtemp(prefix="redmon-corpus-")
    try:
        copy = os.path.join(tmp, "corpus")
        shutil.copytree(harness.CORPUS, copy)
        with open(os.path.join(copy, "md-mdstat", "pymdstat-03", "proc", "mdstat"), "r+b") as f:
            b = f.read(1)
            f.seek(0)
            f.write(bytes([b[0] ^ 0x20]))
        with open(os.path.join(copy, "md-sysfs", "procfs-sysfs-md1", "stray"), "w") as f:
            f.write("x\n")
        os.unlink(os.path.join(copy, "bonding-proc", "insights-balance-rr-2up", "expected.json"))
        return corpus_verify(copy, 1, ("pymdstat-03/proc/mdstat: checksum differs",
                                       "procfs-sysfs-md1/stray: not in SHA256SUMS",
                                       "insights-balance-rr-2up/expected.json: listed in SHA256SUMS but missing"))
    finally:
        shutil.rmtree(tmp)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK):
        rep.fail("golden", "%s/redmon is missing: build it first" % args.build)
        rep.exit()
    corpus = harness.CORPUS
    rep.run("golden/corpus-checksums", corpus_verify, corpus, 0)
    rep.run("golden/corpus-verify-catches-damage", corpus_damaged)
    cases = []
    for cat in CATEGORIES:
        d = os.path.join(corpus, cat)
        if not os.path.isdir(d):
            rep.fail("golden/%s" % cat, "corpus folder %s not found" % d)
            continue
        cases += ["%s/%s" % (cat, c) for c in sorted(os.listdir(d))
                  if os.path.isfile(os.path.join(d, c, "expected.json"))
                  and (not cat.startswith("hwraid-") or hwraid_case(os.path.join(d, c)))]
    roots = {case: os.path.join(corpus, case) for case in cases}
    for kind in CAPTURE_KINDS:
        d = os.path.join(CAPTURES, kind)
        for c in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if os.path.isfile(os.path.join(d, c, "expected.json")):
                cases.append("captures/%s/%s" % (kind, c))
                roots[cases[-1]] = os.path.join(d, c)

    redmon = harness.Redmon(args.build)
    docs = {}
    schema = []
    for case in cases:
        root = roots[case]

        def one(root=root, case=case):
            with open(os.path.join(root, "expected.json")) as f:
                expected = json.load(f)
            doc = docs[case] = redmon.status(root)
            schema.extend("%s: %s" % (case, s) for s in harness.status_problems(doc, root))
            return compare_case(doc, expected)
        rep.run("golden/" + case, one)

    if docs:
        rep.check("golden/status-schema (%d documents)" % len(docs), schema[:8] + (
            ["... %d more" % (len(schema) - 8)] if len(schema) > 8 else []))

    rep.run("golden/megaraid-member-device-is-smartctls", megaraid_devices, docs, roots)

    for case in CHECK_CASES:
        if case in docs:
            rep.run("golden/check-exit/" + case, check_exit, redmon, roots[case], docs[case])
        elif case in cases:
            rep.fail("golden/check-exit/" + case, "no status document (the case itself failed)")

    rep.run("golden/check-exit/unknown", check_precedence, redmon, UNKNOWN_MD0, ["unknown"])
    rep.run("golden/check-exit/degraded+unknown", check_precedence, redmon,
            dict(UNKNOWN_MD0, **DEGRADED_MD1), ["unknown", "degraded"])

    def check_cannot_run(args, needle):
        """A Nagios plugin that cannot run prints one UNKNOWN line naming why, exit 3."""
        p = redmon.run(["check"] + args)
        lines = p.stdout.splitlines()
        if p.returncode != 3:
            return ["exit %d, expected 3 (UNKNOWN): %r" % (p.returncode, p.stdout[:200])]
        if len(lines) != 1 or not lines[0].startswith("REDMON UNKNOWN - ") or needle not in lines[0]:
            return ["expected one 'REDMON UNKNOWN - ...%s...' line, got %r" % (needle, p.stdout[:300])]
        return []
    rep.run("golden/check-exit/bad-root", check_cannot_run,
            ["--root", "/nonexistent/redmon-root"], "/nonexistent/redmon-root")
    rep.run("golden/check-exit/usage-error", check_cannot_run, ["--no-such-option"], "usage")

    def demo():
        doc = redmon.status(DEMO)
        return harness.status_problems(doc, DEMO) + demo_problems(doc) + check_exit(redmon, DEMO, doc)
    rep.run("golden/demo", demo)
    rep.run("golden/demo-mdstat-only", demo_variant, redmon, "proc/mdstat")
    rep.run("golden/demo-sysfs-only", demo_variant, redmon, "sys/block")
    rep.run("golden/demo-bond", lambda: demo_bond_problems(redmon.status(DEMO)))
    rep.run("golden/demo-bond-proc-only", demo_bond_variant, redmon, "proc/net/bonding")
    rep.run("golden/demo-bond-sysfs-only", demo_bond_variant, redmon, "sys/class/net")
    rep.exit()


if __name__ == "__main__":
    main()

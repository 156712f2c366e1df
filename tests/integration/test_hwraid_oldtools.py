#!/usr/bin/env python3
"""The hwraid probe's tw_cli and sas2ircu drivers with fake tools on PATH.

A temporary bin/ holds tw_cli and sas2ircu, shell scripts that answer each
command with a file made at setup from the real captures of
tests/captures/hwraid, and write their arguments to a log (the runner gives
a tool only PATH and LC_ALL, so the scripts name their files by absolute
path).  Both tools read one controller per command, and redmon asks the
controller list at init for the commands to register:

  tw_cli show               c0 (9750-4i) and c8 (9650SE-16ML): ids with a gap
  tw_cli /c0 show all       the 9750's "/c0 show all" (u0 RAID-5 VERIFYING, p0-p3),
                            or in "rebuilding" the 9650SE-2LP's unit and drive
                            tables (u0 RAID-1 REBUILDING 98%)
  tw_cli /c8 show all       the 9650SE-16ML's tables (u0 RAID-10, two spares),
                            without "/c8" lines: the controller is the command's
  sas2ircu LIST             indexes 0, 1, 2
  sas2ircu 0 DISPLAY/STATUS the SAS2008 RAID1 captures
  sas2ircu 1 DISPLAY/STATUS the SAS2008 without volumes (STATUS exits 1)
  sas2ircu 2 DISPLAY/STATUS the RAID1 capture as controller 2; in "rebuilding"
                            its volume Degraded and its second drive Failed

One-shot `redmon status --json` and `redmon check` (only the hwraid plugin)
must run exactly those commands (the lists twice: at init and at the run),
report c0/u0, c8/u0, c0/ir-volume1 and c2/ir-volume1, and exit OK; in
"rebuilding", c0/u0 rebuilding at 98% and c2/ir-volume1 with a failed bay
are critical and check exits CRITICAL.  A controller listed at the run but
not at init (one that appeared after start), or one whose output fails,
fails the probe naming it.  With no SAS2 controller (LIST: "MPTLib2 Error
1", exit 1) only LIST runs, and gives no group and no error.
"""

import json
import os
import shutil
import subprocess
import tempfile

import harness
from harness import TestError

CAP = os.path.join(harness.REPO, "tests", "captures", "hwraid")
TW = os.path.join(CAP, "check_raid-tw_cli-9750-raid5-verifying-show-all")
TW_REBUILD = os.path.join(CAP, "check_raid-tw_cli-raid1-rebuilding-98")
TW_SPARES = os.path.join(CAP, "check_raid-tw_cli-raid10-verifying-two-spares")
IR = os.path.join(CAP, "check_raid-sas2ircu-raid1-optimal")
IR_HBA = os.path.join(CAP, "check_raid-sas2ircu-sas2008-no-volumes")

# The files tw and ir of the test directory hold the mode of each tool.
TW_CLI = """#!/bin/sh
echo "tw_cli $*" >> {d}/ran
o={d}/out
case "$*" in
show)
    if [ "$(cat {d}/tw)" = late ] && [ ! -e {d}/tw-listed ]; then
        touch {d}/tw-listed
        cat $o/tw-show-c0.txt
    else
        cat $o/tw-show.txt
    fi ;;
"/c0 show all")
    if [ "$(cat {d}/tw)" = rebuilding ]; then cat $o/tw-c0-rebuilding.txt; else cat $o/tw-c0.txt; fi ;;
"/c8 show all")
    if [ "$(cat {d}/tw)" = c8-fails ]; then echo "Error: (CLI:008) Invalid ID specified."; exit 1; fi
    cat $o/tw-c8.txt ;;
*) echo "Error: (CLI:003) Specified controller does not exist."; exit 1 ;;
esac
"""

SAS2IRCU = """#!/bin/sh
echo "sas2ircu $*" >> {d}/ran
o={d}/out
mode=$(cat {d}/ir)
case "$mode:$*" in
none:LIST) printf 'LSI Corporation SAS2 IR Configuration Utility.\\n\\nSAS2IRCU: MPTLib2 Error 1\\n'; exit 1 ;;
none:*) echo "SAS2IRCU: No Controller Found at index $1."; exit 1 ;;
*:LIST)
    if [ "$mode" = late ] && [ ! -e {d}/ir-listed ]; then
        touch {d}/ir-listed
        cat $o/ir-list-0.txt
    else
        cat $o/ir-list.txt
    fi ;;
*:"0 DISPLAY") cat $o/ir-0-display.txt ;;
*:"0 STATUS") cat $o/ir-0-status.txt ;;
*:"1 DISPLAY") cat $o/ir-1-display.txt ;;
*:"1 STATUS") cat $o/ir-1-status.txt; exit 1 ;;
rebuilding:"2 DISPLAY") cat $o/ir-2-display-degraded.txt ;;
*:"2 DISPLAY") cat $o/ir-2-display.txt ;;
*:"2 STATUS") cat $o/ir-2-status.txt ;;
*) echo "SAS2IRCU: No Controller Found at index $1."; exit 1 ;;
esac
"""

TW_RAN = ["tw_cli /c0 show all", "tw_cli /c8 show all", "tw_cli show", "tw_cli show"]
IR_RAN = ["sas2ircu 0 DISPLAY", "sas2ircu 0 STATUS", "sas2ircu 1 DISPLAY", "sas2ircu 1 STATUS",
          "sas2ircu 2 DISPLAY", "sas2ircu 2 STATUS", "sas2ircu LIST", "sas2ircu LIST"]


def read(path):
    with open(path, encoding="latin-1") as f:
        return f.read()


def replaced(text, old, new, count=-1):
    if old not in text:
        raise TestError("capture changed: %r not in it" % old)
    return text.replace(old, new, count)


def outputs():
    """The fake tools' answers, made from the captures: name -> text."""
    tw_list = read(os.path.join(TW, "tw_cli-info.txt")).rstrip("\n") + "\n"
    c8_row = [l for l in read(os.path.join(TW_SPARES, "tw_cli-info.txt")).splitlines()
              if l.startswith("c0 ")][0]
    c8 = "".join(read(os.path.join(TW_SPARES, "tw_cli-info-c0-%s.txt" % t))
                 for t in ("unitstatus", "drivestatus", "bbustatus"))
    ir_list = read(os.path.join(IR, "sas2ircu-list.txt"))
    row0 = [l for l in ir_list.splitlines() if l.startswith("   0     SAS2008")][0]
    disp = read(os.path.join(IR, "sas2ircu-0-display.txt"))
    disp2 = replaced(disp, "for controller 0", "for controller 2")
    degraded = replaced(disp2, "Okay (OKY)", "Degraded (DGD)")
    # the second drive (slot 1) failed: its State line, the last "Optimal (OPT)"
    head, _, tail = degraded.rpartition("Optimal (OPT)")
    return {
        "tw-show.txt": tw_list + "c8" + c8_row[2:] + "\n",
        "tw-show-c0.txt": tw_list,
        "tw-c0.txt": read(os.path.join(TW, "tw_cli-c0-show-all.txt")),
        "tw-c0-rebuilding.txt": read(os.path.join(TW_REBUILD, "tw_cli-info-c0-unitstatus.txt")) +
        read(os.path.join(TW_REBUILD, "tw_cli-info-c0-drivestatus.txt")),
        "tw-c8.txt": c8,
        "ir-list.txt": replaced(ir_list, row0 + "\n", "%s\n%s\n%s\n" % (
            row0, row0.replace("   0 ", "   1 ", 1).replace("03h:00h", "04h:00h"),
            row0.replace("   0 ", "   2 ", 1).replace("03h:00h", "05h:00h"))),
        "ir-list-0.txt": ir_list,
        "ir-0-display.txt": disp,
        "ir-0-status.txt": read(os.path.join(IR, "sas2ircu-0-status.txt")),
        "ir-1-display.txt": replaced(read(os.path.join(IR_HBA, "sas2ircu-0-display.txt")),
                                     "for controller 0", "for controller 1"),
        "ir-1-status.txt": read(os.path.join(IR_HBA, "sas2ircu-0-status.txt")),
        "ir-2-display.txt": disp2,
        "ir-2-display-degraded.txt": head + "Failed (FLD)" + tail,
        "ir-2-status.txt": replaced(read(os.path.join(IR, "sas2ircu-0-status.txt")),
                                    "for controller 0", "for controller 2"),
    }


def setup(d):
    b = os.path.join(d, "bin")
    out = os.path.join(d, "out")
    os.makedirs(b)
    os.makedirs(out)
    for p in (d, b, out):
        os.chmod(p, 0o755)
    for name, text in outputs().items():
        with open(os.path.join(out, name), "w", encoding="latin-1") as f:
            f.write(text)
    for name, text in (("tw_cli", TW_CLI), ("sas2ircu", SAS2IRCU)):
        with open(os.path.join(b, name), "w") as f:
            f.write(text.format(d=d))
        os.chmod(os.path.join(b, name), 0o755)
    plugins = os.path.join(d, "plugins")
    os.makedirs(plugins)
    return plugins


def redmon(build, d, plugins, args):
    env = harness.test_env()
    env["PATH"] = os.path.join(d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
    argv = [os.path.join(build, "redmon")] + args + ["--plugin-dir", plugins]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env, timeout=60, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    return p


def mode(d, tw="ok", ir="ok"):
    for name, m in (("tw", tw), ("ir", ir)):
        with open(os.path.join(d, name), "w") as f:
            f.write(m + "\n")
    for name in ("ran", "tw-listed", "ir-listed"):
        if os.path.exists(os.path.join(d, name)):
            os.unlink(os.path.join(d, name))


def ran(d):
    with open(os.path.join(d, "ran")) as f:
        return sorted(f.read().splitlines())


def status(build, d, plugins):
    """The hwraid probe's entry and the groups of `redmon status --json`."""
    p = redmon(build, d, plugins, ["status", "--json"])
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        raise TestError("status --json: %r %s" % (p.stdout[:300], harness.tail(p.stderr)))
    probe = [x for x in doc.get("probes", []) if x.get("name") == "hwraid"]
    if not probe:
        raise TestError("no hwraid probe: %s" % harness.tail(p.stderr))
    return probe[0], {g["id"]: g for g in doc["groups"]}


def groups(build, d, plugins):
    probe, got = status(build, d, plugins)
    if probe.get("status") == "failed":
        raise TestError("hwraid probe failed: %r" % probe)
    return got


def failure(build, d, plugins):
    """The probe's error, which must have failed."""
    probe, _ = status(build, d, plugins)
    if probe.get("status") != "failed":
        raise TestError("hwraid probe not failed: %r" % probe)
    return str(probe.get("error"))


def shape(g):
    return (g.get("type"), g.get("health"), g.get("margin"),
            [(m["name"], m["role"]) for m in g.get("members", [])])


def run(build, rep):
    d = tempfile.mkdtemp(prefix="redmon-hwraid-old-")
    try:
        plugins = setup(d)
        shutil.copy(os.path.join(build, "plugins", "hwraid.so"), plugins)

        def optimal():
            mode(d)
            got = groups(build, d, plugins)
            probs = []
            if ran(d) != IR_RAN + TW_RAN:
                probs.append("commands run: %s" % ran(d))
            want = ["hwraid:c0/ir-volume1", "hwraid:c0/u0", "hwraid:c2/ir-volume1", "hwraid:c8/u0"]
            if sorted(got) != want:
                return probs + ["groups: %s" % sorted(got)]
            tw, tw8 = got["hwraid:c0/u0"], got["hwraid:c8/u0"]
            if shape(tw) != ("raid5", "ok", 1, [("p%d" % i, "active") for i in range(4)]):
                probs.append("c0/u0: %r" % (shape(tw),))
            if tw["members"][3].get("device") != "/dev/twl0 3ware,3":
                probs.append("c0/u0 p3 smartctl device: %r" % tw["members"][3])
            if "VERIFYING, 16%" not in (tw.get("reason") or ""):
                probs.append("c0/u0 reason: %r" % tw.get("reason"))
            # c8 from the command's name alone: its members, spares and devices are c8's
            if (tw8.get("type"), tw8.get("health"), tw8.get("margin"), tw8.get("spares")) != \
                    ("raid10", "ok", 1, 2) or len(tw8.get("members", [])) != 12:
                probs.append("c8/u0: %r" % (shape(tw8),))
            elif tw8["members"][9].get("device") != "/dev/twa8 3ware,9":
                probs.append("c8/u0 p9 smartctl device: %r" % tw8["members"][9])
            for c in (0, 2):
                ir = got["hwraid:c%d/ir-volume1" % c]
                if shape(ir) != ("raid1", "ok", 1, [("1:0", "active"), ("1:1", "active")]):
                    probs.append("c%d/ir-volume1: %r" % (c, shape(ir)))
            p = redmon(build, d, plugins, ["check"])
            if p.returncode != 0:
                probs.append("check exit %d: %r" % (p.returncode, p.stdout))
            return probs

        def rebuilding():
            mode(d, tw="rebuilding", ir="rebuilding")
            got = groups(build, d, plugins)
            tw, ir = got.get("hwraid:c0/u0") or {}, got.get("hwraid:c2/ir-volume1") or {}
            probs = []
            if (tw.get("type"), tw.get("health"), tw.get("activity"), tw.get("progress")) != \
                    ("raid1", "critical", "recovery", 98):
                probs.append("c0/u0: %r" % tw)
            roles = {m["name"]: m["role"] for m in tw.get("members", [])}
            if roles != {"p0": "rebuilding", "p1": "active"}:
                probs.append("c0/u0 members: %r" % roles)
            if shape(ir) != ("raid1", "critical", 0, [("1:0", "active"), ("1:1", "failed")]):
                probs.append("c2/ir-volume1: %r" % (shape(ir),))
            if (got.get("hwraid:c0/ir-volume1") or {}).get("health") != "ok":
                probs.append("c0/ir-volume1: %r" % got.get("hwraid:c0/ir-volume1"))
            p = redmon(build, d, plugins, ["check"])
            if p.returncode != 2 or "CRITICAL" not in p.stdout:
                probs.append("check exit %d: %r" % (p.returncode, p.stdout))
            return probs

        def no_controller():
            mode(d, ir="none")
            got = groups(build, d, plugins)
            probs = []
            if sorted(got) != ["hwraid:c0/u0", "hwraid:c8/u0"]:
                probs.append("groups: %s" % sorted(got))
            if [r for r in ran(d) if r.startswith("sas2ircu")] != ["sas2ircu LIST"] * 2:
                probs.append("sas2ircu commands run: %s" % ran(d))
            return probs

        def appeared_later():
            probs = []
            mode(d, tw="late")
            why = failure(build, d, plugins)
            if "c8 has 3 units, none read" not in why:
                probs.append("tw_cli: %s" % why)
            if "tw_cli /c8 show all" in ran(d):
                probs.append("c8 read though not listed at init: %s" % ran(d))
            mode(d, ir="late")
            why = failure(build, d, plugins)
            if "controller 1 listed, its DISPLAY not read" not in why:
                probs.append("sas2ircu: %s" % why)
            if [r for r in ran(d) if r.startswith("sas2ircu")] != \
                    ["sas2ircu 0 DISPLAY", "sas2ircu 0 STATUS", "sas2ircu LIST", "sas2ircu LIST"]:
                probs.append("sas2ircu commands run: %s" % ran(d))
            return probs

        def listed_not_read():
            mode(d, tw="c8-fails")
            why = failure(build, d, plugins)
            if "c8 has 3 units, none read" not in why:
                return ["tw_cli: %s" % why]
            return []

        rep.run("hwraid-old/tw_cli-sas2ircu-every-listed-controller", optimal)
        rep.run("hwraid-old/sas2ircu-no-controller-only-list", no_controller)
        rep.run("hwraid-old/tw_cli-sas2ircu-rebuilding-critical", rebuilding)
        rep.run("hwraid-old/controller-appeared-after-start-fails", appeared_later)
        rep.run("hwraid-old/tw_cli-listed-controller-failing-fails", listed_not_read)
    finally:
        shutil.rmtree(d)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    run(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()

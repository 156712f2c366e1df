#!/usr/bin/env python3
"""The hwraid probe's tw_cli and sas2ircu drivers with fake tools on PATH.

A temporary bin/ holds tw_cli and sas2ircu, shell scripts that answer each
command the driver registers with a real capture of tests/captures/hwraid
and write their arguments to a log (the runner gives a tool only PATH and
LC_ALL, so the scripts name their files by absolute path):

  tw_cli show               check_raid's 9750-4i controller list
  tw_cli /c0 show all       its "/c0 show all" (u0 RAID-5 VERIFYING, p0-p3), or in
                            mode "rebuilding" the unit and drive tables of the
                            9650SE-2LP capture (u0 RAID-1 REBUILDING 98%)
  tw_cli /c1, /c2 show all  tw_cli's "controller does not exist", exit 1
  sas2ircu LIST, 0 DISPLAY, 0 STATUS   check_raid's SAS2008 RAID1 captures
  sas2ircu 1 DISPLAY        an error, exit 1
  sas2ircu, mode "none"     "SAS2IRCU: MPTLib2 Error 1", exit 1 (no SAS2 controller)

One-shot `redmon status --json` and `redmon check` (only the hwraid plugin)
must run exactly the registered commands, report c0/u0 and c0/ir-volume1
(members, bays, the controller number read from the output) and exit OK;
in mode "rebuilding", c0/u0 is critical and rebuilding at 98% and check
exits CRITICAL; in mode "none", sas2ircu gives no group and no error.
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
IR = os.path.join(CAP, "check_raid-sas2ircu-raid1-optimal")

TW_CLI = """#!/bin/sh
echo "tw_cli $*" >> {d}/ran
case "$*" in
show) cat {tw}/tw_cli-info.txt ;;
"/c0 show all")
    if [ "$(cat {d}/mode)" = rebuilding ]; then
        cat {rb}/tw_cli-info-c0-unitstatus.txt {rb}/tw_cli-info-c0-drivestatus.txt
    else
        cat {tw}/tw_cli-c0-show-all.txt
    fi ;;
*) echo "Error: (CLI:003) Specified controller does not exist."; exit 1 ;;
esac
"""

SAS2IRCU = """#!/bin/sh
echo "sas2ircu $*" >> {d}/ran
if [ "$(cat {d}/mode)" = none ]; then
    case "$1" in
    LIST) printf 'LSI Corporation SAS2 IR Configuration Utility.\\n\\nSAS2IRCU: MPTLib2 Error 1\\n' ;;
    *) echo "SAS2IRCU: No Controller Found at index $1." ;;
    esac
    exit 1
fi
case "$*" in
LIST) cat {ir}/sas2ircu-list.txt ;;
"0 DISPLAY") cat {ir}/sas2ircu-0-display.txt ;;
"0 STATUS") cat {ir}/sas2ircu-0-status.txt ;;
*) echo "SAS2IRCU: no controller $1"; exit 1 ;;
esac
"""

EXPECT_RAN = ["sas2ircu 0 DISPLAY", "sas2ircu 0 STATUS", "sas2ircu 1 DISPLAY", "sas2ircu LIST",
              "tw_cli /c0 show all", "tw_cli /c1 show all", "tw_cli /c2 show all", "tw_cli show"]


def setup(d):
    b = os.path.join(d, "bin")
    os.makedirs(b)
    os.chmod(d, 0o755)
    os.chmod(b, 0o755)
    for name, text in (("tw_cli", TW_CLI), ("sas2ircu", SAS2IRCU)):
        with open(os.path.join(b, name), "w") as f:
            f.write(text.format(d=d, tw=TW, rb=TW_REBUILD, ir=IR))
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


def mode(d, m):
    with open(os.path.join(d, "mode"), "w") as f:
        f.write(m + "\n")
    if os.path.exists(os.path.join(d, "ran")):
        os.unlink(os.path.join(d, "ran"))


def groups(build, d, plugins):
    p = redmon(build, d, plugins, ["status", "--json"])
    doc = json.loads(p.stdout)
    probe = [x for x in doc.get("probes", []) if x.get("name") == "hwraid"]
    if not probe or probe[0].get("status") == "failed":
        raise TestError("hwraid probe: %r %s" % (probe, harness.tail(p.stderr)))
    return {g["id"]: g for g in doc["groups"]}


def run(build, rep):
    d = tempfile.mkdtemp(prefix="redmon-hwraid-old-")
    try:
        plugins = setup(d)
        shutil.copy(os.path.join(build, "plugins", "hwraid.so"), plugins)

        def optimal():
            mode(d, "ok")
            got = groups(build, d, plugins)
            probs = []
            with open(os.path.join(d, "ran")) as f:
                ran = sorted(f.read().splitlines())
            if ran != EXPECT_RAN:
                probs.append("commands run: %s" % ran)
            tw, ir = got.get("hwraid:c0/u0"), got.get("hwraid:c0/ir-volume1")
            if sorted(got) != ["hwraid:c0/ir-volume1", "hwraid:c0/u0"]:
                return probs + ["groups: %s" % sorted(got)]
            if (tw["type"], tw["health"], [m["name"] for m in tw["members"]]) != ("raid5", "ok", ["p0", "p1", "p2", "p3"]):
                probs.append("c0/u0: %r" % tw)
            if tw["members"][3].get("device") != "/dev/twl0 3ware,3":
                probs.append("c0/u0 p3 smartctl device: %r" % tw["members"][3])
            if "VERIFYING, 16%" not in (tw.get("reason") or ""):
                probs.append("c0/u0 reason: %r" % tw.get("reason"))
            if (ir["type"], ir["health"], ir["margin"]) != ("raid1", "ok", 1) or \
                    [m["location"] for m in ir["members"]] != ["1:0", "1:1"]:
                probs.append("c0/ir-volume1: %r" % ir)
            p = redmon(build, d, plugins, ["check"])
            if p.returncode != 0:
                probs.append("check exit %d: %r" % (p.returncode, p.stdout))
            return probs

        def rebuilding():
            mode(d, "rebuilding")
            tw = groups(build, d, plugins).get("hwraid:c0/u0") or {}
            probs = []
            if (tw.get("type"), tw.get("health"), tw.get("activity"), tw.get("progress")) != \
                    ("raid1", "critical", "recovery", 98):
                probs.append("c0/u0: %r" % tw)
            roles = {m["name"]: m["role"] for m in tw.get("members", [])}
            if roles != {"p0": "rebuilding", "p1": "active"}:
                probs.append("c0/u0 members: %r" % roles)
            p = redmon(build, d, plugins, ["check"])
            if p.returncode != 2 or "CRITICAL" not in p.stdout:
                probs.append("check exit %d: %r" % (p.returncode, p.stdout))
            return probs

        def no_controller():
            mode(d, "none")
            got = groups(build, d, plugins)
            if sorted(got) != ["hwraid:c0/u0"]:
                return ["groups: %s" % sorted(got)]
            return []

        rep.run("hwraid-old/tw_cli-sas2ircu-optimal", optimal)
        rep.run("hwraid-old/sas2ircu-no-controller", no_controller)
        rep.run("hwraid-old/tw_cli-rebuilding-critical", rebuilding)
    finally:
        shutil.rmtree(d)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    run(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()

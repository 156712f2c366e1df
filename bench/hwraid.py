#!/usr/bin/env python3
"""Parsing CPU of the hwraid probe for a large controller, beside a tool's floor.

A MegaRAID controller with 24 virtual drives on 96 drives (RAID6 of four; one
VD degraded with a drive offline, one rebuilding) is written in storcli's two
real formats, each generated from a corpus capture as template:

  json  `storcli64 /call show all J`  (tests/corpus/hwraid-json/textfile-collector-...)
  text  `storcli64 /call show all`    (tests/corpus/hwraid-text/storcli-check-...)

bench/hwraid_parse.c (built here with the probe's parser sources) parses each
capture many times in one process and turns every logical drive into a group,
as a scan does: CPU per pass from CLOCK_PROCESS_CPUTIME_ID, free of exec and
start-up noise.  Beside it, the CPU of `cat CAPTURE` as its own process
(fork, exec, read, exit: wait4 rusage): the floor of any tool run, before the
tool does anything.  The real storcli also talks to the controller, which no
machine here has: that part is not measured.  Once per format, `redmon
status --json --root` with only the hwraid probe must give 24 groups, two not
ok.  Nothing here fails a build; it prints a table.
"""

import argparse
import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "tests", "corpus")
JSON_TEMPLATE = os.path.join(CORPUS, "hwraid-json", "textfile-collector-storcli-raid6-four-pds",
                             "storcli-call-show-all.json")
TEXT_TEMPLATE = os.path.join(CORPUS, "hwraid-text", "storcli-check-text-raid10-one-drive-offline",
                             "storcli-call-show-all.txt")
PROBES = ("md", "bond", "hwmon", "ipmi", "power_supply")
N_VD, PER_VD, EID = 24, 4, 252


def drive_state(vd, row):
    if vd == 5 and row == 2:
        return "Offln"
    if vd == 11 and row == 1:
        return "Rbld"
    return "Onln"


def vd_state(vd):
    return "Dgrd" if vd in (5, 11) else "Optl"


def big_json():
    with open(JSON_TEMPLATE) as f:
        doc = json.load(f)
    data = doc["Controllers"][0]["Response Data"]
    topo_vd, topo_arr, topo_drive = (copy.deepcopy(data["TOPOLOGY"][i]) for i in (0, 1, 2))
    pd_row = copy.deepcopy(data["PD LIST"][0])
    vd_row = copy.deepcopy(data["VD LIST"][0])
    topo, vds, pds = [], [], []
    for vd in range(N_VD):
        state = vd_state(vd)
        topo.append(dict(topo_vd, DG=vd, State=state))
        topo.append(dict(topo_arr, DG=vd, State=state))
        vds.append(dict(vd_row, **{"DG/VD": "%d/%d" % (vd, vd), "State": state, "Name": "vd%d" % vd}))
        for row in range(PER_VD):
            slot, did = vd * PER_VD + row, 100 + vd * PER_VD + row
            st = drive_state(vd, row)
            topo.append(dict(topo_drive, DG=vd, Row=row, DID=did, State=st,
                             **{"EID:Slot": "%d:%d" % (EID, slot)}))
            pds.append(dict(pd_row, DID=did, DG=vd, State=st, **{"EID:Slt": "%d:%d" % (EID, slot)}))
    data.update({"TOPOLOGY": topo, "VD LIST": vds, "PD LIST": pds, "Drive Groups": N_VD,
                 "Virtual Drives": N_VD, "Physical Drives": N_VD * PER_VD})
    return json.dumps(doc, indent=4)


def table(title, header, rows):
    """A storcli text table: title, rule, header, rule, rows, rule."""
    cols = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    fmt = lambda r: " ".join(v.ljust(w) for v, w in zip(r, cols)) + " "
    rule = "-" * len(fmt(header))
    return "%s :\n%s\n\n%s\n%s\n%s\n%s\n%s\n" % (title, "=" * (len(title) - 1), rule, fmt(header), rule,
                                                 "\n".join(fmt(r) for r in rows), rule)


def big_text():
    """The template's last controller (the RAID10 one) alone, its three tables replaced."""
    with open(TEXT_TEMPLATE) as f:
        text = f.read()
    ctl = text[text.rfind("Generating detailed summary"):]
    topo = [["DG", "Arr", "Row", "EID:Slot", "DID", "Type", "State", "BT", "Size", "PDC", "PI", "SED", "DS3",
             "FSpace"]]
    vds = [["DG/VD", "TYPE", "State", "Access", "Consist", "Cache", "sCC", "Size", "Name"]]
    pds = [["EID:Slt", "DID", "State", "DG", "Size", "Intf", "Med", "SED", "PI", "SeSz", "Model", "Sp"]]
    for vd in range(N_VD):
        st = vd_state(vd)
        topo.append([str(vd), "-", "-", "-", "-", "RAID6", st, "N", "1.745 TB", "dflt", "N", "N", "none", "N"])
        topo.append([str(vd), "0", "-", "-", "-", "RAID6", st, "N", "1.745 TB", "dflt", "N", "N", "none", "N"])
        vds.append(["%d/%d" % (vd, vd), "RAID6", st, "RW", "Yes", "RWBD", "-", "1.745 TB", "vd%d" % vd])
        for row in range(PER_VD):
            slot, did, ds = vd * PER_VD + row, 100 + vd * PER_VD + row, drive_state(vd, row)
            topo.append([str(vd), "0", str(row), "%d:%d" % (EID, slot), str(did), "DRIVE", ds, "N",
                         "893.750 GB", "dflt", "N", "N", "none", "-"])
            pds.append(["%d:%d" % (EID, slot), str(did), ds, str(vd), "893.750 GB", "SATA", "SSD", "N", "N",
                        "512B", "Micron_5200_MTFDDAK960TDC", "U"])
    for title, rows in (("TOPOLOGY", topo), ("VD LIST", vds), ("PD LIST", pds)):
        m = re.search(r"^%s :\n=+\n\n-+\n.*?\n-+\n(?:.*\n)*?-+\n" % re.escape(title), ctl, re.M)
        if not m:
            raise RuntimeError("no %s table in the text template" % title)
        ctl = ctl[:m.start()] + table(title, rows[0], rows[1:]) + ctl[m.end():]
    return ctl


def cpu_of(argv):
    """CPU seconds (user + system) of one run, its exit code and output."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, st, ru = os.wait4(p.pid, 0)
        out.seek(0)
        return ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(st), out.read()


def check_groups(raw, fmt):
    doc = json.loads(raw)
    groups = [g for g in doc["groups"] if g["probe"] == "hwraid"]
    bad = [g for g in groups if g["health"] != "ok"]
    if len(groups) != N_VD or len(bad) != 2:
        raise RuntimeError("%s: %d groups, %d not ok (want %d and 2)" % (fmt, len(groups), len(bad), N_VD))


def build_parser(build, out):
    """bench/hwraid_parse.c with the probe's parser and plugins/lib (from the build)."""
    srcs = [os.path.join(REPO, "plugins", "hwraid", f) for f in sorted(os.listdir(os.path.join(REPO, "plugins", "hwraid")))
            if f.endswith(".c") and f != "hwraid.c"]
    subprocess.run(["cc", "-O2", "-std=gnu11", "-D_GNU_SOURCE", "-I", os.path.join(REPO, "include"), "-o", out,
                    os.path.join(REPO, "bench", "hwraid_parse.c")] + srcs +
                   [os.path.join(build, "plugins", "lib", "libredmon-plugin.a"), "-ljansson"], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    redmon = os.path.join(a.build, "redmon")
    off = [x for p in PROBES for x in ("-o", "probe.%s.enabled=no" % p)]
    work = tempfile.mkdtemp(prefix="redmon-bench-hwraid-")
    try:
        empty = os.path.join(work, "empty")
        os.makedirs(empty)
        roots = {}
        for fmt, name, body in (("json", "storcli-call-show-all.json", big_json()),
                                ("text", "storcli-call-show-all.txt", big_text())):
            roots[fmt] = os.path.join(work, fmt)
            os.makedirs(roots[fmt])
            with open(os.path.join(roots[fmt], name), "w") as f:
                f.write(body)
        parser = os.path.join(work, "hwraid_parse")
        build_parser(a.build, parser)
        print("hwraid parse: %d VDs, %d drives; %d rounds (median, min-max)" % (N_VD, N_VD * PER_VD, a.rounds))
        for fmt, root in roots.items():
            capture = os.path.join(root, os.listdir(root)[0])
            _, rc, out = cpu_of([redmon, "status", "--json", "--root", root, "--plugin-dir",
                                 os.path.join(a.build, "plugins")] + off)
            if rc not in (0, 1, 2):
                raise RuntimeError("%s: redmon status exited %d" % (fmt, rc))
            check_groups(out, fmt)
            parse, floor = [], []
            for _ in range(a.rounds):
                r = json.loads(subprocess.run([parser, capture, "200"], check=True, stdout=subprocess.PIPE).stdout)
                if r["logical_drives"] != N_VD or r["not_whole"] != 2:
                    raise RuntimeError("%s: the parser gave %s" % (fmt, r))
                parse.append(r["ns_per_pass"] / 1e6)
                floor.append(cpu_of(["cat", capture])[0] * 1e3)
            print("  %-4s %6.1f KiB   parse + groups %.3f ms (%.3f-%.3f)   a tool's floor (cat it) %.2f ms (%.2f-%.2f)"
                  % (fmt, os.path.getsize(capture) / 1024, statistics.median(parse), min(parse), max(parse),
                     statistics.median(floor), min(floor), max(floor)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

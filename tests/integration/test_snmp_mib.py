#!/usr/bin/env python3
"""mibs/REDMON-MIB.txt is clean SMIv2: smilint -l 6 prints nothing, and net-snmp loads it.

smilint exits 0 even when it reports errors, so the test checks that it prints
nothing.  Debian ships neither the SNMPv2-* base modules nor SNMP-FRAMEWORK-MIB
in its net-snmp packages: scripts/fetch-base-mibs.sh extracts them from the
erlang-snmp package into BUILD/mibs (never committed).  The root OID is checked
against the one the code uses (src/snmp/subagent_int.h), so the two places that say
where the MIB lives cannot drift apart.
"""

import os
import re
import shutil
import subprocess
import tempfile

import harness

NAME = "integration/snmp_mib/"
MIB = os.path.join(harness.REPO, "mibs", "REDMON-MIB.txt")


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    mibdir = os.path.join(args.build, "mibs")
    fetch = subprocess.run(["sh", os.path.join(harness.REPO, "scripts", "fetch-base-mibs.sh"), mibdir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if fetch.returncode != 0:
        rep.fail(NAME + "base-mibs", "fetch-base-mibs.sh: %s" % harness.tail(fetch.stdout))
        rep.exit()
    rep.ok(NAME + "base-mibs")

    def smilint():
        if not shutil.which("smilint"):
            return ["smilint is not installed (package smitools; scripts/install-deps.sh)"]
        env = dict(os.environ, SMIPATH="%s:%s" % (mibdir, os.path.dirname(MIB)))
        p = subprocess.run(["smilint", "-l", "6", "-s", "-m", MIB], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env, universal_newlines=True)
        out = p.stdout.strip()
        return ["smilint -l 6: %s" % out] if out else []
    rep.run(NAME + "smilint-level-6-clean", smilint)

    def netsnmp_loads():
        tmp = tempfile.mkdtemp(prefix="rmm-")
        try:
            os.makedirs(os.path.join(tmp, "cert_indexes"), mode=0o700)
            env = dict(os.environ, SNMPCONFPATH=tmp, SNMP_PERSISTENT_DIR=tmp)
            p = subprocess.run(["snmptranslate", "-M", "%s:%s" % (mibdir, os.path.dirname(MIB)),
                                "-m", "REDMON-MIB", "-On", "REDMON-MIB::redmonMIB",
                                "REDMON-MIB::redmonGroupDegradedSince", "REDMON-MIB::redmonGroupUnknown"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, universal_newlines=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        out = []
        if p.returncode != 0 or p.stderr.strip():
            out.append("snmptranslate: exit %d: %s" % (p.returncode, harness.tail(p.stderr)))
        with open(os.path.join(harness.REPO, "src", "snmp", "subagent_int.h")) as f:
            m = re.search(r"#define SUBAGENT_ROOT_OID ([\d, ]+)", f.read())
        root = "." + ".".join(x.strip() for x in m.group(1).split(",")) if m else None
        lines = p.stdout.split()
        if not root or lines[:1] != [root]:
            out.append("the MIB's root is %s, the code's (src/snmp/subagent_int.h) %s" % (lines[:1], root))
        if lines[1:] != [root + ".1.2.1.18", root + ".0.14"]:
            out.append("unexpected OIDs %s" % lines[1:])
        return out
    rep.run(NAME + "net-snmp-loads-it", netsnmp_loads)

    def reads_right():
        # What snmpwalk prints: progress with one decimal in percent, margins as what
        # the group still tolerates (snmptranslate -Td, as net-snmp formats values).
        tmp = tempfile.mkdtemp(prefix="rmm-")
        try:
            os.makedirs(os.path.join(tmp, "cert_indexes"), mode=0o700)
            env = dict(os.environ, SNMPCONFPATH=tmp, SNMP_PERSISTENT_DIR=tmp)
            out = []
            for obj, want in (("redmonGroupProgress", ['DISPLAY-HINT\t"d-1"', 'UNITS\t\t"percent"']),
                              ("redmonGroupMargin", ['UNITS\t\t"more failures tolerated"']),
                              ("redmonNotifPrevMargin", ['UNITS\t\t"more failures tolerated"',
                                                         "-1 means none"])):
                p = subprocess.run(["snmptranslate", "-M", "%s:%s" % (mibdir, os.path.dirname(MIB)),
                                    "-m", "REDMON-MIB", "-Td", "REDMON-MIB::" + obj],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   universal_newlines=True)
                for w in want:
                    if w not in p.stdout:
                        out.append("%s: %r not in %r" % (obj, w, p.stdout[:400]))
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.run(NAME + "values-read-right", reads_right)
    rep.exit()


if __name__ == "__main__":
    main()

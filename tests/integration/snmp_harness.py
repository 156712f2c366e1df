"""The setup every SNMP integration test shares, written once.

test_snmp.py has the peers (snmpd as AgentX master, snmptrapd on four
routes, redmon on a temporary md tree: class Peers) and the trap checks;
this module has what each test's main() did again: the tools it needs,
the base MIBs fetched into the build directory, the peers started by
run(p, rep) and always stopped, the daemon's log shown on a failure.
"""

import os
import shutil
import subprocess
import sys

import harness
import test_snmp as ts

TOOLS = ("snmpd", "snmptrapd", "snmpbulkwalk")


def setup(args, rep, name, tools=TOOLS):
    """The tools there, redmon and md.so built, the base MIBs fetched; else report and exit."""
    for tool in tools:
        if not shutil.which(tool):
            rep.fail(name + "setup", "%s is not installed (scripts/install-deps.sh installs it)" % tool)
            rep.exit()
    if not os.access(os.path.join(args.build, "redmon"), os.X_OK) or \
            not os.path.exists(os.path.join(args.build, "plugins", "md.so")):
        rep.fail(name + "setup", "%s/redmon or plugins/md.so is missing: build first" % args.build)
        rep.exit()
    fetch = subprocess.run(["sh", os.path.join(harness.REPO, "scripts", "fetch-base-mibs.sh"),
                            os.path.join(args.build, "mibs")], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
    if fetch.returncode != 0:
        rep.fail(name + "setup", "fetch-base-mibs.sh: %s" % harness.tail(fetch.stdout))
        rep.exit()


def main(doc, name, run, tools=TOOLS, peers=ts.Peers):
    """Run run(p, rep) on fresh peers (peers(build)); report setup problems as name + "setup"."""
    args = harness.parse_args(doc.splitlines()[0])
    rep = harness.Reporter()
    setup(args, rep, name, tools)
    p = peers(args.build)
    try:
        run(p, rep)
    except harness.TestError as e:
        rep.fail(name + "setup", str(e))
    finally:
        if rep.failed and os.path.exists(os.path.join(p.tmp, "daemon.log")):
            sys.stderr.write("daemon log:\n" + harness.tail(p.daemon_log(), 30))
        p.cleanup()
    rep.exit()

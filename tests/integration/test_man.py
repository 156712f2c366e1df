#!/usr/bin/env python3
"""The man pages: they render without a single warning (mandoc -T lint and
groff -ww), and they are complete: redmon(8) names every subcommand and long
option of src/main.c, redmon.conf(5) every key of the config tables (core and
plugins), redmon-alerts(7) every event type of src/event.c and every
NOTIFICATION-TYPE of the MIB.  The bash completion parses and completes.
"""

import glob
import os
import re
import shutil
import subprocess

import harness

REPO = harness.REPO
MAN = os.path.join(REPO, "docs", "man")
PAGES = ("redmon.8", "redmon.conf.5", "redmon-alerts.7")


def read(*parts):
    with open(os.path.join(REPO, *parts), encoding="utf-8") as f:
        return f.read()


def plain(page):
    """The page's source with roff escapes for -, \\ and quotes undone."""
    return read("docs", "man", page).replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\")


def lint(page):
    path = os.path.join(MAN, page)
    probs = []
    if not shutil.which("mandoc") and not shutil.which("groff"):
        return ["neither mandoc nor groff is installed"]
    if shutil.which("mandoc"):
        p = subprocess.run(["mandoc", "-T", "lint", "-W", "all", path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
        if p.returncode != 0 or p.stdout.strip():
            probs.append("mandoc -T lint: " + harness.tail(p.stdout))
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-ww", "-z", "-man", path], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
        if p.returncode != 0 or p.stdout.strip():
            probs.append("groff -ww: " + harness.tail(p.stdout))
    return probs


def options_in(path):
    return re.findall(r'\.key\s*=\s*"([A-Za-z0-9_]+)"', read(path))


def conf_complete():
    page = plain("redmon.conf.5")
    documented = set(re.findall(r"^\.B ([A-Za-z0-9_]+)$", page, re.M))
    keys = set(options_in("src/config.c"))
    # The option tables of the core's subsystems (sink_settings.c, snmp/snmp_settings.c ...).
    for f in glob.glob(os.path.join(REPO, "src", "**", "*settings.c"), recursive=True):
        keys |= set(options_in(os.path.relpath(f, REPO)))
    for f in glob.glob(os.path.join(REPO, "plugins", "*", "*.c")):
        keys |= set(options_in(os.path.relpath(f, REPO)))
    missing = sorted(keys - documented)
    return ["redmon.conf(5) lacks keys: %s" % ", ".join(missing)] if missing else []


def cli_complete():
    page = plain("redmon.8")
    main = read("src", "main.c")
    longs = re.findall(r'\{\s*"([a-z-]+)",\s*(?:no|required|optional)_argument', main)
    table = main[main.find("commands[] = {"):]
    cmds = re.findall(r'^\s*\{ "([a-z-]+)", "', table[:table.find("};")], re.M)
    probs = []
    if not longs or not cmds:
        probs.append("could not find the options (%d) or commands (%d) in src/main.c" % (len(longs), len(cmds)))
    for o in longs:
        if "--" + o not in page:
            probs.append("redmon(8) lacks --%s" % o)
    for c in cmds:
        if not re.search(r"^\.B (redmon )?%s\b" % re.escape(c), page, re.M):
            probs.append("redmon(8) lacks the command %s" % c)
    return probs


def alerts_complete():
    page = plain("redmon-alerts.7")
    events = re.findall(r'\[EV_[A-Z_]+\]\s*=\s*"([a-z_]+)"', read("src", "event.c"))
    probs = [] if events else ["no event names found in src/event.c"]
    probs += ["redmon-alerts(7) lacks the event %s" % e for e in events
              if not re.search(r"^\.B %s$" % e, page, re.M)]
    mib = os.path.join(REPO, "mibs", "REDMON-MIB.txt")
    if os.path.exists(mib):
        notifs = re.findall(r"^(\w+)\s+NOTIFICATION-TYPE", read("mibs", "REDMON-MIB.txt"), re.M)
        probs += ["redmon-alerts(7) lacks the notification %s" % n for n in notifs if n not in page]
    return probs


def completion():
    comp = os.path.join(REPO, "contrib", "bash-completion", "redmon")
    lib = "/usr/share/bash-completion/bash_completion"
    p = subprocess.run(["bash", "-n", comp], stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        return ["bash -n: " + p.stderr]
    if not os.path.exists(lib):
        return ["bash-completion is not installed (apt-get install bash-completion)"]
    script = ('source %s; source %s; try() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _redmon; echo "${COMPREPLY[*]}"; }; '
              'try redmon st; try redmon status --w; try redmon daemon --check; try redmon --ro' % (lib, comp))
    p = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=30)
    got = p.stdout.splitlines()
    want = ["status", "--watch", "--check-config", "--root"]
    return [] if got == want else ["completions %r, want %r (%s)" % (got, want, harness.tail(p.stderr))]


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    for page in PAGES:
        rep.run("man/lint/" + page, lint, page)
    rep.run("man/redmon.8_complete", cli_complete)
    rep.run("man/redmon.conf.5_complete", conf_complete)
    rep.run("man/redmon-alerts.7_complete", alerts_complete)
    rep.run("completion/bash", completion)
    rep.exit()


if __name__ == "__main__":
    main()

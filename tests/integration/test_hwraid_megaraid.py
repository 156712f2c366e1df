#!/usr/bin/env python3
"""The hwraid probe through the daemon, with a fake storcli64 on PATH.

A temporary directory holds bin/storcli64, a shell script that prints a
capture chosen by a mode file beside it (the runner gives a tool only PATH
and LC_ALL, so the script names its files by absolute path):

  ok        the corpus's storcli `/call show all J` (HPE MR216i-a, c0/v239 RAID1 on 251:1, 251:2 Onln)
  degraded  the same capture with 251:2 Offln and the VD Dgrd (no real degraded
            storcli JSON exists: tests/corpus/MANIFEST.md, known gaps)
  hang      sleeps for 10 minutes
  garbage   prints a line that is neither JSON nor storcli text

`redmon daemon` (only the hwraid plugin, interval 1 s, timeout 2 s, events as
JSON Lines) must: report c0/v239 ok; on `degraded`, health_changed to critical
and member_changed 251:2 to failed;
on `hang`, probe_failed naming the timeout and the group unknown; on
`garbage`, still failed, the reason saying the output is not understood; on
`ok`, probe_recovered and the group ok.  One-shot `redmon check` (the tree has
no daemon socket: it scans by itself, running the fake tool) says CRITICAL in
the degraded state and `status --json` shows the group with its members (the
failed one with its bay and smartctl device), and the member_changed alert
names that bay too; a MegaCli64 beside storcli64 never runs (both read the
same controllers), and alone on PATH it does;
without the tool on PATH, no group and exit 0.  Last, `--user nobody`: the
daemon is nobody and the tool runs as root through the privileged helper.

arcconf reads one controller per command: a fake arcconf printing a real
two-controller capture (tests/captures/hwraid/check_raid-arcconf-two-controllers-raid6)
by its arguments must be asked for both controllers (the list is read at
start from its `Controllers found: 2`), and `status --json` shows both
logical devices, `ld0` and `c2/ld0`.  The same capture saying `Controllers
found: 17`: only controllers 1 to 16 are asked about (the cap), the log says
so, and each of the 16 logical devices names the one left out (c17) in its
reason.
"""

import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time

import harness
from harness import TestError

CASE = os.path.join(harness.CORPUS, "hwraid-json", "canonical-storcli-call-show-all-nvme-raid1",
                    "storcli-call-show-all.json")
GROUP = "hwraid:c0/v239"
NOBODY = 65534
STEP = 10.0

SCRIPT = """#!/bin/sh
# A fake storcli64 for tests/integration/test_hwraid_megaraid.py.
mode=$(cat {d}/mode)
case "$mode" in
ok) cat {d}/ok.json ;;
degraded) cat {d}/degraded.json ;;
hang) sleep 600 ;;
*) echo "storcli: something went wrong, sorry" ;;
esac
"""

TWO_ARCCONF = os.path.join(harness.REPO, "tests", "captures", "hwraid",
                           "check_raid-arcconf-two-controllers-raid6")

# A fake arcconf: the capture of the controller its arguments name, every call logged.
ARCCONF = """#!/bin/sh
echo "$*" >> {d}/arcconf-args
case "$1 $2" in
"GETSTATUS 1"|"GETSTATUS 2") cat {d}/arcconf-getstatus-1.txt ;;
"GETCONFIG 1") cat {d}/arcconf-getconfig-1-al.txt ;;
"GETCONFIG 2") cat {d}/arcconf-getconfig-2-al.txt ;;
*) echo "Invalid controller number."; exit 1 ;;
esac
"""

# A fake arcconf on a host with 17 controllers: every controller's capture is the same.
ARCCONF_MANY = """#!/bin/sh
echo "$*" >> {d}/arcconf-args
case "$1" in
GETSTATUS) sed 's/^Controllers found: 2/Controllers found: 17/' {d}/arcconf-getstatus-1.txt ;;
GETCONFIG) sed 's/^Controllers found: 2/Controllers found: 17/' {d}/arcconf-getconfig-2-al.txt ;;
*) echo "Invalid controller number."; exit 1 ;;
esac
"""

# A MegaCli64 beside storcli64: it must not run (storcli reads the same controllers).
MEGACLI = """#!/bin/sh
: > {d}/megacli-ran
echo "MegaCli: nothing a parser understands"
"""


def smartctl_bus(ctl):
    """N of smartctl's /dev/bus/N for storcli's controller ctl on this host, as
    docs/hwraid.md says redmon picks it: the one megaraid_sas SCSI host's number
    when there is exactly one, else the controller's number."""
    base = "/sys/class/scsi_host"
    hosts = []
    for h in os.listdir(base) if os.path.isdir(base) else []:
        try:
            with open(os.path.join(base, h, "proc_name")) as f:
                if f.read().strip() == "megaraid_sas" and h[4:].isdigit():
                    hosts.append(int(h[4:]))
        except OSError:
            pass
    return hosts[0] if len(hosts) == 1 else ctl


def degraded_capture():
    """The ok capture with 251:2 offline and its VD, DG and span degraded."""
    with open(CASE) as f:
        doc = json.load(f)
    rd = doc["Controllers"][0]["Response Data"]
    for pd in rd["PD LIST"]:
        if pd["EID:Slt"] == "251:2":
            pd["State"] = "Offln"
    for vd in rd["VD LIST"]:
        vd["State"] = "Dgrd"
    for t in rd["TOPOLOGY"]:
        t["State"] = "Offln" if t.get("EID:Slot") == "251:2" else ("Dgrd" if t["Type"] != "DRIVE" else t["State"])
    return json.dumps(doc, indent=1)


class Fake:
    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "bin"))
        os.chmod(os.path.join(d, "bin"), 0o755)
        shutil.copy(CASE, os.path.join(d, "ok.json"))
        with open(os.path.join(d, "degraded.json"), "w") as f:
            f.write(degraded_capture())
        tool = os.path.join(d, "bin", "storcli64")
        with open(tool, "w") as f:
            f.write(SCRIPT.format(d=d))
        os.chmod(tool, 0o755)
        for bindir in ("bin", "bin-megacli"):
            os.makedirs(os.path.join(d, bindir), exist_ok=True)
            os.chmod(os.path.join(d, bindir), 0o755)
            with open(os.path.join(d, bindir, "MegaCli64"), "w") as f:
                f.write(MEGACLI.format(d=d))
            os.chmod(os.path.join(d, bindir, "MegaCli64"), 0o755)
        self.mode("ok")

    def mode(self, m):
        tmp = os.path.join(self.d, "mode.new")
        with open(tmp, "w") as f:
            f.write(m + "\n")
        os.rename(tmp, os.path.join(self.d, "mode"))

    def env(self):
        env = harness.test_env()
        env["PATH"] = os.path.join(self.d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
        return env


def redmon(build, plugins, env, args, timeout=30):
    argv = [os.path.join(build, "redmon")] + args + ["--plugin-dir", plugins]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       env=env, timeout=timeout, universal_newlines=True, errors="replace")
    if any(m in p.stderr for m in harness.SAN_MARKERS):
        raise TestError("sanitizer report: %s" % harness.tail(p.stderr, 12))
    return p


def group_event(ev, health=None):
    g = ev.get("group") or {}
    return ev.get("event") in ("group_appeared", "health_changed") and g.get("id") == GROUP and \
        (health is None or g.get("health") == health)


def run(build, rep):
    tmp = tempfile.mkdtemp(prefix="redmon-hwraid-")
    fake = Fake(tmp)
    plugins = os.path.join(tmp, "plugins")
    os.makedirs(plugins)
    shutil.copy(os.path.join(build, "plugins", "hwraid.so"), plugins)
    events = os.path.join(tmp, "events.jsonl")
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--plugin-dir", plugins,
            "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
            "-o", "daemon.rescan_interval=1h", "-o", "daemon.user=root",
            "-o", "daemon.state_dir=" + os.path.join(tmp, "state"),
            "-o", "probe.hwraid.interval=1s", "-o", "probe.hwraid.timeout=2s"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                            env=fake.env())
    w = harness.EventWaiter(events, proc, err, STEP)
    try:
        def appeared():
            new = w.wait_for([lambda e: group_event(e, "ok")])
            g = [e for e in new if group_event(e)][-1]["group"]
            if g.get("margin") != 1 or g.get("members_total") != 2:
                raise TestError("c0/v239: %r" % g)

        def degraded():
            fake.mode("degraded")
            new = w.wait_for([lambda e: group_event(e, "critical"),
                              lambda e: e.get("event") == "member_changed" and
                              (e.get("member") or {}).get("name") == "251:2"])
            m = [e for e in new if e.get("event") == "member_changed"][-1]["member"]
            probs = []
            if m.get("role") != "failed":
                probs.append("251:2 role %r" % m.get("role"))
            if (m.get("location"), m.get("device")) != ("251:2", "/dev/bus/%d megaraid,1" % smartctl_bus(0)):
                probs.append("the alert does not say which disk to pull: %r" % m)
            return probs

        def check_critical():
            p = redmon(build, plugins, fake.env(), ["check"])
            if p.returncode != 2 or "CRITICAL" not in p.stdout:
                return ["check exit %d: %r %s" % (p.returncode, p.stdout, harness.tail(p.stderr))]
            p = redmon(build, plugins, fake.env(), ["status", "--json"])
            doc = json.loads(p.stdout)
            g = [g for g in doc["groups"] if g.get("id") == GROUP]
            if len(g) != 1 or g[0]["health"] != "critical" or g[0]["margin"] != 0:
                return ["status --json: %r" % doc["groups"]]
            names = sorted(m["name"] for m in g[0]["members"])
            if names != ["251:1", "251:2"]:
                return ["members %r" % names]
            m = [m for m in g[0]["members"] if m["name"] == "251:2"][0]
            want = ("failed", "251:2", "/dev/bus/%d megaraid,1" % smartctl_bus(0))
            if (m.get("role"), m.get("location"), m.get("device")) != want:
                return ["251:2 in status --json: %r" % m]
            if os.path.exists(os.path.join(tmp, "megacli-ran")):
                return ["MegaCli64 ran though storcli64 was found"]
            return []

        def megacli_alone():
            env = harness.test_env()
            env["PATH"] = os.path.join(tmp, "bin-megacli") + ":" + env.get("PATH", "/usr/bin:/bin")
            p = redmon(build, plugins, env, ["check"])
            if not os.path.exists(os.path.join(tmp, "megacli-ran")):
                return ["MegaCli64 alone on PATH did not run: %r %s" % (p.stdout, harness.tail(p.stderr))]
            if p.returncode != 3:
                return ["MegaCli64 printing garbage: check exit %d %r" % (p.returncode, p.stdout)]
            return []

        def hang():
            fake.mode("hang")
            t0 = time.monotonic()
            new = w.wait_for([lambda e: e.get("event") == "probe_failed" and e.get("probe") == "hwraid",
                              lambda e: group_event(e, "unknown")])
            ev = [e for e in new if e.get("event") == "probe_failed"][-1]
            why = json.dumps(ev)
            if "no answer within 2000 ms" not in why:
                return ["probe_failed does not name the timeout: %s" % why[:300]]
            if time.monotonic() - t0 > 8:
                return ["took %.1fs" % (time.monotonic() - t0)]
            return []

        def garbage():
            fake.mode("garbage")
            deadline = time.monotonic() + STEP
            while time.monotonic() < deadline:
                p = redmon(build, plugins, fake.env(), ["status", "--json"])
                doc = json.loads(p.stdout)
                probe = [x for x in doc.get("probes", []) if x.get("name") == "hwraid"]
                why = str(probe[0].get("error")) if probe else ""
                if probe and probe[0].get("status") == "failed" and "neither JSON" in why:
                    break
                time.sleep(0.2)
            else:
                return ["status with garbage: %r" % doc.get("probes")]
            p = redmon(build, plugins, fake.env(), ["check"])
            return [] if p.returncode == 3 else ["check exit %d with garbage: %r" % (p.returncode, p.stdout)]

        def recovered():
            fake.mode("ok")
            w.wait_for([lambda e: e.get("event") == "probe_recovered" and e.get("probe") == "hwraid",
                        lambda e: group_event(e, "ok")])

        def arcconf_every_controller():
            d = os.path.join(tmp, "arc")
            os.makedirs(os.path.join(d, "bin"))
            for f in os.listdir(TWO_ARCCONF):
                shutil.copy(os.path.join(TWO_ARCCONF, f), d)
            tool = os.path.join(d, "bin", "arcconf")
            with open(tool, "w") as f:
                f.write(ARCCONF.format(d=d))
            os.chmod(tool, 0o755)
            env = harness.test_env()
            env["PATH"] = os.path.join(d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
            p = redmon(build, plugins, env, ["status", "--json"])
            doc = json.loads(p.stdout)
            ids = sorted(g["id"] for g in doc["groups"] if g["id"].startswith("hwraid:"))
            with open(os.path.join(d, "arcconf-args")) as f:
                asked = sorted(set(l.strip() for l in f))
            probs = []
            if ids != ["hwraid:c2/ld0", "hwraid:ld0"]:
                probs.append("groups %r (%s)" % (ids, harness.tail(p.stderr)))
            if asked != ["GETCONFIG 1 AL", "GETCONFIG 2 AL", "GETSTATUS 1", "GETSTATUS 2"]:
                probs.append("arcconf was asked %r" % asked)
            return probs

        def arcconf_more_than_cap():
            d = os.path.join(tmp, "arc17")
            os.makedirs(os.path.join(d, "bin"))
            for f in os.listdir(TWO_ARCCONF):
                shutil.copy(os.path.join(TWO_ARCCONF, f), d)
            tool = os.path.join(d, "bin", "arcconf")
            with open(tool, "w") as f:
                f.write(ARCCONF_MANY.format(d=d))
            os.chmod(tool, 0o755)
            env = harness.test_env()
            env["PATH"] = os.path.join(d, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
            p = redmon(build, plugins, env, ["status", "--json"])
            doc = json.loads(p.stdout)
            groups = [g for g in doc["groups"] if g["id"].startswith("hwraid:")]
            with open(os.path.join(d, "arcconf-args")) as f:
                asked = set(l.strip() for l in f)
            want = {"GETCONFIG %d AL" % k for k in range(1, 17)} | {"GETSTATUS %d" % k for k in range(1, 17)}
            probs = []
            if asked != want:
                probs.append("arcconf was asked %s more, %s less than controllers 1-16" % (
                    sorted(asked - want), sorted(want - asked)))
            if len(groups) != 16:
                probs.append("%d groups, not 16: %s" % (len(groups), [g["id"] for g in groups]))
            silent = [g["id"] for g in groups if "1 controller not read (c17)" not in (g.get("reason") or "")]
            if silent:
                probs.append("groups not naming c17 as not read: %s (%r)" % (silent[:3], groups[0].get("reason")))
            if "more than 16 controllers" not in p.stderr:
                probs.append("the log does not say controllers are left out: %s" % harness.tail(p.stderr))
            return probs

        def no_tool():
            env = harness.test_env()
            p = redmon(build, plugins, env, ["check", "--empty", "ok"])
            # No tool is no failure: nothing found, which --empty ok turns into OK.
            if p.returncode != 0 or "no redundancy groups found" not in p.stdout:
                return ["without storcli: exit %d %r" % (p.returncode, p.stdout)]
            return []

        rep.run("hwraid/daemon-appeared-ok", appeared)
        rep.run("hwraid/daemon-degraded-critical", degraded)
        rep.run("hwraid/check-critical-status-json", check_critical)
        rep.run("hwraid/daemon-tool-hangs", hang)
        rep.run("hwraid/tool-prints-garbage", garbage)
        rep.run("hwraid/daemon-recovers", recovered)
        rep.run("hwraid/no-tool-no-group", no_tool)
        rep.run("hwraid/arcconf-every-controller", arcconf_every_controller)
        rep.run("hwraid/arcconf-more-than-16-controllers-named", arcconf_more_than_cap)
        rep.run("hwraid/megacli-only-without-storcli", megacli_alone)
        rep.check("hwraid/daemon-stops", harness.stop_daemon(proc, err))
        if os.geteuid() == 0 and shutil.which("runuser"):
            rep.run("hwraid/daemon-as-nobody-tool-as-root", as_nobody, build, tmp, fake, plugins)
        else:
            rep.skip("hwraid/daemon-as-nobody-tool-as-root", "needs root (to drop privileges)")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if os.environ.get("REDMON_KEEP_TMP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def as_nobody(build, tmp, fake, plugins):
    """`--user nobody`: the daemon drops to nobody, storcli64 still runs, as root, through
    the privileged helper (comm redmon-priv, the daemon's child) and the group appears."""
    os.chmod(tmp, 0o755)  # nobody reads the plugin; its own files go to a dir of its own
    mine = os.path.join(tmp, "nobody")
    os.makedirs(mine)
    os.chown(mine, NOBODY, NOBODY)
    fake.mode("ok")
    events = os.path.join(mine, "events.jsonl")
    err = tempfile.TemporaryFile()
    argv = [os.path.join(build, "redmon"), "daemon", "--plugin-dir", plugins, "--user", "nobody",
            "-o", "sink.t.type=json", "-o", "sink.t.path=" + events, "-o", "daemon.rescan_interval=1h",
            "-o", "daemon.state_dir=" + os.path.join(mine, "state"),
            "-o", "probe.hwraid.interval=1s", "-o", "probe.hwraid.timeout=2s"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                            env=fake.env())
    try:
        harness.EventWaiter(events, proc, err, STEP).wait_for([lambda e: group_event(e, "ok")])
        with open("/proc/%d/status" % proc.pid) as f:
            uid = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        helpers = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/status" % pid) as f:
                    st = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
            except OSError:
                continue
            if st.get("PPid") == str(proc.pid) and st.get("Name") == "redmon-priv":
                helpers.append(st)
        probs = []
        if uid != [str(NOBODY)] * 4:
            probs.append("the daemon runs as uid %r, not nobody" % uid)
        if len(helpers) != 1 or helpers[0].get("Uid", "").split()[:1] != ["0"]:
            probs.append("no root redmon-priv child: %r" % helpers)
        return probs + harness.stop_daemon(proc, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    run(args.build, rep)
    rep.exit()


if __name__ == "__main__":
    main()

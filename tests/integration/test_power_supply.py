#!/usr/bin/env python3
"""The power_supply probe: /sys/class/power_supply Mains supplies as one group.

A captured-style tree with two Mains supplies (and a battery without a `present`
attribute, which is not counted)
runs under `redmon daemon --root`, watched by inotify: PSU2 goes offline, reports
health Dead, is removed and comes back, and each step must give its events.  Names
and strings with quotes, newlines and non-UTF-8 bytes must come out as valid JSON
(docs/json.md: \\xNN).  The corpus power_supply case (a laptop: one AC adapter
offline and a battery discharging) is a 1+1 set on its last source.

Under --root, links planted to leave the root must not (the secret they aim at
is never read), and a supply that cannot be read, as nobody past chmod 000 or
through such a link, makes the set unknown, never silently smaller.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import TestError

GROUP = "power_supply:mains"
STEP_TIMEOUT = 5.0


def put(root, supply, attr, text):
    d = os.path.join(root, "sys", "class", "power_supply", supply)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, attr)
    data = text if isinstance(text, bytes) else text.encode()
    # Rewritten in place, as sysfs values change (same inode).
    with open(p, "wb") as f:
        f.write(data)


def build(root):
    for name in ("PSU1", "PSU2"):
        put(root, name, "type", "Mains\n")
        put(root, name, "online", "1\n")
        put(root, name, "health", "Good\n")
    put(root, "PSU1", "model_name", b'PWS-1K62A "1R"\n')
    put(root, "PSU1", "serial_number", b"P1\xff\xfeX\n")
    put(root, "BAT0", "type", "Battery\n")
    put(root, "BAT0", "status", "Charging\n")


def golden(rep, redmon):
    corpus = os.path.join(harness.CORPUS, "power_supply")
    if not os.path.isdir(corpus):
        rep.fail("power_supply/golden", "corpus folder %s not found" % corpus)
        return
    for case in sorted(os.listdir(corpus)):
        root = os.path.join(corpus, case)
        if not os.path.isfile(os.path.join(root, "expected.json")):
            continue

        def one(root=root):
            with open(os.path.join(root, "expected.json")) as f:
                exp = json.load(f)
            doc = redmon.status(root)
            got = [g for g in doc["groups"] if g["probe"] == "power_supply"]
            probes = {p["name"]: p for p in doc["probes"]}
            out = []
            if probes.get("power_supply", {}).get("status") != "ok":
                out.append("power_supply probe %r" % probes.get("power_supply"))
            # Compare with the corpus like tests/golden/golden.py does for md.
            if len(got) != len(exp["groups"]):
                out.append("%d groups, expected %d: %s" % (len(got), len(exp["groups"]), got))
            for e, g in zip(exp["groups"], got):
                for field, want in (("members_total", e.get("members_total")),
                                    ("members_ok", e.get("members_ok")),
                                    ("members_failed", e.get("members_failed")),
                                    ("margin", e.get("failures_tolerable"))):
                    if want is not None and g.get(field) != want:
                        out.append("%s expected %s, got %s" % (field, want, g.get(field)))
                state = harness.coarse_state(g)
                if state not in e.get("acceptable_states", [e["state"]]):
                    out.append("state expected %s, got %s" % (e["state"], state))
            return out
        rep.run("power_supply/golden/" + case, one)


SECRET = "s3cr3t-outside-the-root"
LEAD = "a link that leads nowhere in the root"
OUT = "a link out of its directory"


def group_of(doc):
    g = [x for x in doc["groups"] if x["id"] == GROUP]
    if not g:
        raise TestError("no %s: %s" % (GROUP, [x["id"] for x in doc["groups"]]))
    return g[0]


def member_problems(g, name, role, reason):
    m = [x for x in g["members"] if x["name"] == name]
    if not m:
        return ["no member %s: %s" % (name, [x["name"] for x in g["members"]])]
    out = [] if m[0]["role"] == role else ["%s role %s, expected %s" % (name, m[0]["role"], role)]
    if reason not in (m[0].get("reason") or ""):
        out.append("%s reason %r lacks %r" % (name, m[0].get("reason"), reason))
    if "%s: %s" % (name, reason) not in (g.get("reason") or ""):
        out.append("group reason %r lacks %s" % (g.get("reason"), name))
    return out


def links_out(rep, redmon):
    """--root: attribute links planted to leave the root (absolute, and ../
    past it) are refused (attributes are read beneath their directory), a
    class entry leading out resolves inside the root, to nothing: the secret
    is never read, and each such supply is an unknown member, so the set is."""
    d = tempfile.mkdtemp(prefix="rm-ps-esc-")
    try:
        out_dir = os.path.join(d, "outside")
        os.makedirs(out_dir)
        secret = os.path.join(out_dir, "secret")
        with open(secret, "w") as f:
            f.write(SECRET + "\n")
        root = os.path.join(d, "root")
        cls = os.path.join(root, "sys", "class", "power_supply")
        for name in ("PSU1", "PSU2", "PSU3", "PSU4"):
            put(root, name, "type", "Mains\n")
            put(root, name, "online", "1\n")
        up = "../" * 16 + secret.lstrip("/")
        os.symlink(secret, os.path.join(cls, "PSU2", "health"))  # followed, it would be the state
        os.unlink(os.path.join(cls, "PSU3", "online"))
        os.symlink(up, os.path.join(cls, "PSU3", "online"))
        os.unlink(os.path.join(cls, "PSU4", "type"))
        os.symlink(up, os.path.join(cls, "PSU4", "type"))
        os.symlink(out_dir, os.path.join(cls, "PSU5"))

        def one():
            p = redmon.run(["status", "--json", "--root", root])
            if SECRET in p.stdout or SECRET in p.stderr:
                return ["the secret outside the root was read: %s" % harness.tail(p.stdout)]
            g = group_of(json.loads(p.stdout))
            out = harness.group_problems(g, GROUP)
            if (g["health"], g["margin"], g["members_total"]) != ("unknown", None, 5):
                out.append("health/margin/total %s" % ((g["health"], g["margin"], g["members_total"]),))
            for name, why in (("PSU2", "health: " + OUT), ("PSU3", "online: " + OUT),
                              ("PSU4", "type: " + OUT), ("PSU5", "its directory: " + LEAD)):
                out += member_problems(g, name, "unknown", "unreadable: " + why)
            return out
        rep.run("power_supply/root/links-out-of-the-root", one)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def unreadable(rep, build):
    """A supply whose directory, type or online cannot be read (chmod 000,
    redmon run as nobody) is an unknown member and the set is unknown: never a
    set silently one supply smaller."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        rep.skip("power_supply/root/unreadable", "needs root and runuser(1) to run redmon as nobody")
        return
    d = tempfile.mkdtemp(prefix="rm-ps-perm-")
    os.chmod(d, 0o755)  # nobody must reach the tree; only the planted part is closed
    try:
        root = os.path.join(d, "root")
        for name in ("PSU1", "PSU2"):
            put(root, name, "type", "Mains\n")
            put(root, name, "online", "1\n")
        psu2 = os.path.join(root, "sys", "class", "power_supply", "PSU2")
        for what, path, why in (("directory", psu2, "type"), ("type", psu2 + "/type", "type"),
                                ("online", psu2 + "/online", "online")):
            def one(path=path, why=why):
                mode = os.stat(path).st_mode & 0o777
                os.chmod(path, 0)
                try:
                    c = harness.run_as_nobody(build, ["check", "--root", root], d)
                    p = harness.run_as_nobody(build, ["status", "--json", "--root", root], d)
                finally:
                    os.chmod(path, mode)
                out = []
                if c.returncode != 3 or "REDMON UNKNOWN" not in c.stdout:
                    out.append("check exited %d: %s" % (c.returncode, c.stdout.strip()))
                if p.returncode != 0:
                    return out + ["status exited %d: %s" % (p.returncode, harness.tail(p.stderr))]
                g = group_of(json.loads(p.stdout))
                if (g["health"], g["margin"], g["members_total"], g["members_ok"]) != ("unknown", None, 2, 1):
                    out.append("health/margin/total/ok %s" % (
                        (g["health"], g["margin"], g["members_total"], g["members_ok"]),))
                return out + member_problems(g, "PSU2", "unknown",
                                             "unreadable: %s: Permission denied" % why)
            rep.run("power_supply/root/unreadable-" + what, one)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    redmon = harness.Redmon(args.build)
    golden(rep, redmon)
    links_out(rep, redmon)
    unreadable(rep, args.build)
    if not os.path.exists(os.path.join(args.build, "plugins", "power_supply.so")):
        rep.fail("power_supply/daemon", "%s/plugins/power_supply.so is not built" % args.build)
        rep.exit()

    d = tempfile.mkdtemp(prefix="rm-ps-")
    root = os.path.join(d, "root")
    events = os.path.join(d, "events.jsonl")
    build(root)
    daemon = None
    try:
        def status_hostile():
            weird = b"AC\"\n\xc3\x28"
            put(root, os.fsdecode(weird), "type", "Mains\n")
            put(root, os.fsdecode(weird), "online", "1\n")
            p = redmon.run(["status", "--json", "--root", root])
            os.unlink(os.path.join(root, "sys", "class", "power_supply", os.fsdecode(weird), "type"))
            os.unlink(os.path.join(root, "sys", "class", "power_supply", os.fsdecode(weird), "online"))
            os.rmdir(os.path.join(root, "sys", "class", "power_supply", os.fsdecode(weird)))
            try:
                p.stdout.encode("utf-8")
                doc = json.loads(p.stdout)
            except (ValueError, UnicodeError) as e:
                return ["status output is not valid JSON/UTF-8: %s: %r" % (e, p.stdout[:300])]
            g = [x for x in doc["groups"] if x["id"] == GROUP]
            if not g:
                return ["no %s: %s" % (GROUP, [x["id"] for x in doc["groups"]])]
            g = g[0]
            out = harness.group_problems(g, GROUP)
            names = sorted(m["name"] for m in g["members"])
            if names != sorted(['AC"\n\\xC3(', "PSU1", "PSU2"]):
                out.append("member names %r" % names)
            psu1 = [m for m in g["members"] if m["name"] == "PSU1"][0]
            if psu1.get("serial") != "P1\\xFF\\xFEX":
                out.append("PSU1 serial %r" % psu1.get("serial"))
            if (g["type"], g["margin"], g["members_total"]) != ("2+1", 1, 3):
                out.append("type/margin/total %s" % ((g["type"], g["margin"], g["members_total"]),))
            return out
        rep.run("power_supply/hostile-strings-json", status_hostile)

        err = tempfile.TemporaryFile()
        daemon = subprocess.Popen([os.path.join(args.build, "redmon"), "daemon", "--root", root,
                                   "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                                   "-o", "daemon.rescan_interval=1h"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  env=harness.test_env())
        wait_for = harness.EventWaiter(events, daemon, err, STEP_TIMEOUT).wait_for

        def ev(kind, **kw):
            def p(e):
                g = e.get("group") or {}
                if e.get("event") != kind or g.get("id") != GROUP:
                    return False
                for k, v in kw.items():
                    got = g.get(k) if k in ("health", "margin", "reason") else (e.get("member") or {}).get(k)
                    if got != v:
                        return False
                return True
            return p

        def offline():
            wait_for([ev("group_appeared", health="ok", margin=1)])
            put(root, "PSU2", "online", "0\n")
            evs = wait_for([ev("health_changed", health="critical", margin=0),
                            ev("member_changed", name="PSU2", previous_role="active", role="failed")])
            g = [e["group"] for e in evs if (e.get("group") or {}).get("id") == GROUP][-1]
            return [] if "PSU2: offline (input lost)" in (g.get("reason") or "") else ["reason %r" % g.get("reason")]
        rep.run("power_supply/daemon/offline", offline)

        def dead():
            put(root, "PSU2", "online", "1\n")
            put(root, "PSU2", "health", "Dead\n")
            # online again but dead: still failed, no change of role or margin.
            time.sleep(0.5)
            put(root, "PSU2", "health", "Good\n")
            wait_for([ev("health_changed", health="ok", margin=1),
                      ev("member_changed", name="PSU2", previous_role="failed", role="active")])
            return []
        rep.run("power_supply/daemon/dead-then-good", dead)

        def removed():
            # Gone at once, as the kernel unregisters a device (rmtree alone
            # would let a scan see a half-removed directory).
            gone = os.path.join(d, "PSU2.gone")
            os.rename(os.path.join(root, "sys", "class", "power_supply", "PSU2"), gone)
            shutil.rmtree(gone)
            wait_for([ev("health_changed", health="critical", margin=0),
                      ev("member_changed", name="PSU2", previous_role="active", role="missing")])
            for name in ("type", "online", "health"):
                put(root, "PSU2", name, {"type": "Mains\n", "online": "1\n", "health": "Good\n"}[name])
            wait_for([ev("health_changed", health="ok", margin=1),
                      ev("member_changed", name="PSU2", previous_role="missing", role="active")])
            return []
        rep.run("power_supply/daemon/removed-counts-missing", removed)

        rep.run("power_supply/daemon/stops", harness.stop_daemon, daemon, err)
        daemon = None
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(d, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

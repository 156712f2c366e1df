#!/usr/bin/env python3
"""The Debian package: build it with `dpkg-buildpackage -us -uc -b` in a copy of
the tree, run lintian on it (no errors allowed; warnings are listed), and check
what it ships: the binary, every plugin, the unit, the udev rule, the MIB, the
example config as a conffile, the man pages, the bash completion, and the
maintainer scripts that create the system user.

With --install (root only; CI does it, the container is thrown away), the
package is then installed with `dpkg -i` on this host and the service checked
the way it runs: under systemd when systemd is PID 1, else started as the unit
would start it (root, the unit's capability bounding set, NoNewPrivileges,
NOTIFY_SOCKET; redmon drops itself to redmon with only CAP_NET_ADMIN and, with
no command registered, leaves no root process) against the
demo tree, with a private snmpd as AgentX master using the package's
snmpd.conf.d drop-in: READY=1, `redmon status` and an SNMP walk must show the
groups, and the shipped /etc/redmon/redmon.conf, unmodified, mails root: an
SMTP receiver (tests/integration/smtp_receiver.py) listens on 127.0.0.1:25,
where the config's smtp_url points, and must get the daemon's mail about the
demo tree's critical raid1 and `redmon test-alert --sink mail`'s, each with
RCPT TO:<root@localhost> and the severity in the subject (under systemd: the
test-alert only).  The package is purged afterwards (and the user removed if the test
created it).

Slow (a full build): CI runs it as its own step (.ci/run), not `make check`.
Prints PASS/FAIL lines and closes with `N passed, N failed`.
Set REDMON_KEEP_TMP=1 to keep the build directory.
"""

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import harness  # noqa: E402
from smtp_receiver import Receiver  # noqa: E402

BUILD_TIMEOUT = 1800
SKIP_DIRS = {".git", "build", "build-san", "__pycache__"}


def copy_tree(dst):
    def ignore(d, names):
        return [n for n in names if n in SKIP_DIRS and d == REPO or n == "__pycache__"]
    shutil.copytree(REPO, dst, symlinks=True, ignore=ignore)


def run(argv, cwd, timeout=600):
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, errors="replace", timeout=timeout,
                       env=dict(os.environ, LC_ALL="C.UTF-8"))
    return p.returncode, p.stdout


def wait_for(cond, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise harness.TestError("timed out after %ss waiting for %s" % (timeout, what))


def install_checks(rep, deb, tmp):
    """dpkg -i, the service as it runs, dpkg --purge."""
    if os.geteuid() != 0:
        rep.skip("packaging/install", "needs root")
        return
    had_user = subprocess.run(["getent", "passwd", "redmon"], stdout=subprocess.DEVNULL).returncode == 0
    had_state = os.path.isdir("/var/lib/redmon")  # a developer's runs as root use it too
    # node_exporter's textfile directory as Debian's prometheus-node-exporter makes it
    # (root's, 0755): the package must let the shipped textfile sink write there.
    made_textfile_dir = not os.path.isdir(TEXTFILE_DIR)
    if made_textfile_dir:
        os.makedirs(TEXTFILE_DIR, 0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    p = subprocess.run(["dpkg", "-i", deb], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env, timeout=300)
    try:
        if p.returncode != 0:
            rep.fail("packaging/install", "dpkg -i exit %d: %s" % (p.returncode, harness.tail(p.stdout)))
            return
        probs = []
        if subprocess.run(["getent", "passwd", "redmon"], stdout=subprocess.DEVNULL).returncode != 0:
            probs.append("no user redmon after dpkg -i")
        for d in ("/var/lib/redmon", "/var/log/redmon"):
            if not os.path.isdir(d) or pwd.getpwuid(os.stat(d).st_uid).pw_name != "redmon":
                probs.append("%s is not owned by redmon" % d)
        man = subprocess.run(["man", "-w", "redmon", "redmon.conf", "redmon-alerts"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if man.returncode != 0:
            probs.append("man -w: " + harness.tail(man.stdout))
        # Without -c every command reads the service's file, and says so.
        plain_env = {k: v for k, v in os.environ.items() if k != "REDMON_CONF"}
        cc = subprocess.run(["/usr/bin/redmon", "daemon", "--check-config"], env=plain_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if cc.returncode != 0 or "redmon: /etc/redmon/redmon.conf: OK" not in cc.stdout \
                or "reading /etc/redmon/redmon.conf" not in cc.stderr:
            probs.append("redmon daemon --check-config without -c: exit %d %r %r"
                         % (cc.returncode, cc.stdout, harness.tail(cc.stderr)))
        # The Nagios plugin as NRPE's snippet runs it, on the demo tree: CRITICAL, long output.
        demo = os.path.join(REPO, "tests", "fixtures", "demo")
        cr = subprocess.run(["/usr/lib/nagios/plugins/check_redmon", "-t", "9", "--root", demo],
                            env=plain_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
        if cr.returncode != 2 or not cr.stdout.startswith("REDMON CRITICAL - 4 groups") \
                or "md:md1 (raid1) critical" not in cr.stdout:
            probs.append("check_redmon on the demo tree: exit %d %r" % (cr.returncode, cr.stdout))
        if "check_redmon -t 9" not in open("/etc/nagios/nrpe.d/redmon.cfg").read():
            probs.append("the NRPE snippet does not run check_redmon")
        if shutil.which("logrotate"):
            lr = subprocess.run(["logrotate", "-d", "/etc/logrotate.d/redmon"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True)
            if lr.returncode != 0 or "error:" in lr.stdout:
                probs.append("logrotate -d /etc/logrotate.d/redmon: " + harness.tail(lr.stdout))
        else:
            probs.append("logrotate is not installed: the snippet is not checked")
        rep.check("packaging/install", probs)
        if os.path.isdir("/run/systemd/system"):
            rep.run("packaging/service_systemd", systemd_checks)
        else:
            rep.run("packaging/service_as_unit", emulated_unit, tmp)
    finally:
        subprocess.run(["dpkg", "--purge", "redmon"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env, timeout=300)
        if made_textfile_dir:
            shutil.rmtree(TEXTFILE_DIR, ignore_errors=True)
        if had_state and not os.path.isdir("/var/lib/redmon"):
            os.makedirs("/var/lib/redmon", 0o750)
        if not had_user:
            subprocess.run(["deluser", "--system", "--quiet", "redmon"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run(["delgroup", "--system", "--quiet", "redmon"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def systemd_checks():
    def active():
        r = subprocess.run(["systemctl", "is-active", "redmon"], stdout=subprocess.PIPE,
                           universal_newlines=True)
        return r.stdout.strip() == "active"
    wait_for(active, 60, "systemctl is-active redmon")
    probs = []
    show = subprocess.run(["systemctl", "show", "-p", "StatusText,MainPID", "redmon"],
                          stdout=subprocess.PIPE, universal_newlines=True).stdout
    if "groups:" not in show:
        probs.append("systemctl show: %r" % show)
    # The unit starts it as root; redmon drops itself before READY=1.
    pid = re.search(r"MainPID=(\d+)", show)
    if pid:
        probs += dropped_to_redmon(int(pid.group(1)))
    else:
        probs.append("no MainPID: %r" % show)
    st = subprocess.run(["/usr/bin/redmon", "status"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        universal_newlines=True)
    if st.returncode != 0 or "worst:" not in st.stdout:
        probs.append("redmon status: %s" % harness.tail(st.stdout))
    # The shipped mail sink (this host's groups may give the service nothing to mail).
    rx = start_smtp_on_25(tempfile.mkdtemp(prefix="redmon-smtp-"))
    try:
        probs += test_alert_mailed(rx)
    finally:
        rx.stop()
        shutil.rmtree(os.path.dirname(rx.dir), ignore_errors=True)
    return probs


def unit_bounding_set():
    """The unit's CapabilityBoundingSet= as setpriv's --bounding-set argument."""
    caps = []
    with open(os.path.join(REPO, "systemd", "redmon.service")) as f:
        for line in f:
            if line.startswith("CapabilityBoundingSet="):
                caps += line.split("=", 1)[1].split()
    return "-all," + ",".join("+" + c[len("CAP_"):].lower() for c in caps)


def dropped_to_redmon(pid):
    """The daemon runs as redmon with CAP_NET_ADMIN only; none of its processes is root."""
    probs = []
    uid = str(pwd.getpwnam("redmon").pw_uid)
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    if st["Uid"].split() != [uid] * 4 or int(st["CapEff"], 16) != 1 << 12:
        probs.append("daemon Uid %s CapEff %s" % (st["Uid"].split(), st["CapEff"].strip()))
    exe = os.readlink("/proc/%d/exe" % pid)

    def roots():
        left = []
        for d in os.listdir("/proc"):
            try:
                with open("/proc/%s/status" % d) as f:
                    s = dict(l.split(":", 1) for l in f if ":" in l)
                if os.readlink("/proc/%s/exe" % d) == exe and "0" in s["Uid"].split():
                    left.append(int(d))
            except (OSError, ValueError, KeyError):
                pass
        return left
    try:
        wait_for(lambda: not roots(), 10, "no root process of redmon (no command registered)")
    except harness.TestError:
        probs.append("root processes of redmon remain: %s" % roots())
    return probs


def mail_to_root(rx, what, subject_prefix, timeout=30):
    """The shipped [sink.mail] reached the receiver on 127.0.0.1:25: root, with the severity.

    mail_to = root goes as RCPT TO:<root@localhost> (src/mail_smtp.c: a local
    user is qualified with localhost, a local domain of every MTA's default).
    Returns (problems, the first matching message)."""
    try:
        wait_for(lambda: [m for m in rx.messages() if subject_prefix in m["data"]], timeout,
                 "%s at the SMTP receiver on 127.0.0.1:25" % what)
    except harness.TestError as e:
        return ["%s (it got %r)" % (e, [m["data"][:160] for m in rx.messages()])], None
    m = [m for m in rx.messages() if subject_prefix in m["data"]][0]
    probs = []
    if [r.split(":", 1)[-1] for r in m["rcpt"]] != ["<root@localhost>"]:
        probs.append("%s: RCPT %r, want <root@localhost>" % (what, m["rcpt"]))
    if not re.search(r"(?m)^Subject: " + re.escape(subject_prefix), m["data"]):
        probs.append("%s: no 'Subject: %s' in %r" % (what, subject_prefix, m["data"][:300]))
    return probs, m


def start_smtp_on_25(tmp):
    """The SMTP receiver where the shipped config sends: localhost port 25 (127.0.0.1 only)."""
    rx = Receiver(tmp, name="smtp25", port=25)
    try:
        rx.start()
    except RuntimeError as e:
        raise harness.TestError("cannot listen on 127.0.0.1:25 for the shipped mail sink (%s; "
                                "an MTA of this host?)" % e)
    return rx


def test_alert_mailed(rx):
    """`redmon test-alert --sink mail` with the shipped config reaches root."""
    plain_env = {k: v for k, v in os.environ.items() if k != "REDMON_CONF"}
    p = subprocess.run(["/usr/bin/redmon", "test-alert", "--sink", "mail"], env=plain_env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    probs = [] if p.returncode == 0 and "mail: ok" in p.stdout else [
        "redmon test-alert --sink mail: exit %d %s" % (p.returncode, harness.tail(p.stdout))]
    got, m = mail_to_root(rx, "test-alert's mail", "[redmon] INFO: ", timeout=10)
    if m and "X-Redmon-Event: test" not in m["data"]:
        got.append("test-alert's mail lacks X-Redmon-Event: test: %r" % m["data"][:300])
    return probs + got


def emulated_unit(tmp):
    """The unit's start without systemd: root, its bounding set, NoNewPrivileges; redmon drops itself."""
    for t in ("setpriv", "snmpd", "snmpwalk"):
        if not shutil.which(t):
            return ["%s is not installed" % t]
    e2e = os.path.join(tmp, "e2e")
    os.mkdir(e2e)
    os.chmod(tmp, 0o755)
    os.chmod(e2e, 0o755)
    root = os.path.join(e2e, "root")
    shutil.copytree(os.path.join(REPO, "tests", "fixtures", "demo"), root, symlinks=True)
    sock = os.path.join(e2e, "agentx", "master")
    os.mkdir(os.path.dirname(sock))
    port = free_port()
    conf = os.path.join(e2e, "snmpd.conf")
    with open(conf, "w") as f:
        f.write("[snmpd]\nagentaddress udp:127.0.0.1:%d\nmaster agentx\nagentXSocket unix:%s\n"
                # Debian's stock access: the community sees the systemonly view, which
                # the package's snippet widens to REDMON-MIB.
                "view systemonly included .1.3.6.1.2.1.1\n"
                "includeFile /etc/snmp/snmpd.conf.d/redmon.conf\n"
                "rocommunity public 127.0.0.1 -V systemonly\n"
                % (port, sock))
    snmpd = subprocess.Popen(["snmpd", "-f", "-Lo", "-C", "-c", conf], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    npath = os.path.join(e2e, "notify")
    notify.bind(npath)
    os.chmod(npath, 0o777)
    notify.settimeout(0.1)
    daemon = rx = None
    os.makedirs(os.path.dirname(CONTROL_SOCKET), mode=0o755, exist_ok=True)
    try:
        rx = start_smtp_on_25(e2e)
        wait_for(lambda: os.path.exists(sock), what="snmpd's AgentX socket")
        env = dict(os.environ, NOTIFY_SOCKET=npath, INVOCATION_ID="0" * 32)
        daemon = subprocess.Popen(
            ["setpriv", "--bounding-set=" + unit_bounding_set(), "--no-new-privs",
             "/usr/bin/redmon", "daemon", "-c", "/etc/redmon/redmon.conf", "--root", root,
             "-o", "daemon.state_dir=/var/lib/redmon", "-o", "snmp.agentx_socket=unix:" + sock,
             # On a captured tree redmon drops only to a user it is given, and opens the
             # control socket only where told (the unit's RuntimeDirectory= makes /run/redmon).
             "-o", "daemon.user=redmon", "-o", "daemon.socket=" + CONTROL_SOCKET],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
        msgs = []

        def ready():
            try:
                msgs.append(notify.recv(4096).decode())
            except socket.timeout:
                pass
            if daemon.poll() is not None:
                raise harness.TestError("daemon exited %d: %s" % (daemon.returncode,
                                        harness.tail(daemon.stderr.read().decode())))
            return any("READY=1" in m for m in msgs)
        wait_for(ready, 20, "READY=1")
        probs = []
        status = subprocess.run(["/usr/bin/redmon", "status", "--root", root], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True)
        if "md:md1" not in status.stdout:
            probs.append("redmon status: %s" % harness.tail(status.stdout))

        def walked():
            w = subprocess.run(["snmpwalk", "-v2c", "-c", "public", "-On", "-m", "",
                                "127.0.0.1:%d" % port, ".1.3.6.1.4.1.8072.9999.9999"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
            return w.stdout if '"md:md1"' in w.stdout else None
        try:
            wait_for(walked, 20, "the groups in an SNMP walk")
        except harness.TestError as e:
            probs.append(str(e))
        probs += dropped_to_redmon(daemon.pid)
        probs += control_socket_checks()
        # The shipped config's textfile sink, written by the dropped daemon.
        prom = os.path.join(TEXTFILE_DIR, "redmon.prom")
        try:
            wait_for(lambda: os.path.exists(prom), 10, prom)
            if pwd.getpwuid(os.stat(prom).st_uid).pw_name != "redmon":
                probs.append("%s is not written by redmon" % prom)
        except harness.TestError as e:
            probs.append("%s (the package's ACL on %s: %s)" % (
                e, TEXTFILE_DIR, subprocess.run(["getfacl", "-p", TEXTFILE_DIR],
                                                 capture_output=True, text=True).stdout.strip()))
        # The shipped mail sink, from the dropped daemon under NoNewPrivileges: the demo
        # tree's critical raid1 is mailed to root by SMTP, then test-alert goes the same way.
        got, m = mail_to_root(rx, "the daemon's mail about md:md1", "[redmon] CRITICAL: md:md1 on ")
        probs += got
        if m:
            print("# packaging: mail to root: MAIL %s RCPT %s, %s" % (
                m["from"], " ".join(m["rcpt"]), re.search(r"(?m)^Subject: .*$", m["data"]).group(0).strip()))
        spool = "/var/lib/redmon/spool/mail"
        if not os.path.isdir(spool) or pwd.getpwuid(os.stat(spool).st_uid).pw_name != "redmon":
            probs.append("%s is not the redmon user's directory" % spool)
        probs += test_alert_mailed(rx)
        return probs
    finally:
        if rx:
            rx.stop()
        for proc in (daemon, snmpd):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        notify.close()


TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"
CONTROL_SOCKET = "/run/redmon/redmon.sock"


def control_socket_checks():
    """The socket the daemon made as root before its drop: root:redmon 0660; a monitoring
    user in group redmon gets the daemon's view from `redmon check` with the shipped config."""
    probs = []
    try:
        st = os.stat(CONTROL_SOCKET)
    except OSError as e:
        return ["control socket: %s" % e]
    if stat.S_IMODE(st.st_mode) != 0o660 or grp.getgrgid(st.st_gid).gr_name != "redmon":
        probs.append("control socket mode %o group %s" % (stat.S_IMODE(st.st_mode), st.st_gid))
    p = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "redmon", "--clear-groups",
                        "/usr/bin/redmon", "check"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, env=dict(os.environ, REDMON_CONF="/etc/redmon/redmon.conf"))
    if p.returncode != 2 or "md:md1 critical" not in p.stdout or "scanning here" in p.stderr:
        probs.append("check as nobody:redmon: exit %d, %r, %r" % (p.returncode, p.stdout[:200], p.stderr[:300]))
    return probs


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    rep = harness.Reporter()
    tools = [t for t in ("dpkg-buildpackage", "lintian", "dpkg-deb") if not shutil.which(t)]
    if tools:
        rep.fail("packaging/tools", "missing %s (apt-get install dpkg-dev debhelper lintian)" % ", ".join(tools))
        print("%d passed, %d failed" % (rep.passed, rep.failed))
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="redmon-pkg-")
    try:
        src = os.path.join(tmp, "redmon")
        copy_tree(src)
        rc, out = run(["dpkg-buildpackage", "-us", "-uc", "-b"], src, BUILD_TIMEOUT)
        debs = [f for f in os.listdir(tmp) if re.match(r"redmon_.*\.deb$", f)]
        if rc != 0 or not debs:
            rep.fail("packaging/build", "dpkg-buildpackage exit %d: %s" % (rc, harness.tail(out, 15)))
            print("%d passed, %d failed" % (rep.passed, rep.failed))
            sys.exit(1)
        rep.ok("packaging/build")
        deb = os.path.join(tmp, debs[0])
        changes = [f for f in os.listdir(tmp) if f.endswith(".changes")][0]

        rc, out = run(["lintian", "--tag-display-limit", "0", "-I", changes], tmp)
        tags = [l for l in out.splitlines() if re.match(r"^[EWIPX]: ", l)]
        errors = [l for l in tags if l.startswith("E: ")]
        counts = {k: sum(1 for l in tags if l.startswith(k + ": ")) for k in "EWI"}
        print("lintian: %d errors, %d warnings, %d info" % (counts["E"], counts["W"], counts["I"]))
        for l in tags:
            print("  " + l)
        rep.check("packaging/lintian_no_errors", errors)

        rc, listing = run(["dpkg-deb", "-c", deb], tmp)
        files = set(re.sub(r"^\./", "/", l.split()[-1]) for l in listing.splitlines() if l.strip())
        want = ["/usr/bin/redmon", "/usr/lib/redmon/redmond", "/usr/lib/redmon/redmon-snmp.so",
                "/lib/systemd/system/redmon.service",
                "/etc/redmon/redmon.conf",
                "/usr/share/man/man8/redmon.8.gz", "/usr/share/man/man5/redmon.conf.5.gz",
                "/usr/share/man/man7/redmon-alerts.7.gz",
                "/usr/share/bash-completion/completions/redmon",
                "/lib/udev/rules.d/60-redmon.rules", "/etc/snmp/snmpd.conf.d/redmon.conf",
                "/usr/share/doc/redmon/examples/redmon.rules.yml", "/etc/logrotate.d/redmon",
                "/usr/lib/nagios/plugins/check_redmon", "/etc/nagios/nrpe.d/redmon.cfg",
                "/usr/share/icinga2/include/plugins-contrib.d/redmon.conf"]
        want += ["/usr/lib/redmon/plugins/%s.so" % p for p in
                 sorted(os.listdir(os.path.join(REPO, "plugins")))
                 if os.path.exists(os.path.join(REPO, "plugins", p, "module.mk"))
                 and p != "lib"]  # plugins/lib: sources compiled into the probes, no .so
        if os.path.exists(os.path.join(REPO, "mibs", "REDMON-MIB.txt")):
            want.append("/usr/share/snmp/mibs/REDMON-MIB.txt")
        # Every doc a message or the README points to: README.md's links into docs/.
        readme = open(os.path.join(REPO, "README.md")).read()
        for doc in sorted(set(re.findall(r"\(docs/([a-z_.]+\.md)", readme))):
            if not ({"/usr/share/doc/redmon/" + doc, "/usr/share/doc/redmon/" + doc + ".gz"} & files):
                want.append("/usr/share/doc/redmon/" + doc)
        rep.check("packaging/contents", ["missing %s" % f for f in want if f not in files])

        ctl = os.path.join(tmp, "control")
        run(["dpkg-deb", "-e", deb, ctl], tmp)
        probs = []
        conffiles = open(os.path.join(ctl, "conffiles")).read() if os.path.exists(os.path.join(ctl, "conffiles")) else ""
        if "/etc/redmon/redmon.conf" not in conffiles:
            probs.append("/etc/redmon/redmon.conf is not a conffile")
        postinst = open(os.path.join(ctl, "postinst")).read() if os.path.exists(os.path.join(ctl, "postinst")) else ""
        if "adduser --system" not in postinst:
            probs.append("postinst does not create the system user")
        if "deb-systemd-helper" not in postinst:
            probs.append("postinst does not enable the unit")
        if "setfacl -m u:redmon:rwx" not in postinst:
            probs.append("postinst does not let redmon write node_exporter's textfile directory")
        triggers = os.path.join(ctl, "triggers")
        if not os.path.exists(triggers) or "/var/lib/prometheus/node-exporter" not in open(triggers).read():
            probs.append("no trigger on node_exporter's textfile directory")
        rc, info = run(["dpkg-deb", "-f", deb, "Depends"], tmp)
        if "adduser" not in info:
            probs.append("Depends lacks adduser: %s" % info.strip())
        # Loaded with dlopen for HTTP and SMTP sinks and Redfish: dpkg-shlibdeps cannot see it.
        if "libcurl4" not in info:
            probs.append("Depends lacks libcurl4: %s" % info.strip())
        # The SNMP module (redmon-snmp.so) links net-snmp; dpkg-shlibdeps reads it there.
        if "libsnmp40" not in info:
            probs.append("Depends lacks libsnmp40 (from redmon-snmp.so): %s" % info.strip())
        # redmon runs without snmpd (it waits for it quietly): a suggestion, not a recommendation.
        rc, info = run(["dpkg-deb", "-f", deb, "Recommends", "Suggests"], tmp)
        if "Suggests: snmpd" not in info or "Recommends: snmpd" in info:
            probs.append("snmpd should be suggested, not recommended: %s" % info.strip())
        rep.check("packaging/maintscripts", probs)

        rc, unit = run(["dpkg-deb", "--fsys-tarfile", deb], tmp)
        rc, text = run(["sh", "-c", "dpkg-deb --fsys-tarfile '%s' | tar -xOf - ./lib/systemd/system/redmon.service" % deb], tmp)
        rep.check("packaging/unit_execstart",
                  [] if "ExecStart=/usr/bin/redmon daemon" in text else ["ExecStart in the packaged unit: %r" % text[:300]])
        if "--install" in sys.argv[1:]:
            install_checks(rep, deb, tmp)
    finally:
        if os.environ.get("REDMON_KEEP_TMP"):
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (rep.passed, rep.failed))
    rep.exit()


if __name__ == "__main__":
    main()

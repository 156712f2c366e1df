#!/usr/bin/env python3
"""The subagent's AgentX stream, byte for byte, against a master written here
by RFC 2741 (no snmpd): the Get and GetNext that redmon answers without
net-snmp (src/snmp/agentx_stream.h) in both byte orders, whole, one byte at a
time and two in one write; a Get in another context passed to net-snmp and
answered by it on the same stream; values as REDMON-MIB defines them.
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import harness
from alerts_harness import Tree

NAME = "integration/agentx-raw/"
ROOT = (1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7336)
VERSION_OID = ROOT + (1, 1, 1, 0)      # redmonAgentVersion.0
HEALTH_OID = ROOT + (1, 1, 2)          # redmonOverallHealth
GROUPS_OID = ROOT + (1, 1, 3, 0)       # redmonGroupCount.0
GROUP_NAME = ROOT + (1, 2, 1, 4)       # redmonGroupName (a column of redmonGroupEntry)
OPEN, REGISTER, GET, GETNEXT, RESPONSE = 1, 3, 5, 6, 18
NBO, CONTEXT = 0x10, 0x08
OCTETS, GAUGE, NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB = 4, 66, 128, 129, 130


def enc_oid(oid, include=False, net=True):
    e = ">" if net else "<"
    prefix = 0
    if len(oid) >= 5 and oid[:4] == (1, 3, 6, 1) and 0 < oid[4] < 256:
        prefix, oid = oid[4], oid[5:]
    return bytes([len(oid), prefix, int(include), 0]) + b"".join(struct.pack(e + "I", x) for x in oid)


def pdu(ptype, packet_id, payload, net=True, flags=0, session=1):
    e = ">" if net else "<"
    return bytes([1, ptype, flags | (NBO if net else 0), 0]) + struct.pack(
        e + "IIII", session, 77, packet_id, len(payload)) + payload


def request(ptype, packet_id, ranges, net=True, context=None):
    """A Get or GetNext with (start, end, include) ranges."""
    body = b""
    flags = 0
    if context is not None:
        flags = CONTEXT
        c = context.encode()
        body += struct.pack(">I" if net else "<I", len(c)) + c + b"\0" * ((4 - len(c) % 4) % 4)
    for start, end, incl in ranges:
        body += enc_oid(start, incl, net) + enc_oid(end or (), False, net)
    return pdu(ptype, packet_id, body, net, flags)


class Master:
    """One AgentX connection: PDUs read whole; the subagent's own requests
    (Open, Register, Notify, Ping) acknowledged as they come."""

    def __init__(self, conn):
        self.conn = conn
        self.buf = b""
        self.responses = []
        self.seen = []

    def read_pdu(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 20:
                net = self.buf[2] & NBO
                plen = struct.unpack(">I" if net else "<I", self.buf[16:20])[0]
                if len(self.buf) >= 20 + plen:
                    p, self.buf = self.buf[:20 + plen], self.buf[20 + plen:]
                    return p
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.conn.settimeout(left)
            try:
                chunk = self.conn.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise harness.TestError("the subagent closed the AgentX connection")
            self.buf += chunk

    def serve(self, timeout):
        """Handle one PDU: a Response is kept; a request of the subagent's is acknowledged."""
        p = self.read_pdu(timeout)
        if p is None:
            return False
        net = p[2] & NBO
        e = ">" if net else "<"
        session, trans, packet, _ = struct.unpack(e + "IIII", p[4:20])
        self.seen.append(p[1])
        if p[1] == RESPONSE:
            self.responses.append(p)
        else:
            ack = struct.pack(e + "IHH", 0, 0, 0)
            self.conn.sendall(bytes([1, RESPONSE, p[2] & NBO, 0]) + struct.pack(
                e + "IIII", 42 if p[1] == OPEN else session, trans, packet, len(ack)) + ack)
        return True

    def response_to(self, packet_id, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.responses:
                net = p[2] & NBO
                if struct.unpack(">I" if net else "<I", p[12:16])[0] == packet_id:
                    self.responses.remove(p)
                    return p
            self.serve(deadline - time.monotonic())
        raise harness.TestError("no Response to packet %d" % packet_id)


def dec_oid(b, net):
    e = ">" if net else "<"
    n, prefix, include = b[0], b[1], b[2]
    subs = [struct.unpack(e + "I", b[4 + 4 * i:8 + 4 * i])[0] for i in range(n)]
    oid = ((1, 3, 6, 1, prefix) if prefix else ()) + tuple(subs)
    return oid, 4 + 4 * n


def varbinds(p):
    """(error, [(type, oid, value)]) of a Response."""
    net = p[2] & NBO
    e = ">" if net else "<"
    i = 20
    if p[2] & CONTEXT:
        ln = struct.unpack(e + "I", p[i:i + 4])[0]
        i += 4 + ln + (4 - ln % 4) % 4
    err = struct.unpack(e + "H", p[i + 4:i + 6])[0]
    out, i = [], i + 8
    while i < len(p):
        vtype = struct.unpack(e + "H", p[i:i + 2])[0]
        oid, n = dec_oid(p[i + 4:], net)
        i += 4 + n
        value = None
        if vtype in (2, 65, 66, 67):
            value = struct.unpack(e + "I", p[i:i + 4])[0]
            i += 4
        elif vtype == OCTETS:
            ln = struct.unpack(e + "I", p[i:i + 4])[0]
            value = p[i + 4:i + 4 + ln]
            i += 4 + ln + (4 - ln % 4) % 4
        elif vtype not in (5, NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB):
            raise harness.TestError("a varbind of type %d" % vtype)
        out.append((vtype, oid, value))
    return err, out


def main():
    args = harness.parse_args(__doc__.splitlines()[0])
    rep = harness.Reporter()
    probes = os.path.join(args.build, "tests", "probes")
    version = subprocess.run([os.path.join(args.build, "redmon"), "--version"], capture_output=True, text=True,
                             timeout=30).stdout.split()[1].encode()
    tmp = tempfile.mkdtemp(prefix="rm-ax-", dir="/tmp")  # sun_path is short
    sock_path = os.path.join(tmp, "ax.sock")
    root = os.path.join(tmp, "root")
    os.makedirs(root)
    Tree(root).set(("md0", 1, 1, [("sda", "active"), ("sdb", "active")]),
                   ("md1", 1, 1, [("sdc", "active"), ("sdd", "active")]))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    listener.settimeout(30)
    events = os.path.join(tmp, "events.jsonl")
    err = open(os.path.join(tmp, "daemon.err"), "w")
    proc = subprocess.Popen([os.path.join(args.build, "redmon"), "daemon", "--root", root, "--plugin-dir", probes,
                             "-o", "probe.cmd.enabled=no", "-o", "sink.t.type=json", "-o", "sink.t.path=" + events,
                             "-o", "snmp.enabled=yes", "-o", "snmp.agentx_socket=unix:" + sock_path,
                             "-o", "snmp.state_file=" + os.path.join(tmp, "snmp-index")],
                            stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=harness.test_env())
    err.close()
    conn = None
    try:
        conn, _ = listener.accept()
        m = Master(conn)
        # Open and Register acknowledged; then wait until both groups are rows.
        deadline = time.monotonic() + 30
        while REGISTER not in m.seen and time.monotonic() < deadline:
            m.serve(1.0)
        ids = iter(range(100, 10000))

        flags = []  # of each Response to ask()

        def ask(ptype, ranges, net=True, context=None):
            pid = next(ids)
            conn.sendall(request(ptype, pid, ranges, net, context))
            r = m.response_to(pid)
            flags.append(r[2])
            return varbinds(r)

        while time.monotonic() < deadline:
            _, vb = ask(GET, [(GROUPS_OID, None, False)])
            if vb and vb[0][2] == 2:
                break
            time.sleep(0.1)

        def get_and_getnext():
            out = []
            for net in (True, False):
                e, vb = ask(GETNEXT, [(ROOT, None, False)], net)
                if e or vb != [(OCTETS, VERSION_OID, version)]:
                    out.append("GetNext from the root (%s order): %r %r" % ("network" if net else "host", e, vb))
                # redmon's encoder answers in network byte order; net-snmp's in the request's.
                if not flags[-1] & NBO:
                    out.append("a %s-order GetNext was answered by net-snmp, not from the stream" %
                               ("network" if net else "host"))
                e, vb = ask(GET, [(GROUPS_OID, None, False), (ROOT + (1, 1, 99, 0), None, False),
                                  (GROUP_NAME + (999,), None, False)], net)
                want = [(GAUGE, GROUPS_OID, 2), (NO_SUCH_OBJECT, ROOT + (1, 1, 99, 0), None),
                        (NO_SUCH_INSTANCE, GROUP_NAME + (999,), None)]
                if e or vb != want:
                    out.append("Get (%s order): %r, want %r" % ("network" if net else "host", vb, want))
            # The end of a range is exclusive: the next object after the version is past it.
            e, vb = ask(GETNEXT, [(VERSION_OID, HEALTH_OID, False), (VERSION_OID, None, True)])
            if vb != [(END_OF_MIB, VERSION_OID, None), (OCTETS, VERSION_OID,
                                                        version)]:
                out.append("GetNext with an end, and an included start: %r" % vb)
            e, vb = ask(GETNEXT, [(GROUP_NAME, None, False), (GROUP_NAME + (1,), None, False)])
            names = [v[2] for v in vb]
            if [v[0] for v in vb] != [OCTETS, OCTETS] or sorted(names) != [b"md0", b"md1"] or \
                    vb[0][1] >= vb[1][1]:
                out.append("GetNext through redmonGroupName: %r" % vb)
            return out
        rep.run(NAME + "get-and-getnext-both-byte-orders", get_and_getnext)

        def split_writes():
            out = []
            pid = next(ids)
            b = request(GETNEXT, pid, [(ROOT, None, False)])
            for i in range(len(b)):
                conn.sendall(b[i:i + 1])
                time.sleep(0.002)
            _, vb = varbinds(m.response_to(pid))
            if not vb or vb[0][1] != VERSION_OID:
                out.append("a GetNext sent a byte at a time: %r" % vb)
            # Two in one write: ours, then one in another context for net-snmp.
            a, c = next(ids), next(ids)
            conn.sendall(request(GET, a, [(GROUPS_OID, None, False)]) +
                         request(GET, c, [(GROUPS_OID, None, False)], context="other"))
            _, vb = varbinds(m.response_to(a))
            if vb != [(GAUGE, GROUPS_OID, 2)]:
                out.append("the first of two in one write: %r" % vb)
            r = m.response_to(c)
            err_, vb = varbinds(r)
            # net-snmp's answer: REDMON-MIB is registered in the default context only.
            if not (r[2] & CONTEXT) or vb != [(NO_SUCH_OBJECT, GROUPS_OID, None)]:
                out.append("a Get in context 'other': error %d %r" % (err_, vb))
            # The stream is still in step: one more of ours.
            _, vb = ask(GET, [(GROUPS_OID, None, False)])
            if vb != [(GAUGE, GROUPS_OID, 2)]:
                out.append("after net-snmp's turn: %r" % vb)
            return out
        rep.run(NAME + "split-and-joined-writes-and-other-context", split_writes)
    except (harness.TestError, OSError) as e:
        rep.fail(NAME + "setup", "%s; daemon: %s" % (e, harness.tail(open(os.path.join(tmp, "daemon.err")).read())))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if conn:
            conn.close()
        listener.close()
        shutil.rmtree(tmp, ignore_errors=True)
    rep.exit()


if __name__ == "__main__":
    main()

"""testdata/replay-loopback (recorded on the project's VM: HTTP over
127.0.0.1 and ::1, UDP over both, refused connects, UDP to nobody, clients
that exit within milliseconds) replayed through a real Zeek:

- every connection in conn.log that a host process made or accepted names
  that process (pid, exe, argv, puid) at its end; the ends no process had
  (refused, nobody listening, the kernel's ICMP answers) name nobody, and
  the test says how many there are and why;
- every host event is in its zagent-*.log at its recorded time;
- two runs with the same seeds give byte-identical logs.

    python3 tests/zeek/replay_loopback.py BUILD_DIR

Exits 77 (skipped, for ctest) without zeek on PATH.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replaycheck as rc  # noqa: E402
from zeektest import ROOT, Expectations, logs, main, need_zeek, same_logs  # noqa: E402

DATA = os.path.join(ROOT, "testdata", "replay-loopback")

PY = "/usr/bin/python3"
SERVER = {18080: [PY, "-m", "http.server", "18080", "--bind", "127.0.0.1"],
          18090: [PY, "-m", "http.server", "18090", "--bind", "::1"]}

# By responder port (testdata/replay-loopback/scenario.sh): the connections
# the capture holds, as (proto, address family, originator's exes,
# responder's argv[0], or None where no process owned the responder's end).
EXPECTED = {
    18080: ("tcp", 4, ["/usr/bin/bash", "/usr/bin/curl"], PY),
    18090: ("tcp", 6, ["/usr/bin/bash", "/usr/bin/curl"], PY),
    18081: ("tcp", 4, ["/usr/bin/python3.11"], None),   # refused: nothing listens
    18091: ("tcp", 6, ["/usr/bin/bash"], None),         # refused over IPv6
    18053: ("udp", 4, ["/usr/bin/python3.11"], PY),     # echo: one process, both ends
    18063: ("udp", 6, ["/usr/bin/python3.11"], PY),
    18054: ("udp", 4, ["/usr/bin/bash"], None),         # nobody: ICMP port unreachable
}


def side(c, end):
    return {k[len(f"zagent_{end}_"):]: v for k, v in c.items() if k.startswith(f"zagent_{end}_")}


def check_conn(expect, directory):
    conns = logs(directory, "conn")
    execs = rc.exec_puids(directory)
    exits = {p["puid"] for p in logs(directory, "zagent-process") if p["action"] == "exit"}
    by_port = rc.conn_by_resp_port(directory)
    unattributed = []
    for port, (proto, family, orig_exes, resp_argv0) in EXPECTED.items():
        got = by_port.get(port, [])
        expect.expect(f"{port}: connections", len(got), len(orig_exes))
        expect.expect(f"{port}: originators' exes", sorted(side(c, "orig")["exe"] or "" for c in got), orig_exes)
        for c in got:
            what = f"{proto} {c['id.orig_h']}:{c['id.orig_p']} -> {c['id.resp_h']}:{port}"
            expect.expect(f"{what}: proto", c["proto"], proto)
            expect.expect(f"{what}: family", 6 if ":" in c["id.orig_h"] else 4, family)
            orig, resp = side(c, "orig"), side(c, "resp")
            for end, ends in (("orig", orig), ("resp", resp)):
                if ends["puid"] is None:
                    continue
                p = execs.get(ends["puid"])
                expect.check(f"{what}: {end} puid {ends['puid']} has no exec in zagent-process.log", p is not None)
                if p:
                    expect.expect(f"{what}: {end} pid = its exec's", ends["pid"], p["pid"])
                    expect.expect(f"{what}: {end} argv = its exec's", ends["argv"], p["argv"])
            # A client that lives milliseconds: it has exited, and its exec
            # still names it.
            if orig["exe"] == "/usr/bin/bash":
                expect.check(f"{what}: the bash client's exit is not logged", orig["puid"] in exits)
                expect.expect(f"{what}: bash argv[:2]", (orig["argv"] or [])[:2], ["bash", "-c"])
            if resp_argv0 is None:
                expect.expect(f"{what}: responder", resp["pid"], None)
                unattributed.append((what, "responder", c["conn_state"]))
                continue
            expect.expect(f"{what}: responder argv[0]", (resp["argv"] or [None])[0], resp_argv0)
            if port in SERVER:
                expect.expect(f"{what}: responder argv", resp["argv"], SERVER[port])
            if proto == "udp":
                expect.expect(f"{what}: one process at both ends", resp["pid"], orig["pid"])
    for c in conns:
        if c["id.resp_p"] not in EXPECTED:
            expect.check(f"{c['proto']} conn on port {c['id.resp_p']}: not in the scenario"
                         f" ({c['id.orig_h']} -> {c['id.resp_h']})", c["proto"] == "icmp")
            expect.expect(f"icmp {c['id.orig_h']} -> {c['id.resp_h']}: orig", side(c, "orig")["pid"], None)
            unattributed.append((f"icmp {c['id.orig_h']} -> {c['id.resp_h']} type {c['id.orig_p']}",
                                 "both ends", "the kernel's ICMP answer: no socket, no process"))
    return conns, unattributed


def test():
    need_zeek()
    expect = Expectations()
    with tempfile.TemporaryDirectory() as work:
        r = rc.Replay(DATA, work)
        one = r.run("one")
        conns, unattributed = check_conn(expect, one)
        rc.check_logged(expect, r.events, one)
        missing = sum(2 if end == "both ends" else 1 for _, end, _ in unattributed)
        print(f"{len(conns)} connections, {2 * len(conns)} ends, {2 * len(conns) - missing} attributed;"
              f" not attributed:")
        for what, end, why in unattributed:
            print(f"  {what}: {end} ({why})")
        expect.done(f"ok: every end a host process had is attributed; all {len(r.events)} events logged")
        names = same_logs(one, r.run("two"))
        print(f"ok: a second run gives the same {len(names)} logs")


if __name__ == "__main__":
    main(test)

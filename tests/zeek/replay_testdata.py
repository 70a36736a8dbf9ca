"""The card's pipe on testdata/replay-basic, through a real Zeek:

    zagent-replay testdata/replay-basic/journal.zst | zeek -C -r testdata/replay-basic/trace.pcap -

- conn.log names the processes at both ends of each connection of the
  capture (exact pid, exe, argv, user id, and the puid that links it to
  zagent-process.log); nobody at the refused connect's responder;
- every host event of the journal is in its zagent-*.log once, at its
  recorded time, with its fields;
- a second run with the first run's seeds (zeek -H, then -G) gives
  byte-identical logs, apart from #open/#close;
- the replay without packets (zeek - alone) raises every event too;
- with --no-prelude, the installed package (@load zagent) gives the same logs.

    python3 tests/zeek/replay_testdata.py BUILD_DIR

Exits 77 (skipped, for ctest) without zeek on PATH.
"""

import collections
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replaycheck as rc  # noqa: E402
from zeektest import ROOT, Expectations, main, need_zeek, same_logs  # noqa: E402

DATA = os.path.join(ROOT, "testdata", "replay-basic")

# What testdata/replay-basic/README.md says happened, as conn.log must show it.
CURL_ARGV = ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:18080/hello.txt"]
SERVER_ARGV = ["/usr/bin/python3", "-m", "http.server", "18080", "--bind", "127.0.0.1"]


def check_conn(expect, directory):
    conns = rc.conn_by_resp_port(directory)
    execs = rc.exec_puids(directory)
    expect.expect("connections by responder port", sorted((p, len(c)) for p, c in conns.items()),
                  [(18053, 1), (18080, 1), (18081, 1)])

    def end(c, side):
        fields = {k[len(f"zagent_{side}_"):]: v for k, v in c.items() if k.startswith(f"zagent_{side}_")}
        return collections.defaultdict(lambda: None, fields)

    def expect_end(what, got, pid, exe, argv):
        expect.expect(f"{what} pid", got["pid"], pid)
        expect.expect(f"{what} exe", got["exe"], exe)
        expect.expect(f"{what} argv", got["argv"], argv)
        expect.expect(f"{what} host", got["host"], "vm")
        expect.expect(f"{what} user id", got["user_id"], 0)
        process = execs.get(got["puid"])
        expect.check(f"{what} puid {got['puid']} names no exec in zagent-process.log", process is not None)
        if process:
            expect.expect(f"{what} puid's pid", process["pid"], pid)

    http = conns.get(18080, [{}])[0]
    expect.expect("http 5-tuple", (http.get("id.orig_h"), http.get("id.orig_p"), http.get("proto")),
                  ("127.0.0.1", 49838, "tcp"))
    expect_end("http orig", end(http, "orig"), 27536, "/usr/bin/curl", CURL_ARGV)
    expect_end("http resp", end(http, "resp"), 27534, "/usr/bin/python3.11", SERVER_ARGV)

    udp = conns.get(18053, [{}])[0]
    expect.expect("udp 5-tuple", (udp.get("id.orig_h"), udp.get("id.orig_p"), udp.get("proto")),
                  ("127.0.0.1", 33419, "udp"))
    for side in ("orig", "resp"):
        got = end(udp, side)
        expect.expect(f"udp {side} pid", got["pid"], 27541)
        expect.expect(f"udp {side} argv[0]", (got["argv"] or [None])[0], "/usr/bin/python3")

    refused = conns.get(18081, [{}])[0]
    expect.expect("refused conn_state", refused.get("conn_state"), "REJ")
    expect.expect("refused orig pid", end(refused, "orig")["pid"], 27539)
    expect.expect("refused resp", {k: v for k, v in end(refused, "resp").items() if v is not None}, {})


def test():
    need_zeek()
    expect = Expectations()
    with tempfile.TemporaryDirectory() as work:
        r = rc.Replay(DATA, work)
        one, two = r.run("one"), r.run("two")
        check_conn(expect, one)
        rc.check_logged(expect, r.events, one)
        expect.done(f"ok: conn.log names both ends; all {len(r.events)} events logged at their times")

        names = same_logs(one, two)
        print(f"ok: a second run gives the same {len(names)} logs ({', '.join(names)})")

        expect = Expectations()
        rc.check_logged(expect, r.events, r.run("bare", packets=False))
        expect.done("ok: without packets every event is raised and logged")

        # The installed package instead of the embedded one: zeek/ on
        # ZEEKPATH stands in for zkg's install (its alias is zagent).
        site = os.path.join(work, "site")
        os.makedirs(site)
        os.symlink(os.path.join(ROOT, "zeek"), os.path.join(site, "zagent"))
        os.environ["ZEEKPATH"] = site + ":" + os.popen("zeek-config --zeekpath").read().strip()
        script = rc.write_script(r.replay, r.journal, os.path.join(work, "no-prelude.zeek"), "--no-prelude")
        same_logs(one, r.run("no-prelude", script=script))
        print("ok: --no-prelude (@load zagent) gives the same logs")


if __name__ == "__main__":
    main(test)

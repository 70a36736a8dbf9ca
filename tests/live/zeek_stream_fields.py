"""The host event stream's events against `zagent-replay --format json` of
the same journal, and every bad acknowledgement (docs/protocol.md, "zagent's
host event stream"), with a python3-broker peer in the role of Zeek:

- a subscriber of every kind gets, over a seq range, exactly the events
  the journal holds in that range, each line "KIND<TAB>SECONDS<TAB>JSON"
  equal field by field to the replay JSON of the same seq (ts in seconds
  with 9 digits, ports as "N/proto", counters as name/value pairs, boot_id
  besides), covering the test's exec, its TCP connect and the agent's own
  sensor events;
- a subscriber of process_exec only gets the same exec lines and nothing
  else;
- acknowledgements beyond the newest seq sent, going backwards, of the
  wrong type, with a wrong argument count, for an unknown subscriber and
  under a bad name each get ZAgent::error_v1 with its exact reason, and
  change nothing: the acknowledged position on disk stays, and the stream
  goes on right after the last good acknowledgement, nothing skipped or
  repeated.

    /usr/bin/python3 tests/live/zeek_stream_fields.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import decimal
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_broker import run_test  # noqa: E402  (exits 77 without python3-broker)
import broker  # noqa: E402
from zeek_agent_websocket import AGENT_ID, Failure, check  # noqa: E402
from stream_peer import STREAM, StreamRun, collect, execs, run_marked  # noqa: E402


def replay_events(build, journal):
    """seq -> the event as `zagent-replay --format json` prints it."""
    out = subprocess.run([os.path.join(build, "replay", "zagent-replay"), "--format", "json", journal],
                         capture_output=True, check=True).stdout
    events = (json.loads(line) for line in out.decode("utf-8", "surrogateescape").splitlines() if line)
    return {e["seq"]: e for e in events}


def as_replay_json(kind, seconds, text):
    """A stream line's event in the shape of `zagent-replay --format json`:
    what the two encodings write differently (docs/zeek.md, "Replay JSON")
    undone."""
    z = json.loads(text, parse_float=decimal.Decimal)
    ts = decimal.Decimal(seconds)
    check(f"seq {z['seq']}: the line's SECONDS is its ts", z["ts"], ts)
    z["ts"] = int(ts * 1_000_000_000)
    z.pop("boot_id")
    for key in ("local_port", "remote_port"):
        if key in z:
            number, proto = z[key].split("/")
            check(f"seq {z['seq']}: {key}'s protocol", proto, z["protocol"] if z["protocol"] in ("tcp", "udp") else "unknown")
            z[key] = int(number)
    if "counters" in z:
        z["counters"] = {c["name"]: c["value"] for c in z["counters"]}
    # The KIND names the type (the replay JSON's "type"); "time" is ts again.
    z["type"] = kind
    return z


def main(build):
    with StreamRun(build, "zagent-stream-fields-") as run:
        peer, state = run.peer, run.state
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        peer.expect("ZeekAgentAPI::agent_hello_v1")
        run.wait_recording()
        peer.hello()
        peer.subscribe("zall", set())
        peer.subscribe("zexec", {"process_exec"})
        port = listener.getsockname()[1]
        # Sockets of the test's port only, by an SQL condition; execs whole.
        condition = f"remote_port = {port} OR local_port = {port}"
        peer.send("ZAgent::subscribe_v1", "zport", {"socket", "process_exec"}, broker.Count(100000),
                  {"socket": condition}, topic=STREAM)
        child = subprocess.Popen(["/usr/bin/python3", "-c",
                                  f"import socket; socket.create_connection(('127.0.0.1', {port})).close()"])
        listener.accept()[0].close()
        child.wait()
        pid, argv = run_marked("fields")
        # Batches of both subscribers interleave: sort them by topic.
        got = {"zall": [], "zexec": [], "zport": []}
        ranges = {}
        end = time.monotonic() + 20
        while time.monotonic() < end and not all(
                any(p == pid for _, p, _ in execs(got[n])) for n in got):
            topic, name, args = peer.next_batch()
            check("only batches", name, "ZAgent::events_v1")
            sub = args[1]
            check("the batch on its subscriber's topic", topic, f"/zagent/stream/{sub}/{AGENT_ID}")
            a, b = args[2].value, args[3].value
            if sub in ranges and a != ranges[sub][1] + 1:
                raise Failure(f"{sub}: batch {a}-{b} after {ranges[sub][1]}")
            ranges[sub] = (ranges.get(sub, (a, 0))[0], b)
            got[sub] += [tuple(l.split("\t", 2)) for l in args[4].split("\n")] if args[4] else []
        first, last = ranges["zall"]
        # The stream sends what the writer has not flushed yet: wait for
        # the journal on disk to hold the range.
        end = time.monotonic() + 10
        while max(journal := replay_events(build, run.journal), default=0) < last and time.monotonic() < end:
            time.sleep(0.3)
        want = {seq: e for seq, e in journal.items() if first <= seq <= last}
        streamed = [as_replay_json(*line) for line in got["zall"]]
        check("zall: the journal's events of its range, in seq order, once",
              [z["seq"] for z in streamed], sorted(want))
        for z in streamed:
            check(f"zall: seq {z['seq']} field by field", z, {k: v for k, v in want[z["seq"]].items() if k != "time"})
        kinds = {z["type"] for z in streamed}
        connect = [z for z in streamed if z["type"] == "socket" and z["action"] == "connect"
                   and z["remote_port"] == port and z["pid"] == child.pid]
        check("zall holds the test's connect, the exec and a sensor event",
              (len(connect), any(z["pid"] == pid and z["argv"] == argv for z in streamed if z["type"] == "process_exec"),
               "sensor" in kinds), (1, True, True))
        zexec_first, zexec_last = ranges["zexec"]
        check("zexec: only process_exec lines", {k for k, _, _ in got["zexec"]}, {"process_exec"})
        check("zexec: every exec of its range, the same lines as zall's",
              [l for l in got["zexec"] if first <= json.loads(l[2])["seq"] <= last],
              [l for l in got["zall"] if l[0] == "process_exec" and zexec_first <= json.loads(l[2])["seq"] <= zexec_last])

        def seq_of(line):
            return json.loads(line[2])["seq"]

        def in_range(sub, line):
            return ranges[sub][0] <= seq_of(line) <= ranges[sub][1]
        zport = [l for l in got["zport"] if in_range("zall", l)]
        check("zport: the sockets of the test's port, and every exec, of zall's lines",
              zport, [l for l in got["zall"] if in_range("zport", l) and (
                  l[0] == "process_exec" or (l[0] == "socket" and f'"{port}/tcp"' in l[2]))])
        # The listener shows as listen, or as existing when the agent's
        # first snapshot came after it (or both, when it was made between
        # the sensors' start and that snapshot).
        actions = sorted(json.loads(l[2])["action"] for l in zport if l[0] == "socket")
        check("zport: the test's connect, accept and their closes",
              [a for a in actions if a not in ("existing", "listen")], ["accept", "close", "close", "connect"])
        check("zport: the listener", 1 <= len([a for a in actions if a in ("existing", "listen")]) <= 2, True)
        peer.send("ZAgent::unsubscribe_v1", "zport", topic=STREAM)

        # Bad acknowledgements, each refused with its reason, none moving anything.
        good = execs(got["zexec"])[-1][0]
        peer.ack("zexec", good)
        time.sleep(0.5)
        path = os.path.join(state, "subscribers", "zexec")
        check("the good acknowledgement on disk", open(path).read(), f"{good}\n")
        # (The agent goes on sending batches, empty ones too: they move the
        # position over events of other kinds. So no seq just past the
        # last batch seen is surely unsent.)
        peer.ack("zexec", 10**15)
        check("beyond what was sent", peer.error("zexec").startswith(
              f"ZAgent::ack_v1: seq {10**15} was not sent yet (sent up to "), True)
        peer.ack("zexec", good - 1)
        check("going backwards", peer.error("zexec"),
              f"subscriber zexec: acknowledgement of seq {good - 1} goes back from {good}")
        peer.send("ZAgent::ack_v1", "zexec", str(good), topic=STREAM)
        check("a string for the seq", peer.error("zexec"),
              "ZAgent::ack_v1: argument 2 must be the seq processed (a count)")
        peer.send("ZAgent::ack_v1", "zexec", good, topic=STREAM)  # a Python int is a Broker integer
        check("an integer for the seq", peer.error("zexec"),
              "ZAgent::ack_v1: argument 2 must be the seq processed (a count)")
        peer.send("ZAgent::ack_v1", "zexec", topic=STREAM)
        check("one argument", peer.error("zexec"), "ZAgent::ack_v1: want 2 arguments, got 1")
        peer.ack("nobody", good)
        check("an unknown subscriber", peer.error("nobody"),
              "ZAgent::ack_v1: no subscriber 'nobody' on this connection")
        peer.ack("a/b", good)
        check("a bad name", peer.error(""), "subscriber name 'a/b': only A-Z, a-z, 0-9, '.', '_' and '-'")
        time.sleep(0.5)
        check("after the bad acknowledgements the position on disk is the good one", open(path).read(), f"{good}\n")

        # Resubscribing resumes right after the good acknowledgement.
        peer.send("ZAgent::unsubscribe_v1", "zall", topic=STREAM)
        time.sleep(0.5)
        peer.batches.poll()
        peer.subscribe("zexec", {"process_exec"})
        pid2, argv2 = run_marked("after-bad-acks")
        a, b, lines = collect(peer, "zexec", pid2, resume_at=good + 1)
        check("resumed right after the good acknowledgement", a, good + 1)
        seen = execs(lines)
        check("the execs after it, none before, the new one once",
              (all(seq > good for seq, _, _ in seen), [x for _, p, x in seen if p == pid2]), (True, [argv2]))
        check("the execs the first pass had after the acknowledged one come again, in order",
              [s for s, _, _ in seen if s <= zexec_last], [s for s, _, _ in execs(got["zexec"]) if s > good])
        listener.close()


if __name__ == "__main__":
    run_test(main)

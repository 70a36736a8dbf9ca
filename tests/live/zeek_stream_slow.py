"""A subscriber that takes events but never acknowledges them, with a
python3-broker peer in the role of Zeek (docs/protocol.md, "zagent's host
event stream"): the window bounds what the agent sends and holds for it,
and the recorder goes on without loss.

- the peer subscribes with a window of 2,000 and acknowledges nothing
  while `storm exec 3000` forks and execs /bin/true 3,000 times;
- the agent sends events of at most 2,000 seqs' worth, then waits: the
  batches stop at the window;
- the journal holds every one of the storm's 3,000 execs (the recorder
  lost nothing);
- the agent's resident memory grows by less than 64 MB meanwhile;
- one acknowledgement of everything sent, and the stream goes on right
  after it.

    /usr/bin/python3 tests/live/zeek_stream_slow.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_broker import run_test  # noqa: E402  (exits 77 without python3-broker)
import broker  # noqa: E402
from zeek_agent_websocket import Failure, check  # noqa: E402
from stream_peer import StreamRun, num  # noqa: E402

WINDOW = 2000
EXECS = 3000


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise Failure(f"no VmRSS for {pid}")


def main(build):
    with StreamRun(build, "zagent-stream-slow-") as run:
        peer = run.peer
        peer.expect("ZeekAgentAPI::agent_hello_v1")
        run.wait_recording()
        time.sleep(1)
        before = rss_kb(run.agent.pid)
        peer.subscribe("zslow", set(), window=WINDOW)
        storm = subprocess.Popen([os.path.join(build, "bench", "storm"), "exec", str(EXECS)],
                                 stdout=subprocess.DEVNULL)
        check("the storm ran", storm.wait(), 0)
        time.sleep(2)
        peak = rss_kb(run.agent.pid)
        # What came: batches that follow one another, at most WINDOW events.
        first, last, examined = None, None, 0
        while (m := peer.batches.get(0.5)) is not None:
            e = broker.zeek.Event(m[1])
            check("only batches", e.name(), "ZAgent::events_v1")
            _, _, a, b, lines = e.args()
            a, b = num(a), num(b)
            if last is not None and a != last + 1:
                raise Failure(f"batch {a}-{b} after {last}")
            first = a if first is None else first
            last = b
            examined += lines.count("\n") + 1 if lines else 0
        check("batches came", first is not None, True)
        check(f"at most the window of {WINDOW} events sent unacknowledged", examined <= WINDOW, True)
        time.sleep(1.5)  # the journal's last block
        out = subprocess.run([os.path.join(build, "replay", "zagent-replay"), "--format", "json", run.journal],
                             capture_output=True, check=True).stdout
        events = [json.loads(line) for line in out.splitlines() if line]
        check("the journal holds more than was sent: the stream waited", events[-1]["seq"] > last, True)
        trues = [e for e in events if e["type"] == "process_exec" and e["ppid"] == storm.pid]
        check(f"the recorder lost nothing: all {EXECS} execs of the storm", len(trues), EXECS)
        # (events_lost of others' processes may come on a loaded machine:
        # what counts here is that the stream never holds the recorder up.)
        check(f"the agent's memory grew by less than 64 MB ({before} kB to {peak} kB)",
              peak - before < 64 * 1024, True)
        peer.ack("zslow", last)
        m = peer.batches.get(15.0)
        if m is None:
            raise Failure("nothing after the acknowledgement")
        _, _, a, _, _ = broker.zeek.Event(m[1]).args()
        check("after the acknowledgement, the stream goes on right after it", num(a), last + 1)


if __name__ == "__main__":
    run_test(main)

"""A gap in the host event stream, forced by a tiny retention, with a
python3-broker peer in the role of Zeek (docs/protocol.md, "zagent's host
event stream"):

- a subscriber acknowledges an exec's seq X, then stops taking events
  (subscribed again with window 1, acknowledging nothing) while the test runs enough execs for retention to delete the
  segments after X;
- when it subscribes again, the agent sends ZAgent::gap_v1 naming exactly
  X+1 to the seq before the journal's oldest, then the events from the
  oldest on, the test's last exec among them; and the journal records
  the gap as a sensor event (stream_gap) with the same range.

    /usr/bin/python3 tests/live/zeek_stream_gap.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_broker import run_test  # noqa: E402  (exits 77 without python3-broker)
from zeek_agent_websocket import AGENT_ID, Failure, check  # noqa: E402
from stream_peer import StreamRun, collect, execs, num, run_marked  # noqa: E402


def journal_events(build, journal):
    out = subprocess.run([os.path.join(build, "replay", "zagent-replay"), "--format", "json", journal],
                         capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def oldest_seq(build, journal):
    events = journal_events(build, journal)
    return events[0]["seq"] if events else None


JOURNAL_CONFIG = """[journal]
rotate_bytes = 32768
retain_bytes = 98304
block_age_seconds = 0.2

"""


def main(build):
    with StreamRun(build, "zagent-stream-gap-", JOURNAL_CONFIG) as run:
        peer, journal = run.peer, run.journal
        peer.expect("ZeekAgentAPI::agent_hello_v1")
        run.wait_recording()
        peer.subscribe("zgap", {"process_exec"})
        pid, _ = run_marked("before-gap")
        _, acked, lines = collect(peer, "zgap", pid, acking=True)
        # Window 1 from the acknowledged seq on: one seq in flight, never
        # acknowledged.
        peer.subscribe("zgap", {"process_exec"}, window=1)
        # Now it takes nothing more while retention deletes what follows.
        end = time.monotonic() + 60
        while (oldest_seq(build, journal) or 0) <= acked + 1:
            if time.monotonic() > end:
                raise Failure(f"retention never deleted seq {acked + 1}: oldest {oldest_seq(build, journal)}")
            for _ in range(20):
                subprocess.run(["/bin/true"])
            time.sleep(0.3)
        pid2, argv2 = run_marked("after-gap")
        time.sleep(1)
        # The host goes on (other tests, the agent itself): retention may
        # delete more between here and the agent's read, never less.
        oldest_before = oldest_seq(build, journal)
        peer.batches.poll()
        peer.subscribe("zgap", {"process_exec"})
        topic, name, args = peer.next_batch()
        check("the gap, first, on the subscriber's topic", (topic, name, args[:2]),
              (f"/zagent/stream/zgap/{AGENT_ID}", "ZAgent::gap_v1", [AGENT_ID, "zgap"]))
        gap = (num(args[2]), num(args[3]))
        first, _, lines = collect(peer, "zgap", pid2)
        oldest_after = oldest_seq(build, journal)
        check("the gap starts right after the acknowledged seq", gap[0], acked + 1)
        check("the gap ends right before the first event sent after it", gap[1] + 1, first)
        check(f"the first event sent is the journal's oldest then (between {oldest_before} and {oldest_after})",
              oldest_before <= first <= oldest_after, True)
        oldest = first
        check("the exec after the gap, once", [a for _, p, a in execs(lines) if p == pid2], [argv2])
        time.sleep(1.5)  # the recorder's next block
        gaps = [(e["sensor"], e["message"], e["counters"]) for e in journal_events(build, journal)
                if e["type"] == "sensor" and e["action"] == "stream_gap"]
        check("the journal records the gap as a sensor event", gaps,
              [("zeek", f"subscriber zgap: seqs {acked + 1}-{oldest - 1} were deleted by retention before it had them",
                {"first_seq": acked + 1, "last_seq": oldest - 1})])


if __name__ == "__main__":
    run_test(main)

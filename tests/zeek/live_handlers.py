"""The zagent package's live handlers (zeek/live.zeek) on a real Zeek,
driven by tests/zeek/live-handlers.zeek without an agent: what a batch
raises when it comes once, again after a lost acknowledgement, for another
subscriber, after a gap, out of order, and on a new connection; and what
zagent-live.log says of it.

    python3 tests/zeek/live_handlers.py

Exits 77 (skipped) without zeek.
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeektest import ROOT, Expectations, logs, main, need_zeek, run_zeek  # noqa: E402

WANT = """after 1-3, [1, 2, 3]
after 2-5 again, [1, 2, 3, 4, 5]
after others and repeats, [1, 2, 3, 4, 5]
after the gap, [1, 2, 3, 4, 5, 10, 11]
after an out-of-order batch, [1, 2, 3, 4, 5, 10, 11]
after the new session, [1, 2, 3, 4, 5, 10, 11, 12, 13]
"""


def test():
    need_zeek()
    with tempfile.TemporaryDirectory() as work:
        run = run_zeek(os.path.join(work, "run"), [
            "-b", os.path.join(ROOT, "zeek", "__load__.zeek"), os.path.join(ROOT, "tests", "zeek", "live-handlers.zeek")])
        expect = Expectations()
        expect.expect("what was raised, step by step", open(os.path.join(run, "stdout")).read(), WANT)
        expect.expect("zagent-live.log", [(r["agent_id"], r["host"], r["action"], r["first_seq"], r["last_seq"])
                                          for r in logs(run, "zagent-live")],
                      [("agent-a", "host-a", "subscribed", None, None), ("agent-a", "host-a", "gap", 6, 9),
                       ("agent-a", "host-a", "out_of_order", 12, 19), ("agent-a", "host-a", "subscribed", None, None)])
        expect.done("ok: batches raised once, gaps and lost batches handled")


if __name__ == "__main__":
    main(test)

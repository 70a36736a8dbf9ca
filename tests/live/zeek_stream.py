"""zagent run streaming host events over native Broker to a real Broker
peer (python3-broker) in the role of Zeek (docs/protocol.md, "zagent's host
event stream"):

- the peer subscribes as "zt" to process_exec events; an exec the test
  starts arrives in an events_v1 batch as a process_exec line with its pid
  and argv, in seq order with every seq covered;
- its acknowledgement is kept in the state directory (0600);
- the agent restarts (SIGTERM, then SIGKILL): on the next subscribe the
  stream resumes right after the acknowledged seq, nothing skipped or sent
  twice, batches still following one another seq by seq across the seq
  reserve a writer skips after a crash (which is no gap);
- a bad acknowledgement gets agent_error_v1 and moves nothing.

    /usr/bin/python3 tests/live/zeek_stream.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_broker import Zeek, lists, run_test, start_agent  # noqa: E402  (exits 77 without python3-broker)
import broker  # noqa: E402
from zeek_agent_websocket import AGENT_ID, Failure, check, make_state  # noqa: E402

STREAM = f"/zagent/stream/host/{AGENT_ID}"


class StreamPeer(Zeek):
    def __init__(self, port=0):
        super().__init__(port)
        self.batches = self.ep.make_subscriber("/zagent/stream/")

    def next_batch(self, timeout=15.0):
        m = self.batches.get(float(timeout))
        if m is None:
            raise Failure(f"no stream event in {timeout} s")
        e = broker.zeek.Event(m[1])
        return m[0], e.name(), lists(e.args())


def num(x):
    """A Broker count (broker.Count in Python) as an int."""
    return x.value if isinstance(x, broker.Count) else x


def exec_lines(lines):
    """(seq, pid, argv) of each process_exec line of a batch."""
    out = []
    for line in lines.split("\n") if lines else []:
        kind, _, text = line.split("\t", 2)
        if kind == "process_exec":
            j = json.loads(text)
            out.append((j["seq"], j["pid"], j["argv"]))
    return out


def collect(peer, until_pid, after=None):
    """Batches until the exec of UNTIL_PID is in one: (first_seq of the
    first batch, last_seq of the last, exec lines)."""
    first, last, execs = None, None, []
    end = time.monotonic() + 20
    while time.monotonic() < end:
        topic, name, args = peer.next_batch()
        if name != "ZAgent::events_v1":
            raise Failure(f"want events_v1, got {name} {args}")
        check_topic = topic == f"/zagent/stream/zt/{AGENT_ID}"
        if not check_topic:
            raise Failure(f"batch on {topic}")
        agent, sub, a, b, lines = args
        a, b = num(a), num(b)
        if last is not None and a != last + 1:
            raise Failure(f"batch {a}-{b} after {last}: seqs not covered in order")
        if first is None:
            first = a
        last = b
        execs += exec_lines(lines)
        if any(pid == until_pid for _, pid, _ in execs):
            return first, last, execs
    raise Failure(f"the exec of {until_pid} never arrived")


def run_marked(tag):
    """Runs /bin/echo with a marker; its pid and argv."""
    argv = ["/bin/echo", f"zagent-stream-{os.getpid()}-{tag}"]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    p.wait()
    return p.pid, argv


def subscribe(peer):
    peer.send("ZAgent::subscribe_v1", "zt", {"process_exec"}, broker.Count(100000), topic=STREAM)


def main(build):
    work = tempfile.mkdtemp(prefix="zagent-stream-")
    state = make_state(work)
    peer = StreamPeer()
    config = f"""[zeek]
transport = "broker"
reconnect_max_seconds = 1

[[zeek.destination]]
address = "127.0.0.1:{peer.port}"
ssl = false
"""
    agent = start_agent(build, work, state, config)
    try:
        peer.expect("ZeekAgentAPI::agent_hello_v1")
        subscribe(peer)
        pid, argv = run_marked("one")
        first, last, execs = collect(peer, pid)
        mine = [e for e in execs if e[1] == pid]
        check("the exec arrived once, with its pid and argv", [(p, a) for _, p, a in mine], [(pid, argv)])
        seqs = [seq for seq, _, _ in execs]
        check("exec lines in seq order, within the batches' range",
              (seqs == sorted(seqs), first <= seqs[0], seqs[-1] <= last), (True, True, True))
        ack = mine[0][0]
        peer.send("ZAgent::ack_v1", "zt", broker.Count(ack), topic=STREAM)
        # A bad acknowledgement: beyond what was sent.
        peer.send("ZAgent::ack_v1", "zt", broker.Count(last + 1000), topic=STREAM)
        topic, name, args = peer.next_batch()
        while name == "ZAgent::events_v1":
            topic, name, args = peer.next_batch()
        check("a bad ack is answered", (name, args[1].startswith(f"ZAgent::ack_v1: seq {last + 1000} was not sent yet")),
              ("ZeekAgentAPI::agent_error_v1", True))
        time.sleep(0.5)
        path = os.path.join(state, "subscribers", "zt")
        check("the acknowledgement on disk, 0600", (open(path).read(), oct(os.stat(path).st_mode & 0o777)),
              (f"{ack}\n", "0o600"))

        for how in (signal.SIGTERM, signal.SIGKILL):
            agent.send_signal(how)
            agent.wait(timeout=30)
            time.sleep(0.5)
            peer.batches.poll()  # what the old agent sent after the ack: the new one starts from the ack
            agent = start_agent(build, work, state, config)
            while True:  # the old agent's goodbye (SIGTERM), then the new one's hello
                topic, name, args = peer.next()
                if name == "ZeekAgentAPI::agent_hello_v1":
                    break
                check("before the new hello, only the old agent's shutdown", name, "ZeekAgentAPI::agent_shutdown_v1")
            pid3, argv3 = run_marked(f"restarted-{how.name}")
            subscribe(peer)
            first, last, execs = collect(peer, pid3)
            check(f"after {how.name}: resumed right after the acknowledged seq", first, ack + 1)
            check(f"after {how.name}: nothing acknowledged comes again", all(seq > ack for seq, _, _ in execs), True)
            check(f"after {how.name}: the new exec, once", [a for _, p, a in execs if p == pid3], [argv3])
            ack = [seq for seq, p, _ in execs if p == pid3][0]
            peer.send("ZAgent::ack_v1", "zt", broker.Count(ack), topic=STREAM)
            time.sleep(0.5)
            check(f"after {how.name}: the new acknowledgement on disk", open(path).read(), f"{ack}\n")
    except Failure as e:
        print(f"FAIL: {e!r}", file=sys.stderr, flush=True)
        raise
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        print(open(os.path.join(work, "agent.err")).read(), file=sys.stderr)
        peer.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run_test(main)

"""What the host event stream tests share: a python3-broker peer in the
role of the zagent package's live side (docs/protocol.md, "zagent's host
event stream"), and reading its batches."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from zeek_broker import Zeek, lists, start_agent  # (exits 77 without python3-broker)
import broker
from zeek_agent_websocket import AGENT_ID, Failure, check, make_state

STREAM = f"/zagent/stream/host/{AGENT_ID}"


def num(x):
    """A Broker count (broker.Count in Python) as an int."""
    return x.value if isinstance(x, broker.Count) else x


class StreamPeer(Zeek):
    def __init__(self, port=0):
        super().__init__(port)
        self.batches = self.ep.make_subscriber("/zagent/stream/")
        self.hellos = self.ep.make_subscriber("/zagent/hello/")

    def hello(self, timeout=15.0):
        """The next ZAgent::hello_v1: (topic, agent id, session, host name)."""
        m = self.hellos.get(float(timeout))
        if m is None:
            raise Failure(f"no ZAgent::hello_v1 in {timeout} s")
        e = broker.zeek.Event(m[1])
        check("the stream's hello", e.name(), "ZAgent::hello_v1")
        return (m[0], *lists(e.args()))

    def next_batch(self, timeout=15.0):
        """The next stream event: (topic, name, args)."""
        m = self.batches.get(float(timeout))
        if m is None:
            raise Failure(f"no stream event in {timeout} s")
        e = broker.zeek.Event(m[1])
        return m[0], e.name(), lists(e.args())

    def subscribe(self, name, kinds, window=100000):
        self.send("ZAgent::subscribe_v1", name, set(kinds), broker.Count(window), topic=STREAM)

    def ack(self, name, seq):
        self.send("ZAgent::ack_v1", name, broker.Count(seq), topic=STREAM)

    def error(self, name):
        """The next stream event, which must be an error for NAME: its message."""
        topic, event, args = self.next_batch()
        while event == "ZAgent::events_v1":
            topic, event, args = self.next_batch()
        check("an error event on the subscriber's topic", (topic, event, args[:2]),
              (f"/zagent/stream/{name or 'all'}/{AGENT_ID}", "ZAgent::error_v1", [AGENT_ID, name]))
        return args[2]


def batch_lines(lines):
    """(kind, seconds, json text) of each line of a batch."""
    return [tuple(line.split("\t", 2)) for line in lines.split("\n")] if lines else []


def execs(lines):
    """(seq, pid, argv) of each process_exec line of LINES (batch_lines)."""
    return [(j["seq"], j["pid"], j["argv"]) for j in
            (json.loads(text) for kind, _, text in lines if kind == "process_exec")]


def collect(peer, subscriber, until_pid, after=None, acking=False, resume_at=None):
    """Batches for SUBSCRIBER until the exec of UNTIL_PID is in one:
    (first_seq of the first batch, last_seq of the last, every line).
    Checks that batches follow one another seq by seq (after AFTER, when
    given). ACKING: acknowledges each batch as it comes, as the package
    does, so that a busy host cannot fill the window first. RESUME_AT:
    after a subscribe again, batches of the old subscription still on the
    way are passed over until the first that starts there."""
    first, last, lines = None, after, []
    end = time.monotonic() + 20
    while time.monotonic() < end:
        topic, name, args = peer.next_batch()
        if name != "ZAgent::events_v1":
            raise Failure(f"want events_v1, got {name} {args}")
        check("a batch on the subscriber's topic", topic, f"/zagent/stream/{subscriber}/{AGENT_ID}")
        _, _, a, b, text = args
        a, b = num(a), num(b)
        if resume_at is not None and first is None and a != resume_at:
            continue
        if last is not None and a != last + 1:
            raise Failure(f"batch {a}-{b} after {last}: seqs not covered in order")
        if first is None:
            first = a
        last = b
        lines += batch_lines(text)
        if acking:
            peer.ack(subscriber, b)
        if any(pid == until_pid for _, pid, _ in execs(lines)):
            return first, last, lines
    raise Failure(f"the exec of {until_pid} never arrived")


def run_marked(tag):
    """Runs /bin/echo with a marker; its pid and argv."""
    argv = ["/bin/echo", f"zagent-stream-{os.getpid()}-{tag}"]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    p.wait()
    return p.pid, argv


class StreamRun:
    """A work directory, a StreamPeer and `zagent run` connected to it over
    native Broker (JOURNAL_CONFIG first in its configuration file); the
    agent is stopped and its log printed however the test ends.

        with StreamRun(build, "zagent-x-") as run:
            run.peer.subscribe(...)
    """

    def __init__(self, build, prefix, journal_config=""):
        self.build = build
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.state = make_state(self.work)
        self.journal = os.path.join(self.work, "journal")
        self.peer = StreamPeer()
        self.config = journal_config + f"""[zeek]
transport = "broker"
reconnect_max_seconds = 1

[[zeek.destination]]
address = "127.0.0.1:{self.peer.port}"
ssl = false
"""
        self.agent = start_agent(build, self.work, self.state, self.config)

    def restart(self):
        """Starts the agent again (after the test stopped it)."""
        self.agent = start_agent(self.build, self.work, self.state, self.config)

    def wait_recording(self, timeout=30):
        """Until the agent (this start of it) says it records: its sensors
        are attached, so what the test does from now on is recorded. (Its
        hello to Zeek may come before.) Each start writes agent.err anew."""
        end = time.monotonic() + timeout
        while "zagent: recording to" not in open(os.path.join(self.work, "agent.err")).read():
            if time.monotonic() > end:
                raise Failure(f"the agent did not start recording in {timeout} s")
            time.sleep(0.1)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if isinstance(value, Failure):
            print(f"FAIL: {value!r}", file=sys.stderr, flush=True)
        self.agent.send_signal(signal.SIGTERM)
        self.agent.wait(timeout=30)
        print(open(os.path.join(self.work, "agent.err")).read(), file=sys.stderr)
        self.peer.close()
        if value is None:
            shutil.rmtree(self.work, ignore_errors=True)
        return False

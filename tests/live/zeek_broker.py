"""zagent run over the native Broker transport, against a real Broker peer
(Debian's python3-broker, Broker 1.4) playing the zeek-agent package's side:

- plain: the agent peers, says hello (agent_hello_v1 with the record
  zeek-agent 2.2 declares, broker field included) on its broadcast topic;
  a one-shot query with a cookie is answered on the Zeek instance's topic
  with the typed row; a query naming the pid of a process the test started
  returns that pid, its parent and its name; a scheduled query under Differences reports it
  as an Add, then its end as a Delete;
- the peer goes away and comes back on the same port: the agent peers again
  and says hello with a new hello id;
- TLS with a CA the test makes (openssl): with the right CA the agent peers
  and answers; with another CA the peering is refused and the agent says so
  for that destination, and nothing reaches the peer from it.

    /usr/bin/python3 tests/live/zeek_broker.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import ctypes
import datetime
import faulthandler
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import broker
except ImportError:
    print("SKIP: python3-broker not installed (run with /usr/bin/python3)")
    sys.exit(77)
from zeek_tls import make_ca, make_cert  # noqa: E402
from zeek_agent_websocket import AGENT_ID, INSTANCE, Failure, check, make_state  # noqa: E402

QUERY_TOPIC = f"/zeek-agent/query/host/{AGENT_ID}"


def query(sql, schedule=None, mode=None, cookie=None):
    """A ZeekAgent::Query record, as Zeek's Broker carries it."""
    return [sql, datetime.timedelta(seconds=schedule) if schedule else None,
            broker.Enum(mode) if mode else None, ["Test::result"], cookie, set(), set()]


def lists(x):
    """Broker's vectors (tuples in Python) as lists, all the way down."""
    return [lists(v) for v in x] if isinstance(x, (tuple, list)) else x


class Zeek:
    """The Zeek side: one Broker endpoint listening on loopback."""

    def __init__(self, port=0, tls=None):
        options = broker.BrokerOptions()
        options.disable_ssl = tls is None
        options.ignore_broker_conf = True
        config = broker.Configuration(options)
        if tls:
            config.openssl_cafile, config.openssl_certificate, config.openssl_key = tls
        self.ep = broker.Endpoint(config)
        self.inbox = self.ep.make_subscriber("/zeek-agent/response/")
        self.status = self.ep.make_status_subscriber(True)
        self.port = self.ep.listen("127.0.0.1", port)
        if self.port == 0:
            raise Failure(f"Broker could not listen on port {port}")

    def send(self, name, *args, topic=QUERY_TOPIC):
        self.ep.publish(topic, broker.zeek.Event(name, *args))

    def next(self, timeout=15):
        """(topic, event name, args) of the next event; hellos are skipped
        unless asked for."""
        m = self.inbox.get(float(timeout))  # an int would ask for that many messages
        if m is None:
            raise Failure(f"nothing from the agent in {timeout} s")
        topic, data = m
        e = broker.zeek.Event(data)
        return topic, e.name(), lists(e.args())

    def expect(self, name, timeout=15):
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            topic, got, args = self.next(left)
            if got == name:
                return topic, args
            if got != "ZeekAgentAPI::agent_hello_v1":
                raise Failure(f"want {name}, got {got} {args}")
        raise Failure(f"no {name} in {timeout} s")

    def close(self):
        self.ep.shutdown()


def die_with_parent():
    """For Popen's preexec_fn: the child gets SIGKILL when the test dies,
    so that a test killed at its timeout leaves no agent behind."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start_agent(build, work, state, config):
    path = os.path.join(work, "zagent.toml")
    with open(path, "w") as f:
        f.write(config)
    err = open(os.path.join(work, "agent.err"), "w")
    return subprocess.Popen([os.path.join(build, "agent", "zagent"), "run", "-c", path, "--journal",
                             os.path.join(work, "journal"), "--query-socket", "", "--state-dir", state],
                            stdout=subprocess.DEVNULL, stderr=err, preexec_fn=die_with_parent)


def stop_agent(agent, work):
    agent.send_signal(signal.SIGTERM)
    code = agent.wait(timeout=30)
    log = open(os.path.join(work, "agent.err")).read().replace("\r", "\n")
    print(log, file=sys.stderr)
    check("agent exit code", code, 0)
    return log.splitlines()


def hello(zeek):
    topic, args = zeek.expect("ZeekAgentAPI::agent_hello_v1")
    check("hello on the agent's broadcast topic", topic, f"/zeek-agent/response/all/{AGENT_ID}")
    ctx, record = args
    check("hello context: agent id", ctx[0], AGENT_ID)
    check("hello record: 13 fields, zeek-agent 2.2's", len(record), 13)
    return ctx[2]


def plain_scenario(zeek, work):
    first = hello(zeek)
    zeek.send("ZeekAgentAPI::zeek_hello_v1", INSTANCE, ["7.0.11", broker.Count(70011), "v2.2.0"])
    zeek.send("ZeekAgentAPI::install_query_v1", INSTANCE, "q_one", query("SELECT 1, 'x', 2.5", cookie="c1"))
    topic, (ctx, row) = zeek.expect("Test::result")
    check("a one-shot answer on the instance's topic", topic, f"/zeek-agent/response/{INSTANCE}/{AGENT_ID}")
    check("its context: agent, query id, cookie", (ctx[0], ctx[2], ctx[4]), (AGENT_ID, "q_one", "c1"))
    check("its row, typed", row, [1, "x", 2.5])

    # Differences over a helper started and ended between runs; the first
    # run only sets the baseline.
    name = "zgt-brk-helper"
    path = os.path.join(work, name)
    shutil.copy("/bin/sleep", path)
    zeek.send("ZeekAgentAPI::install_query_v1", INSTANCE, "q_diff",
              query(f"SELECT pid, name FROM processes WHERE name = '{name}'", 1, "ZeekAgent::Differences"))
    time.sleep(1.5)
    helper = subprocess.Popen([path, "100"])
    try:
        topic, (ctx, row) = zeek.expect("Test::result")
        check("Differences: the helper added", (ctx[2], str(ctx[3]), row),
              ("q_diff", "ZeekAgent::Add", [broker.Count(helper.pid), name]))
        sql = f"SELECT pid, ppid, name FROM processes WHERE pid = {helper.pid}"
        zeek.send("ZeekAgentAPI::install_query_v1", INSTANCE, "q_pid", query(sql))
        topic, (ctx, row) = zeek.expect("Test::result")
        check("the helper's pid, parent and name", (ctx[2], row),
              ("q_pid", [broker.Count(helper.pid), broker.Count(os.getpid()), name]))
    except Failure as e:  # say why now: the clean-up below can take long
        print(f"FAIL: {e!r}", file=sys.stderr, flush=True)
        raise
    finally:
        helper.kill()
        helper.wait()
    topic, (ctx, row) = zeek.expect("Test::result")
    check("Differences: the helper gone", (ctx[2], str(ctx[3]), row),
          ("q_diff", "ZeekAgent::Delete", [broker.Count(helper.pid), name]))
    zeek.send("ZeekAgentAPI::cancel_query_v1", INSTANCE, "q_diff")
    print("ok: hello, one-shot, processes by pid, Differences over native Broker")
    return first


def main(build):
    work = tempfile.mkdtemp(prefix="zagent-broker-")
    state = make_state(work)
    zeek = Zeek()
    port = zeek.port
    agent = start_agent(build, work, state, f"""[zeek]
transport = "broker"
reconnect_max_seconds = 2

[[zeek.destination]]
address = "127.0.0.1:{port}"
ssl = false
""")
    try:
        first = plain_scenario(zeek, work)
        zeek.close()
        time.sleep(1)
        zeek = Zeek(port)
        again = hello(zeek)
        check("after the peer's restart: a new hello id", again != first, True)
        zeek.send("ZeekAgentAPI::install_query_v1", INSTANCE, "q_again", query("SELECT 7"))
        topic, (ctx, row) = zeek.expect("Test::result")
        check("and an answer", (ctx[2], row), ("q_again", [7]))
        print("ok: reconnect after the peer's restart")
    except Failure as e:  # say why now: the clean-up below can take long
        print(f"FAIL: {e!r}", file=sys.stderr, flush=True)
        raise
    finally:
        lines = stop_agent(agent, work)
        zeek.close()
    check("connected twice, over Broker 1.4", [line for line in lines if "connected (" in line],
          [f"zagent: zeek 127.0.0.1:{port}: connected (Broker 1.4.0)"] * 2)
    check("the peer's restart reported", f"zagent: zeek 127.0.0.1:{port}: Broker: peer_lost" in lines, True)

    pki = os.path.join(work, "pki")
    os.makedirs(pki)
    make_ca("test-ca", pki)
    make_ca("other-ca", pki)
    make_cert("zeek", "test-ca", "IP:127.0.0.1", pki)
    make_cert("agent", "test-ca", "DNS:agent.example", pki, client=True)
    # Two Zeeks with certificates from the test's CA: the agent reaches one
    # with that CA and the other with another CA. (Apart, because Broker
    # 1.4's listener can lose its good peers when a handshake fails.)
    zeek = Zeek(tls=(f"{pki}/test-ca.pem", f"{pki}/zeek.pem", f"{pki}/zeek.key"))
    other = Zeek(tls=(f"{pki}/test-ca.pem", f"{pki}/zeek.pem", f"{pki}/zeek.key"))
    agent = start_agent(build, work, state, f"""[zeek]
transport = "broker"
ssl_certificate = "{pki}/agent.pem"
ssl_key = "{pki}/agent.key"
reconnect_max_seconds = 2

[[zeek.destination]]
address = "127.0.0.1:{zeek.port}"
ssl_ca_file = "{pki}/test-ca.pem"

[[zeek.destination]]
address = "127.0.0.1:{other.port}"
ssl_ca_file = "{pki}/other-ca.pem"
""")
    try:
        hello(zeek)
        zeek.send("ZeekAgentAPI::install_query_v1", INSTANCE, "q_tls", query("SELECT 'tls'"))
        topic, (ctx, row) = zeek.expect("Test::result")
        check("an answer over TLS", (ctx[2], row), ("q_tls", ["tls"]))
        time.sleep(4)  # the other destination keeps failing, with backoff
        check("the Zeek reached with the wrong CA has no peer", len(list(other.ep.peers())), 0)
        check("and heard nothing", other.inbox.poll(), [])
    except Failure as e:  # say why now: the clean-up below can take long
        print(f"FAIL: {e!r}", file=sys.stderr, flush=True)
        raise
    finally:
        lines = stop_agent(agent, work)
        zeek.close()
        other.close()
    wrong = [line for line in lines if line.startswith(f"zagent: zeek 127.0.0.1:{other.port}: ")]
    check("the wrong CA is reported for its destination", bool(wrong), True)
    check("as a refused peering, never connected", all(line.endswith(
        "Broker peering: peer_unavailable: unable to connect to remote peer"
        " (nothing listens there, or the TLS handshake failed)") for line in wrong), True)
    check("the right CA connected once, and stayed",
          [line for line in lines if line.startswith(f"zagent: zeek 127.0.0.1:{zeek.port}: ")],
          [f"zagent: zeek 127.0.0.1:{zeek.port}: connected (Broker 1.4.0)"])
    print("ok: TLS with the test's CA; another CA refused and reported")
    shutil.rmtree(work, ignore_errors=True)


def run_test(test_main):
    """Runs TEST_MAIN(BUILD_DIR) as a test: 77 unless root, 1 on a failure;
    a hang prints where it is before ctest's timeout."""
    if os.geteuid() != 0:
        print("SKIP: zagent run needs root")
        sys.exit(77)
    faulthandler.dump_traceback_later(int(os.environ.get("ZAGENT_TEST_HANG_SECONDS", 150)), exit=True)
    try:
        test_main(sys.argv[1])
    except Failure as e:
        print(f"FAIL: {e!r}")
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    run_test(main)

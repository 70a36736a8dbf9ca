"""The zagent package live on a real Zeek: `redef ZAgent::live = T`, Zeek
capturing on lo, `zagent run` connected over WebSocket. The host events the
agent streams become the same log rows as a replay of the same journal next
to the packets Zeek saw:

- the test makes known activity: an exec with a marked argv, and a TCP
  connection from a child process to a listener of the test, on a port
  Zeek captures;
- midway the agent is killed (SIGKILL) and restarted: it resumes after
  the acknowledged seq and Zeek drops what it had raised already;
- zagent-live.log: the agent subscribed, once per connection;
- every zagent-process.log and zagent-socket.log row of the live run, up
  to the seq Zeek acknowledged last, equals the replay's row, field by
  field, and no seq comes twice; but for the killed agent's last events,
  which reached Zeek before their block reached the disk (they lie in the
  seqs the crash skipped);
- conn.log's row of the test's connection equals the replay's (but for
  its random uid), naming the child at its origin and the test at its
  responder.

    /usr/bin/python3 tests/zeek/live_stream.py BUILD_DIR   (root, zeek on PATH)

Exits 77 (skipped) without zeek or not as root.
"""

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeektest import (ROOT, Expectations, Failure, logs, main, need_replay_plugin, need_zeek, run_zeek,  # noqa: E402
                      skip)

AGENT_ID = "7d1c0b5e-2a4f-4c3e-9b8a-6f5e4d3c2b1a"
ZEEK_PORT = 19996


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def die_with_parent():
    """Popen's preexec_fn: SIGKILL to the child when the test dies."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start_agent(build, work, state, port=ZEEK_PORT):
    err = open(os.path.join(work, "agent.err"), "a")
    return subprocess.Popen([os.path.join(build, "agent", "zagent"), "run", "--journal",
                             os.path.join(work, "journal"), "--query-socket", "", "--state-dir", state,
                             "--zeek", f"127.0.0.1:{port}", "--zeek-no-tls"],
                            stdout=subprocess.DEVNULL, stderr=err, preexec_fn=die_with_parent)


def wait_recording(work, starts):
    """Waits until the agent's log says it records for the STARTS-th time:
    its sensors are attached."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if open(os.path.join(work, "agent.err")).read().count("zagent: recording to") >= starts:
            return
        time.sleep(0.1)
    raise Failure(f"the agent did not start recording (start {starts})")


def acknowledged(state):
    try:
        return int(open(os.path.join(state, "subscribers", "zeek")).read())
    except (FileNotFoundError, ValueError):
        return None


def journal_events(replay, journal):
    out = subprocess.run([replay, "--format", "json", journal], capture_output=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l]


def newest_seq(replay, journal):
    events = journal_events(replay, journal)
    return events[-1]["seq"] if events else 0


def wait_acknowledged(state, replay, journal, what):
    """Waits until Zeek has acknowledged everything on disk now (the
    writer's blocks are at most 1 s old)."""
    time.sleep(1.5)
    want = newest_seq(replay, journal)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        got = acknowledged(state)
        if got is not None and got >= want:
            return got
        time.sleep(0.2)
    raise Failure(f"{what}: Zeek acknowledged {acknowledged(state)}, want at least {want}")


def run_marked(argv):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    p.wait()
    return p.pid


def connection_from_child(listener):
    """A child python3 connects to LISTENER (the test's), sends a line and
    gets one back; the child, once it has ended."""
    port = listener.getsockname()[1]
    code = (f"import socket; s = socket.create_connection(('127.0.0.1', {port})); "
            "s.sendall(b'zagent live\\n'); s.recv(10); s.close()")
    child = subprocess.Popen(["/usr/bin/python3", "-c", code])
    conn, _ = listener.accept()
    conn.recv(100)
    conn.sendall(b"ok\n")
    child.wait()
    conn.close()
    return child


def set_up(prefix):
    """Skips without zeek, its Zagent::Replay plugin (the replay the live
    rows are compared with) or root; else the build directory, zagent-replay,
    a new work directory, the agent's state directory in it (holding the
    test's agent id) and its journal's path."""
    need_zeek()
    need_replay_plugin()
    if os.geteuid() != 0:
        skip("zagent run and zeek -i lo need root")
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix=prefix)
    state = os.path.join(work, "state")
    os.makedirs(state, mode=0o700)
    with open(os.path.join(state, "agent-id"), "w") as f:
        f.write(AGENT_ID + "\n")
    return build, os.path.join(build, "replay", "zagent-replay"), work, state, os.path.join(work, "journal")


def test():
    build, replay, work, state, journal = set_up("zagent-live-stream-")
    live_dir = os.path.join(work, "live")
    os.makedirs(live_dir)
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen()
    tport = listener.getsockname()[1]
    options = ["ZAgent::live=T", f"ZAgent::live_port={ZEEK_PORT}/tcp", "ZAgent::live_ack_interval=0.2sec",
               "Broker::disable_ssl=T"]
    zeek = subprocess.Popen(["zeek", "-C", "-i", "lo", "-f", f"tcp port {tport}", "-w", "trace.pcap",
                             os.path.join(ROOT, "zeek"), *options], cwd=live_dir,
                            stdout=open(os.path.join(live_dir, "stdout"), "w"),
                            stderr=open(os.path.join(live_dir, "stderr"), "w"), preexec_fn=die_with_parent)
    agent = None
    marks = []
    try:
        time.sleep(3)  # Zeek listens
        agent = start_agent(build, work, state)
        wait_recording(work, 1)
        wait_acknowledged(state, replay, journal, "first subscription")
        argv = ["/bin/echo", f"zagent-live-{os.getpid()}-before"]
        marks.append((run_marked(argv), argv))
        child = connection_from_child(listener)
        wait_acknowledged(state, replay, journal, "before the restart")
        # Killed: what it sent after the last acknowledgement comes again.
        agent.send_signal(signal.SIGKILL)
        agent.wait(timeout=30)
        agent = start_agent(build, work, state)
        wait_recording(work, 2)
        argv = ["/bin/echo", f"zagent-live-{os.getpid()}-after"]
        marks.append((run_marked(argv), argv))
        acked = wait_acknowledged(state, replay, journal, "after the restart")
    finally:
        if agent and agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=30)
        zeek.send_signal(signal.SIGTERM)
        zeek.wait(timeout=30)
        listener.close()
    # The acknowledgement Zeek sent last, at zeek_done, covers what it raised.
    acked = max(acked, acknowledged(state) or 0)

    replay_dir = os.path.join(work, "replay")
    script = os.path.join(work, "replay.zeek")
    with open(script, "wb") as f:
        subprocess.run([replay, journal], stdout=f, check=True)
    run_zeek(replay_dir, ["-C", "-r", os.path.join(live_dir, "trace.pcap"), "-"], stdin=script)

    expect = Expectations()
    def noise(line):  # what a live Zeek says of its capture and its stop
        return (not line.strip() or line.startswith("#") or any(
            t in line for t in ("received termination signal", "listening on lo", "packets received on interface")))
    said = [l for l in open(os.path.join(live_dir, "stderr")) if not noise(l)]
    reporter = os.path.join(live_dir, "reporter.log")
    if os.path.exists(reporter):
        said += [l for l in open(reporter) if not noise(l)]
    expect.expect("the live Zeek said nothing on stderr or in reporter.log", said, [])
    subscribed = [(r["agent_id"], r["action"], r["message"]) for r in logs(live_dir, "zagent-live")]
    expect.expect("zagent-live.log: subscribed on each of the two connections",
                  subscribed, [(AGENT_ID, "subscribed", "as zeek")] * 2)

    # The stream sends events the writer holds before their block is on
    # disk: those of the killed agent's last moments reached Zeek live and
    # are not in the journal. They all lie in the seqs its crash skipped
    # (the last seq on disk before it, the first seq after it).
    on_disk = sorted(e["seq"] for e in journal_events(replay, journal))
    jump = max(range(1, len(on_disk)), key=lambda i: on_disk[i] - on_disk[i - 1])
    crash = (on_disk[jump - 1], on_disk[jump])
    expect.check(f"the crash skipped the writer's seq reserve ({crash})", crash[1] - crash[0] > 30000)
    for name in ("zagent-process", "zagent-socket"):
        live = sorted((r for r in logs(live_dir, name) if r["seq"] <= acked), key=lambda r: r["seq"])
        again = sorted((r for r in logs(replay_dir, name) if r["seq"] <= acked), key=lambda r: r["seq"])
        seqs = [r["seq"] for r in live]
        expect.expect(f"{name}.log: no seq twice live", len(seqs), len(set(seqs)))
        lost = [r for r in live if r["seq"] not in set(on_disk)]
        expect.expect(f"{name}.log: the live rows the journal lacks are the killed agent's last",
                      [r["seq"] for r in lost if not crash[0] < r["seq"] < crash[1]], [])
        expect.expect(f"{name}.log: every other live row equals the replay's", [r for r in live if r not in lost],
                      again)
    execs = {tuple(r["argv"] or ()): r for r in logs(live_dir, "zagent-process") if r["action"] == "exec"}
    for pid, argv in marks:
        expect.expect(f"zagent-process.log: the exec of {argv[1]}", (execs.get(tuple(argv)) or {}).get("pid"), pid)

    def conn_rows(directory):
        return [{k: v for k, v in r.items() if k != "uid"} for r in logs(directory, "conn")
                if r["id.resp_p"] == tport]
    live_conn, replay_conn = conn_rows(live_dir), conn_rows(replay_dir)
    expect.expect("conn.log: the live row equals the replay's, but for its uid", live_conn, replay_conn)
    if live_conn:
        c = live_conn[0]
        expect.expect("conn.log: the child at the origin, the test at the responder",
                      (c.get("zagent_orig_pid"), c.get("zagent_orig_exe"), c.get("zagent_resp_pid")),
                      (child.pid, os.path.realpath("/usr/bin/python3"), os.getpid()))
    expect.done(f"ok: live equals replay up to seq {acked}, across an agent SIGKILL")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(test)

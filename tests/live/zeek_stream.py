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
- the agent says ZAgent::hello_v1 on every connection, a new session each;
- a bad acknowledgement gets ZAgent::error_v1 and moves nothing;
- the peer goes away for seconds while the host execs and connects, and
  a new peer on the same port subscribes under the same name: the stream
  resumes right after the acknowledged seq, each exec and the connect
  once, in seq order.

    /usr/bin/python3 tests/live/zeek_stream.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-broker.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_broker import run_test  # noqa: E402  (exits 77 without python3-broker)
from zeek_agent_websocket import AGENT_ID, check  # noqa: E402
from stream_peer import StreamPeer, StreamRun, collect, execs, run_marked  # noqa: E402


def main(build):
    with StreamRun(build, "zagent-stream-") as run:
        peer, state = run.peer, run.state
        peer.expect("ZeekAgentAPI::agent_hello_v1")
        run.wait_recording()
        topic, agent_id, session, host = peer.hello()
        check("the hello names the agent and its host", (topic, agent_id, host),
              (f"/zagent/hello/{AGENT_ID}", AGENT_ID, socket.gethostname()))
        sessions = {session}
        peer.subscribe("zt", {"process_exec"})
        pid, argv = run_marked("one")
        first, last, lines = collect(peer, "zt", pid, acking=True)
        execs_seen = execs(lines)
        mine = [e for e in execs_seen if e[1] == pid]
        check("the exec arrived once, with its pid and argv", [(p, a) for _, p, a in mine], [(pid, argv)])
        seqs = [seq for seq, _, _ in execs_seen]
        check("exec lines in seq order, within the batches' range",
              (seqs == sorted(seqs), first <= seqs[0], seqs[-1] <= last), (True, True, True))
        ack = last  # acknowledged batch by batch
        # A bad acknowledgement: beyond what was sent.
        peer.ack("zt", 10**15)
        check("a bad ack is answered", peer.error("zt").startswith(f"ZAgent::ack_v1: seq {10**15} was not sent yet"),
              True)
        time.sleep(0.5)
        path = os.path.join(state, "subscribers", "zt")
        check("the acknowledgement on disk, 0600", (open(path).read(), oct(os.stat(path).st_mode & 0o777)),
              (f"{ack}\n", "0o600"))

        for how in (signal.SIGTERM, signal.SIGKILL):
            run.agent.send_signal(how)
            run.agent.wait(timeout=30)
            time.sleep(0.5)
            peer.batches.poll()  # what the old agent sent after the ack: the new one starts from the ack
            peer.hellos.poll()
            run.restart()
            while True:  # the old agent's goodbye (SIGTERM), then the new one's hello
                topic, name, args = peer.next()
                if name == "ZeekAgentAPI::agent_hello_v1":
                    break
                check("before the new hello, only the old agent's shutdown", name, "ZeekAgentAPI::agent_shutdown_v1")
            _, _, session, _ = peer.hello()
            check(f"after {how.name}: a new session in the hello", session in sessions, False)
            sessions.add(session)
            run.wait_recording()
            pid3, argv3 = run_marked(f"restarted-{how.name}")
            peer.subscribe("zt", {"process_exec"})
            first, last, lines = collect(peer, "zt", pid3, acking=True, resume_at=ack + 1)
            execs_seen = execs(lines)
            check(f"after {how.name}: resumed right after the acknowledged seq", first, ack + 1)
            check(f"after {how.name}: nothing acknowledged comes again", all(seq > ack for seq, _, _ in execs_seen), True)
            check(f"after {how.name}: the new exec, once", [a for _, p, a in execs_seen if p == pid3], [argv3])
            ack = last
            time.sleep(0.5)
            check(f"after {how.name}: the new acknowledgement on disk", open(path).read(), f"{ack}\n")

        # The peer goes away for seconds while the host execs and connects,
        # then a new one comes on the same port under the same name.
        port = peer.port
        peer.close()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        lport = listener.getsockname()[1]
        away = [run_marked(f"away-{i}") for i in range(3)]
        child = subprocess.Popen(["/usr/bin/python3", "-c",
                                  f"import socket; socket.create_connection(('127.0.0.1', {lport})).close()"])
        listener.accept()[0].close()
        child.wait()
        listener.close()
        last_pid, last_argv = run_marked("away-last")
        time.sleep(3)
        peer = run.peer = StreamPeer(port)
        peer.expect("ZeekAgentAPI::agent_hello_v1", timeout=30)
        peer.subscribe("zt", {"process_exec", "socket"})
        first, last, lines = collect(peer, "zt", last_pid, acking=True)
        execs_seen = execs(lines)
        check("after the peer came back: resumed right after the acknowledged seq", first, ack + 1)
        check("after the peer came back: each exec made while it was away, once, in order",
              [a for _, p, a in execs_seen if p in {p2 for p2, _ in away} | {last_pid}],
              [a for _, a in away] + [last_argv])
        seqs = [json.loads(text)["seq"] for _, _, text in lines]
        check("after the peer came back: lines in seq order, none twice", seqs, sorted(set(seqs)))
        sockets = [json.loads(text) for kind, _, text in lines if kind == "socket"]
        check("after the peer came back: the child's connect to the test's port, once",
              [(s["pid"], s["remote_port"]) for s in sockets if s["action"] == "connect" and
               s["remote_port"] == f"{lport}/tcp"], [(child.pid, f"{lport}/tcp")])


if __name__ == "__main__":
    run_test(main)

"""The public zeek-agent Zeek package (zeek-packages/zeek-agent-v2, its
release for Zeek 5-7), unchanged, on a real Zeek, with `zagent run`
connected to it over WebSocket:

- zeek-agent.log: the agent joins under the id in its state directory,
  with its hostname and platform; and leaves (shutdown) when stopped;
- zeek-agent-processes.log: a helper process the test starts appears as
  "new" with its pid and name (the package's Differences, every 2 s here);
- zeek-agent-users.log, -sockets.log, -files.log, -ssh-configs.log fill
  (their subscriptions set to Snapshots here, so the first run shows rows):
  root in users, a listening socket of this test in sockets;
- the package's system-logs query needs a table zagent lacks
  (requires_tables): it is not installed and Zeek reports no error;
- the zagent package is loaded too, live (ZAgent::live = T): it starts no
  server of its own (zeek-agent's serves both), subscribes the agent
  (zagent-live.log) and logs the helper's exec in zagent-process.log from
  the host event stream, on the same connection;
- reporter.log holds no error from the agent.

    ZEEK_AGENT_V2=/path/to/zeek-agent-v2 python3 tests/zeek/live_zeek_agent.py BUILD_DIR   (root)

Exits 77 (skipped) without zeek, without zeek-agent-v2, or not as root.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeektest import Expectations, Failure, logs, main, need_zeek, skip  # noqa: E402

AGENT_ID = "5e0f1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
PORT = 19997
ROOT_ZEEK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "zeek")
HELPER = "zgt-live-helper"

OPTIONS = [
    "Broker::disable_ssl=T", f"Broker::default_port_websocket={PORT}/tcp",
    "ZeekAgent_Processes::query_interval=2sec",
    "ZeekAgent_Users::subscription=ZeekAgent::Snapshots", "ZeekAgent_Users::query_interval=2sec",
    "ZeekAgent_Sockets::subscription=ZeekAgent::Snapshots", "ZeekAgent_Sockets::query_interval=2sec",
    "ZeekAgent_Files::subscription=ZeekAgent::Snapshots", "ZeekAgent_Files::query_interval=2sec",
    "ZeekAgent_SSH::subscription=ZeekAgent::Snapshots", "ZeekAgent_SSH::query_interval=2sec",
]


def test():
    need_zeek()
    if os.geteuid() != 0:
        skip("zagent run needs root")
    checkout = os.environ.get("ZEEK_AGENT_V2", "")
    if not checkout:
        skip("ZEEK_AGENT_V2 not set (a checkout of zeek-agent-v2's release for Zeek 5-7)")
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="zagent-live-zeek-")
    state = os.path.join(work, "state")
    os.makedirs(state, mode=0o700)
    with open(os.path.join(state, "agent-id"), "w") as f:
        f.write(AGENT_ID + "\n")
    logs_dir = os.path.join(work, "zeek")
    os.makedirs(logs_dir)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    helper = os.path.join(work, HELPER)
    shutil.copy("/bin/sleep", helper)
    zeek = subprocess.Popen(["zeek", os.path.join(checkout, "scripts"), ROOT_ZEEK, "ZAgent::live=T", *OPTIONS],
                            cwd=logs_dir,
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(logs_dir, "stderr"), "w"))
    agent = None
    try:
        time.sleep(3)
        agent = subprocess.Popen([os.path.join(build, "agent", "zagent"), "run", "--journal",
                                  os.path.join(work, "journal"), "--query-socket", "", "--state-dir", state,
                                  "--zeek", f"127.0.0.1:{PORT}", "--zeek-no-tls"],
                                 stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "agent.err"), "w"))
        time.sleep(6)  # joined; the first Differences run has set its baseline
        proc = subprocess.Popen([helper, "60"])
        time.sleep(6)
        probe = socket.socket()
        zagent_listened = probe.connect_ex(("127.0.0.1", 9997)) == 0
        probe.close()
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)
        time.sleep(1)
    finally:
        if agent and agent.poll() is None:
            agent.kill()
        zeek.send_signal(signal.SIGTERM)
        zeek.wait(timeout=30)
        proc.kill()
    expect = Expectations()
    joins = logs(logs_dir, "zeek-agent")
    expect.expect("zeek-agent.log: join then shutdown", [(r["type_"], r["hid"]) for r in joins],
                  [("join", AGENT_ID), ("shutdown", AGENT_ID)])
    expect.expect("zeek-agent.log: hostname, platform", (joins[0]["hostname"], joins[0]["platform"]),
                  (socket.gethostname(), "Linux"))
    procs = [r for r in logs(logs_dir, "zeek-agent-processes") if r["name"] == HELPER]
    expect.expect("zeek-agent-processes.log: the helper is new", [(r["change"], r["pid"]) for r in procs],
                  [("new", proc.pid)])
    users = logs(logs_dir, "zeek-agent-users")
    expect.check("zeek-agent-users.log has no root", any(r["name"] == "root" and r["uid"] == "0" for r in users))
    port = listener.getsockname()[1]
    sockets = logs(logs_dir, "zeek-agent-sockets")
    expect.check(f"zeek-agent-sockets.log has no listener on 127.0.0.1:{port} of pid {os.getpid()}",
                 any(r["local_port"] == port and r["pid"] == os.getpid() and r["state"] == "LISTEN" for r in sockets))
    files = logs(logs_dir, "zeek-agent-files")
    expect.check("zeek-agent-files.log has no /etc/passwd", any(r["path"] == "/etc/passwd" for r in files))
    expect.expect("the zagent package started no server of its own (port 9997)", zagent_listened, False)
    expect.expect("zagent-live.log: the agent subscribed, once",
                  [(r["agent_id"], r["action"]) for r in logs(logs_dir, "zagent-live")], [(AGENT_ID, "subscribed")])
    streamed = [r for r in logs(logs_dir, "zagent-process") if r["action"] == "exec" and r["pid"] == proc.pid]
    expect.expect("zagent-process.log: the helper's exec from the stream", [r["exe"] for r in streamed], [helper])
    reporter = os.path.join(logs_dir, "reporter.log")
    said = [l for l in open(reporter)] if os.path.exists(reporter) else []
    errors = [l for l in said if not l.startswith("#") and "received termination signal" not in l]
    expect.expect("reporter.log", errors, [])
    expect.expect("Zeek's stderr", [l for l in open(os.path.join(logs_dir, "stderr"))
                                    if "received termination signal" not in l], [])
    expect.done(f"ok: zeek-agent-v2 on Zeek, unchanged, fills its logs from zagent ({len(procs)} helper rows, "
                f"{len(users)} users, {len(sockets)} sockets, {len(files)} files)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(test)

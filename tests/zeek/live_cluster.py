"""The zagent package live in a Zeek cluster, on a real Zeek: a manager
that takes the agent (its WebSocket server) and a worker that captures on
lo, from a cluster-layout.zeek the test writes. The manager raises and logs
every host event once and relays socket and process events to the worker,
which fills conn.log's zagent fields for the connections it sees
(docs/live.md, "A Zeek cluster"):

- conn.log (written by the manager, the cluster's logger) names the
  child process at the origin of the test's TCP connection and the test
  at its responder, as on one Zeek;
- zagent-process.log holds the test's exec once, and no seq twice: the
  worker logs none of what it was relayed;
- the manager subscribes with a filter (ZAgent::live_filters) for sockets
  of the test's port: zagent-socket.log holds those and no other;
- neither node says anything on stderr or in reporter.log.

    /usr/bin/python3 tests/zeek/live_cluster.py BUILD_DIR   (root, zeek on PATH)

Exits 77 (skipped) without zeek or not as root.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeektest import ROOT, Expectations, logs, main  # noqa: E402
from live_stream import (connection_from_child, die_with_parent, free_port, run_marked, set_up,  # noqa: E402
                         start_agent, wait_acknowledged, wait_recording)

ZEEK_PORT = 19995


def start_node(work, node, args, scripts=()):
    """Zeek as cluster node NODE, in WORK/NODE."""
    directory = os.path.join(work, node)
    os.makedirs(directory)
    env = dict(os.environ, CLUSTER_NODE=node,
               ZEEKPATH=os.path.join(work, "layout") + ":" +
               subprocess.run(["zeek-config", "--zeekpath"], capture_output=True, text=True).stdout.strip())
    options = ["ZAgent::live=T", f"ZAgent::live_port={ZEEK_PORT}/tcp", "ZAgent::live_ack_interval=0.2sec",
               "Broker::disable_ssl=T", "Log::default_rotation_interval=0secs"]
    return subprocess.Popen(["zeek", *args, os.path.join(ROOT, "zeek"), *scripts, *options], cwd=directory, env=env,
                            stdout=open(os.path.join(directory, "stdout"), "w"),
                            stderr=open(os.path.join(directory, "stderr"), "w"), preexec_fn=die_with_parent)


def said(directory):
    """What a node said on stderr and in reporter.log, but for its capture
    and its stop."""
    def noise(line):
        return (not line.strip() or line.startswith("#") or any(
            t in line for t in ("received termination signal", "listening on lo", "packets received on interface")))
    out = [l for l in open(os.path.join(directory, "stderr")) if not noise(l)]
    reporter = os.path.join(directory, "reporter.log")
    if os.path.exists(reporter):
        out += [l for l in open(reporter) if not noise(l)]
    return out


def test():
    build, replay, work, state, journal = set_up("zagent-live-cluster-")
    os.makedirs(os.path.join(work, "layout"))
    with open(os.path.join(work, "layout", "cluster-layout.zeek"), "w") as f:
        f.write(f"""redef Cluster::nodes = {{
	["manager"] = [$node_type=Cluster::MANAGER, $ip=127.0.0.1, $p={free_port()}/tcp],
	["worker-1"] = [$node_type=Cluster::WORKER, $ip=127.0.0.1, $p={free_port()}/tcp, $manager="manager"],
}};
redef Cluster::retry_interval = 1sec;
""")
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen()
    tport = listener.getsockname()[1]
    # Sockets of the test's port only, by a filter the agent applies.
    filters = os.path.join(work, "filters.zeek")
    with open(filters, "w") as f:
        f.write(f'redef ZAgent::live_filters = {{ ["socket"] = "remote_port = {tport} OR local_port = {tport}" }};\n')
    manager = start_node(work, "manager", [], [filters])
    time.sleep(3)  # the manager listens for the worker and the agent
    worker = start_node(work, "worker-1", ["-C", "-i", "lo", "-f", f"tcp port {tport}"])
    agent = None
    try:
        time.sleep(3)  # the worker has peered
        agent = start_agent(build, work, state, ZEEK_PORT)
        wait_recording(work, 1)
        wait_acknowledged(state, replay, journal, "subscribed")
        argv = ["/bin/echo", f"zagent-cluster-{os.getpid()}"]
        pid = run_marked(argv)
        child = connection_from_child(listener)
        acked = wait_acknowledged(state, replay, journal, "after the activity")
        time.sleep(1)  # the relay reaches the worker
    finally:
        if agent and agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
            agent.wait(timeout=30)
        # The worker first: its connections are logged at its end, through
        # the manager.
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        time.sleep(1)
        manager.send_signal(signal.SIGTERM)
        manager.wait(timeout=30)
        listener.close()
    m = os.path.join(work, "manager")
    expect = Expectations()
    expect.expect("the manager said nothing on stderr or in reporter.log", said(m), [])
    expect.expect("the worker said nothing on stderr or in reporter.log", said(os.path.join(work, "worker-1")), [])
    procs = logs(m, "zagent-process")
    seqs = [r["seq"] for r in procs]
    expect.expect("zagent-process.log: no seq twice (the worker logs nothing relayed)", len(seqs), len(set(seqs)))
    expect.expect("zagent-process.log: the test's exec, once",
                  [r["pid"] for r in procs if r["action"] == "exec" and r["argv"] == argv], [pid])
    expect.check(f"zagent-process.log: everything up to the acknowledged seq {acked}", max(seqs, default=0) >= acked)
    sockets = logs(m, "zagent-socket")
    expect.expect("zagent-socket.log: only the test's port, by the filter (listener, connect, accept, closes)",
                  sorted(r["action"] for r in sockets if tport in (r["local_p"], r["remote_p"])),
                  sorted(["listen" if any(r["action"] == "listen" for r in sockets) else "existing",
                          "connect", "accept", "close", "close"]))
    expect.expect("zagent-socket.log: no other port", [r for r in sockets if tport not in (r["local_p"], r["remote_p"])], [])
    conns = [r for r in logs(m, "conn") if r["id.resp_p"] == tport]
    expect.expect("conn.log: the test's connection, once", len(conns), 1)
    if conns:
        c = conns[0]
        expect.expect("conn.log: from the worker, the child at the origin and the test at the responder",
                      (c.get("zagent_orig_pid"), c.get("zagent_orig_exe"), c.get("zagent_resp_pid"),
                       c.get("zagent_resp_exe")),
                      (child.pid, os.path.realpath("/usr/bin/python3"), os.getpid(), os.path.realpath(sys.executable)))
    expect.done("ok: a manager takes the agent, the worker enriches conn.log")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(test)

"""zagent run against a WebSocket server that speaks as Zeek 8.2's cluster
WebSocket server does (the topics array, then an ack; data-message
objects; event metadata accepted) and plays the zeek-agent package's side:

- the agent subscribes to its host topic and its groups' (from its agent
  id, kept in the state directory);
- hello: agent_hello_v1 with the record zeek-agent 2.4 declares (no broker
  field after an 8.x ack), typed as the package needs;
- a one-shot query with a cookie; Differences over a helper process
  started and ended between runs (Add, then Delete); SnapshotPlusDifferences;
  cancel stops the results;
- a query for another group, or another host, is not answered;
- requires_tables and if_missing_tables;
- every bad input gets agent_error_v1 naming the query while a scheduled
  query keeps its schedule;
- the server goes away and comes back: the agent reconnects and says hello
  with a new hello id.

    python3 tests/live/zeek_agent_websocket.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-websockets.
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import websockets
except ImportError:
    print("SKIP: python3-websockets not installed")
    sys.exit(77)

AGENT_ID = "0c6b3a2e-8d4f-4a51-9e0c-2f1d7a6b5c4e"
INSTANCE = "zeek_test"


class Failure(Exception):
    pass


def check(what, got, want):
    if got != want:
        raise Failure(f"{what}: got {got!r}, want {want!r}")
    print(f"ok: {what}")


# Broker JSON, as zeek-agent's package and Zeek would send it.
def s(v): return {"@data-type": "string", "data": v}
def c(v): return {"@data-type": "count", "data": v}
def span(v): return {"@data-type": "timespan", "data": v}
def enum(v): return {"@data-type": "enum-value", "data": v}
def vec(*v): return {"@data-type": "vector", "data": list(v)}
def strset(*v): return {"@data-type": "set", "data": [s(x) for x in v]}
NONE = {"@data-type": "none", "data": {}}


def event(topic, name, *args, metadata=False):
    content = [s(name), vec(*args)]
    if metadata:  # as Zeek 7 sends: [[1, network time]]
        content.append(vec(vec(c(1), {"@data-type": "timestamp", "data": "2026-12-07T10:00:00.000"})))
    return json.dumps({"type": "data-message", "topic": topic, "@data-type": "vector",
                       "data": [c(1), c(1), vec(*content)]})


def query(sql, schedule=None, mode=None, cookie=None, requires=(), if_missing=(), event_name="Test::result"):
    return vec(s(sql), span(schedule) if schedule else NONE, enum(mode) if mode else NONE,
               vec(s(event_name)), s(cookie) if cookie else NONE, strset(*requires), strset(*if_missing))


def plain(d):
    """Broker JSON -> Python, keeping the type of each scalar."""
    t, v = d["@data-type"], d["data"]
    if t in ("vector", "set"):
        return [plain(x) for x in v]
    if t == "none":
        return None
    return (t, v)


# What an agent says again and again: zeek-agent's hello and the host event
# stream's (ZAgent::hello_v1).
HELLOS = ("ZeekAgentAPI::agent_hello_v1", "ZAgent::hello_v1")


class Peer:
    """The test's side of one WebSocket connection."""

    def __init__(self, ws):
        self.ws = ws

    async def send(self, topic, name, *args, metadata=False):
        await self.ws.send(event(topic, name, *args, metadata=metadata))

    async def next(self, timeout=10):
        """(topic, event name, ctx, args after ctx) of the next message."""
        self.raw = await asyncio.wait_for(self.ws.recv(), timeout)
        m = json.loads(self.raw)
        if m.get("type") != "data-message":
            raise Failure(f"not a data-message: {m}")
        fmt, kind, content = m["data"]
        check_type = fmt == c(1) and kind == c(1)
        if not check_type:
            raise Failure(f"not an event message: {m}")
        name = content["data"][0]["data"]
        args = content["data"][1]["data"]
        if len(content["data"]) != 2:
            raise Failure(f"the agent sent event metadata: {m}")
        return m["topic"], name, plain(args[0]), [plain(a) for a in args[1:]]

    async def quiet(self, seconds):
        """Nothing arrives but hellos for SECONDS."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                topic, name, ctx, args = await self.next(timeout=left)
            except asyncio.TimeoutError:
                return
            if name not in HELLOS:
                raise Failure(f"want nothing, got {name} {ctx} {args}")

    async def cancel(self, topic, instance, qid):
        """Cancels QID and waits until the agent has handled it: a one-shot
        query sent after the cancel is answered after it, so results of
        QID that were already on the wire arrive before that answer and
        none may arrive after it."""
        await self.send(topic, "ZeekAgentAPI::cancel_query_v1", instance, s(qid))
        barrier = qid + "_barrier"
        await self.send(topic, "ZeekAgentAPI::install_query_v1", instance, s(barrier), query("SELECT 1"))
        while True:
            topic_, name, ctx, args = await self.next(10)
            if name in HELLOS:
                continue
            if name == "Test::result" and ctx[2] == ("string", barrier):
                return
            if name != "Test::result" or ctx[2] != ("string", qid):
                raise Failure(f"want {qid}'s results or {barrier}, got {name} {ctx} {args}")

    async def expect(self, name, timeout=10):
        while True:
            topic, got, ctx, args = await self.next(timeout)
            if got in HELLOS and name != got:
                continue
            if got != name:
                raise Failure(f"want {name}, got {got} {ctx} {args}")
            return topic, ctx, args


async def scenario(peers, agent, work):
    peer = await asyncio.wait_for(peers.get(), 20)
    topics = peer.topics
    base = "/zeek-agent/query"
    check("the agent's subscriptions: zeek-agent's and zagent's host event stream", sorted(topics), sorted([
        f"{base}/host/{AGENT_ID}", f"{base}/group/web", f"{base}/group/{AGENT_ID}/web",
        f"{base}/group/all", f"{base}/group/{AGENT_ID}/all", f"{base}/group/linux", f"{base}/group/{AGENT_ID}/linux",
        f"/zagent/stream/host/{AGENT_ID}"]))
    to_all = f"{base}/group/all"
    response = f"/zeek-agent/response/{INSTANCE}/{AGENT_ID}"

    topic, ctx, args = await peer.expect("ZeekAgentAPI::agent_hello_v1")
    check("hello topic", topic, f"/zeek-agent/response/all/{AGENT_ID}")
    hello_id = ctx[2][1]
    check("hello context", (ctx[0], ctx[1][0], ctx[2][1][:12], ctx[3], ctx[4]),
          (("string", AGENT_ID), "timestamp", "agent_hello_", None, None))
    columns = args[0]
    check("hello record: 12 fields (zeek-agent 2.4's, after an 8.x ack)", len(columns), 12)
    check("hello id, hostname, platform", (columns[0], columns[2], columns[4]),
          (("string", AGENT_ID), ("string", socket.gethostname()), ("string", "Linux")))
    check("hello agent_version is a count, uptime an interval",
          (columns[9][0], columns[10][0]), ("count", "timespan"))
    check("hello tables has processes", ("string", "processes") in columns[11], True)
    topic, agent_id, args = await peer.expect("ZAgent::hello_v1")
    check("the stream's hello: topic, agent id, host name", (topic, agent_id, args[1]),
          (f"/zagent/hello/{AGENT_ID}", ("string", AGENT_ID), ("string", socket.gethostname())))

    await peer.send(to_all, "ZeekAgentAPI::zeek_hello_v1", s(INSTANCE), vec(s("8.2.2"), c(80202), s("v2.4-0")),
                    metadata=True)

    # One-shot, with a cookie: the agent process itself.
    pid = agent.pid
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_once"),
                    query(f"SELECT pid, name, uid FROM processes WHERE pid = {pid}", cookie="cookie-1"))
    topic, ctx, args = await peer.expect("Test::result")
    check("one-shot result topic", topic, response)
    check("one-shot context", (ctx[0], ctx[2], ctx[3], ctx[4]),
          (("string", AGENT_ID), ("string", "za_once"), None, ("string", "cookie-1")))
    check("one-shot row (count, string, count)", args[0], [("count", pid), ("string", "zagent"), ("count", 0)])

    # Differences over a helper started and ended between two runs.
    helper_name = "zgt-helper"
    helper = os.path.join(work, helper_name)
    shutil.copy("/bin/sleep", helper)
    sql = f"SELECT pid, name FROM processes WHERE name = '{helper_name}'"
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_diff"),
                    query(sql, "1s", "ZeekAgent::Differences"))
    await peer.quiet(1.5)  # the first run only sets the baseline; nothing yet
    proc = subprocess.Popen([helper, "100"])
    topic, ctx, args = await peer.expect("Test::result")
    check("Differences: the helper appears as Add", (ctx[2], ctx[3], args[0]),
          (("string", "za_diff"), ("enum-value", "ZeekAgent::Add"), [("count", proc.pid), ("string", helper_name)]))
    proc.kill()
    proc.wait()
    topic, ctx, args = await peer.expect("Test::result")
    check("Differences: and goes as Delete", (ctx[3], args[0]),
          (("enum-value", "ZeekAgent::Delete"), [("count", proc.pid), ("string", helper_name)]))
    await peer.cancel(to_all, s(INSTANCE), "za_diff")

    # SnapshotPlusDifferences: the snapshot first, unset change.
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_spd"),
                    query(f"SELECT pid FROM processes WHERE pid = {pid}", "1s", "ZeekAgent::SnapshotPlusDifferences"))
    topic, ctx, args = await peer.expect("Test::result")
    check("SnapshotPlusDifferences: first the snapshot", (ctx[2], ctx[3], args[0]),
          (("string", "za_spd"), None, [("count", pid)]))
    await peer.quiet(1.5)  # nothing changes: nothing more
    await peer.cancel(to_all, s(INSTANCE), "za_spd")

    # Scheduled snapshots, kept running through the bad input below.
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_tick"),
                    query(f"SELECT pid FROM processes WHERE pid = {pid}", "1s", "ZeekAgent::Snapshots"))
    topic, ctx, args = await peer.expect("Test::result")
    check("scheduled snapshot", (ctx[2], args[0]), (("string", "za_tick"), [("count", pid)]))

    # Not this agent's: another group, another host.
    for t in (f"{base}/group/db", f"{base}/host/someone-else"):
        await peer.send(t, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_" + t[-2:]),
                        query("SELECT 1"))
    # Tables conditions: not installed, and no error.
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_req"),
                    query("SELECT 1", requires=["system_logs_events"]))
    await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_miss"),
                    query("SELECT 1", if_missing=["processes"]))
    # The web group's topic is this agent's.
    await peer.send(f"{base}/group/web", "ZeekAgentAPI::install_query_v1", s(INSTANCE), s("za_web"),
                    query("SELECT 7"))

    bad = [
        (query("SELECT * FROM no_such_table"), "query za_bad0: SQL error: no such table: no_such_table"),
        (query("DELETE FROM processes"), None),
        (query("SELECT 1", "500ms", "ZeekAgent::Snapshots"), "query za_bad2: schedule_ 500ms is outside 1s to 604800s"),
        (query("SELECT 1", None, "ZeekAgent::Everything"), "query za_bad3: unknown subscription ZeekAgent::Everything"),
        (vec(s("SELECT 1")), "query za_bad4: the query record has 1 fields, want 7 (sql_stmt, schedule_, "
                             "subscription, event_, cookie, requires_tables, if_missing_tables)"),
    ]
    for i, (q, _) in enumerate(bad):
        await peer.send(to_all, "ZeekAgentAPI::install_query_v1", s(INSTANCE), s(f"za_bad{i}"), q)
    await peer.send(to_all, "ZeekAgentAPI::launch_v1", s(INSTANCE))
    errors, ticks, web = [], 0, None
    end = time.monotonic() + 4
    while time.monotonic() < end:
        try:
            topic, name, ctx, args = await peer.next(timeout=end - time.monotonic())
        except asyncio.TimeoutError:
            break
        if name == "ZeekAgentAPI::agent_error_v1":
            errors.append((ctx[2][1] if ctx[2] else None, args[0][1]))
        elif name == "Test::result" and ctx[2] == ("string", "za_tick"):
            ticks += 1
        elif name == "Test::result" and ctx[2] == ("string", "za_web"):
            web = args[0]
        elif name not in HELLOS:
            raise Failure(f"unexpected {name} {ctx} {args}")
    check("the web group's query answered", web, [("integer", 7)])
    check("one error per bad input, in order, naming the query",
          [e[0] for e in errors], [f"za_bad{i}" for i in range(len(bad))] + [None])
    for (q, want), (qid, msg) in zip(bad, errors):
        if want:
            check(f"error for {qid}", msg, want)
    check("the write is refused", errors[1][1].startswith("query za_bad1: "), True)
    check("the unknown event", errors[-1][1], "unknown event ZeekAgentAPI::launch_v1")
    check("the scheduled query kept its schedule (about 4 runs in 4 s)", ticks >= 3, True)
    await peer.cancel(to_all, s(INSTANCE), "za_tick")
    await peer.quiet(2)
    print("ok: cancel stopped the scheduled query")
    return hello_id


def make_state(work):
    """WORK/state, the agent's state directory, holding the test's agent id."""
    state = os.path.join(work, "state")
    os.makedirs(state, mode=0o700)
    with open(os.path.join(state, "agent-id"), "w") as f:
        f.write(AGENT_ID + "\n")
    return state


async def main_async(build):
    work = tempfile.mkdtemp(prefix="zagent-live-")
    state = make_state(work)
    peers = asyncio.Queue()
    sockets = []
    server_version = ["8.2.2"]

    async def handler(ws, path=None):
        """Zeek 8.2's server (or Zeek 7's Broker): the path, the topics, the ack."""
        if (path or ws.path) != "/v1/messages/json":
            await ws.send(json.dumps({"type": "error", "code": "invalid_uri",
                                      "context": "Invalid URI - use /v1/messages/json"}))
            return
        peer = Peer(ws)
        peer.topics = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "ack", "endpoint": "test-endpoint", "version": server_version[0]}))
        sockets.append(ws)
        await peers.put(peer)
        await ws.wait_closed()

    server = await websockets.serve(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    err = open(os.path.join(work, "agent.err"), "w")
    agent = subprocess.Popen([os.path.join(build, "agent", "zagent"), "run", "--journal", os.path.join(work, "journal"),
                              "--query-socket", "", "--state-dir", state, "--zeek", f"127.0.0.1:{port}",
                              "--zeek-no-tls", "--zeek-group", "web"], stdout=subprocess.DEVNULL, stderr=err)
    try:
        first = await scenario(peers, agent, work)
        # The server goes away and comes back on the same port.
        server.close()
        for ws in sockets:
            await ws.close()
        await server.wait_closed()
        await asyncio.sleep(1)
        # It comes back as Zeek 7's Broker, which says Broker's version.
        server_version[0] = "2.8.0-dev"
        server = await websockets.serve(handler, "127.0.0.1", port)
        peer = await asyncio.wait_for(peers.get(), 30)
        topic, ctx, args = await peer.expect("ZeekAgentAPI::agent_hello_v1")
        check("after the server's restart the agent says hello again", ctx[0], ("string", AGENT_ID))
        check("with a new hello id", ctx[2][1] != first, True)
        check("hello record: 13 fields (zeek-agent 2.2's, after a Broker ack)", len(args[0]), 13)
        check("to Broker's server every message is padded to 2040 bytes of text", len(peer.raw.encode()), 2040)
        check("with spaces after the JSON", peer.raw.rstrip(" ").endswith("}") and peer.raw.endswith(" "), True)
        await peer.send(f"/zeek-agent/query/host/{AGENT_ID}", "ZeekAgentAPI::install_query_v1", s(INSTANCE),
                        s("za_z7"), query("SELECT 1, 'x'"))
        topic, ctx, args = await peer.expect("Test::result")
        check("a result to Broker's server", (ctx[2], args[0], len(peer.raw.encode())),
              (("string", "za_z7"), [("integer", 1), ("string", "x")], 2040))
    finally:
        agent.send_signal(signal.SIGTERM)
        code = agent.wait(timeout=30)
        server.close()
        err.close()
        print(open(os.path.join(work, "agent.err")).read().replace("\r", "\n"), file=sys.stderr)
    check("agent exit code", code, 0)
    with open(os.path.join(state, "agent-id")) as f:
        check("the agent id kept", f.read(), AGENT_ID + "\n")
    shutil.rmtree(work, ignore_errors=True)


def run(scenario_main):
    """Runs SCENARIO_MAIN(BUILD_DIR) as a test: 77 unless root, 1 on a failure."""
    if os.geteuid() != 0:
        print("SKIP: zagent run needs root")
        sys.exit(77)
    try:
        asyncio.run(scenario_main(sys.argv[1]))
    except (Failure, asyncio.TimeoutError) as e:
        print(f"FAIL: {e!r}")
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    run(main_async)

"""zagent run over TLS to WebSocket servers that speak as Zeek 8.2's, with
certificates this test makes (openssl): one agent, three destinations.
- a server that demands a client certificate from the test's CA, reached
  with that CA and the agent's certificate: the agent subscribes and says
  hello, and the server saw the agent's certificate;
- the same server reached with another CA: refused, the reason on stderr
  names the destination and the failed certificate check, and that
  destination never subscribes;
- a server whose certificate (from the right CA) names another host:
  refused for the name, and said so.

    python3 tests/live/zeek_tls.py BUILD_DIR      (as root)

Exits 77 (skipped) when not root or without python3-websockets.
"""
import asyncio
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zeek_agent_websocket import AGENT_ID, Peer, check, make_state, run, websockets  # noqa: E402


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(name, cwd):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=cwd)


def make_cert(name, ca, san, cwd, client=False):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=cwd)
    with open(os.path.join(cwd, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName={san}\nextendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=cwd)


async def main_async(build):
    work = tempfile.mkdtemp(prefix="zagent-tls-")
    pki = os.path.join(work, "pki")
    os.makedirs(pki)
    make_ca("test-ca", pki)
    make_ca("other-ca", pki)
    make_cert("zeek", "test-ca", "IP:127.0.0.1,DNS:localhost", pki)
    make_cert("elsewhere", "test-ca", "DNS:zeek.elsewhere.example", pki)
    make_cert("agent", "test-ca", "DNS:agent.example", pki, client=True)
    state = make_state(work)

    peers = asyncio.Queue()
    client_certs = []

    def handler_for(name):
        async def handler(ws, path=None):
            peer = Peer(ws)
            peer.server = name
            peer.topics = json.loads(await ws.recv())
            client_certs.append((name, ws.transport.get_extra_info("peercert")))
            await ws.send(json.dumps({"type": "ack", "endpoint": "test-endpoint", "version": "8.2.2"}))
            await peers.put(peer)
            await ws.wait_closed()
        return handler

    def server_context(cert):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(os.path.join(pki, f"{cert}.pem"), os.path.join(pki, f"{cert}.key"))
        ctx.load_verify_locations(os.path.join(pki, "test-ca.pem"))
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx

    main_server = await websockets.serve(handler_for("zeek"), "127.0.0.1", 0, ssl=server_context("zeek"))
    other_server = await websockets.serve(handler_for("elsewhere"), "127.0.0.1", 0, ssl=server_context("elsewhere"))
    port = main_server.sockets[0].getsockname()[1]
    other_port = other_server.sockets[0].getsockname()[1]
    config = os.path.join(work, "zagent.toml")
    with open(config, "w") as f:
        f.write(f"""[zeek]
ssl_certificate = "{pki}/agent.pem"
ssl_key = "{pki}/agent.key"
reconnect_max_seconds = 2

[[zeek.destination]]
address = "127.0.0.1:{port}"
ssl_ca_file = "{pki}/test-ca.pem"

[[zeek.destination]]
address = "localhost:{port}"
ssl_ca_file = "{pki}/other-ca.pem"

[[zeek.destination]]
address = "127.0.0.1:{other_port}"
ssl_ca_file = "{pki}/test-ca.pem"
""")
    err_path = os.path.join(work, "agent.err")
    err = open(err_path, "w")
    agent = subprocess.Popen([os.path.join(build, "agent", "zagent"), "run", "-c", config, "--journal",
                              os.path.join(work, "journal"), "--query-socket", "", "--state-dir", state],
                             stdout=subprocess.DEVNULL, stderr=err)
    try:
        peer = await asyncio.wait_for(peers.get(), 20)
        check("the destination with the right CA subscribes", (peer.server, f"/zeek-agent/query/host/{AGENT_ID}"
                                                                in peer.topics), ("zeek", True))
        topic, ctx, args = await peer.expect("ZeekAgentAPI::agent_hello_v1")
        check("and says hello over TLS", ctx[0], ("string", AGENT_ID))
        subject = dict(x[0] for x in client_certs[0][1]["subject"])
        check("the server saw the agent's certificate", subject.get("commonName"), "agent")
        # The other two keep failing, with backoff; give them a few tries.
        await asyncio.sleep(4)
        check("no other destination subscribed", (peers.qsize(), len(client_certs)), (0, 1))
    finally:
        agent.send_signal(signal.SIGTERM)
        code = agent.wait(timeout=30)
        main_server.close()
        other_server.close()
        err.close()
    log = open(err_path).read()
    print(log, file=sys.stderr)
    check("agent exit code", code, 0)
    lines = log.splitlines()

    def reasons(dest):
        return [line for line in lines if line.startswith(f"zagent: zeek {dest}: ") and "connected" not in line]
    wrong_ca = reasons(f"localhost:{port}")
    check("the wrong CA is reported for its destination", bool(wrong_ca), True)
    check("as a failed check of the chain", all("TLS handshake: certificate verify failed (" in line and
                                                "does not name" not in line for line in wrong_ca), True)
    wrong_name = reasons(f"127.0.0.1:{other_port}")
    check("the wrong name is reported for its destination", bool(wrong_name), True)
    check("as a certificate for another name", all(line.endswith(
        "TLS handshake: certificate verify failed (the certificate does not name 127.0.0.1)") for line in wrong_name),
        True)
    check("the good destination connected once, with no error",
          ([line for line in lines if line.startswith(f"zagent: zeek 127.0.0.1:{port}: ")],),
          ([f"zagent: zeek 127.0.0.1:{port}: connected (8.2.2)"],))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run(main_async)

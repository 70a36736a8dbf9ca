"""The Zagent::Replay plugin's seams with a real Zeek:

- A Zeek without the plugin stops at the replay stream's guard, exits
  non-zero and names the plugin, rather than raising nothing.
- A frame damaged in transit is reported by Zeek with its offset and
  skipped; every event of the other frames is raised, once.
- ZAgentReplay::process_uid (native, used by the package when the plugin is
  loaded) gives exactly the package's script ZAgent::process_uid, for
  strings of any bytes and counts up to 2^64-1: live Zeeks without the
  plugin and replay Zeeks with it name processes alike.
"""

import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeektest  # noqa: E402

build = sys.argv[1]
zeektest.need_zeek()
zeektest.need_replay_plugin()
replay = os.path.join(build, "replay", "zagent-replay")
work = os.path.abspath(os.path.join(build, "tests", "zeek-replay-plugin"))
os.makedirs(work, exist_ok=True)
journal = os.path.join(work, "journal")
if not os.path.isdir(journal):
    subprocess.run([os.path.join(build, "tests", "support", "make-sample-journal"), journal, "100"], check=True)
stream = os.path.join(work, "stream")
with open(stream, "wb") as out:
    subprocess.run([replay, journal], stdout=out, check=True)

# 1. Without the plugin: the guard.
without = dict(os.environ, ZEEK_PLUGIN_PATH="/nonexistent")
with open(stream, "rb") as source:
    ran = subprocess.run(["zeek", "-"], stdin=source, capture_output=True, text=True, cwd=work, env=without)
if ran.returncode == 0 or "needs-the-Zeek-plugin-Zagent::Replay" not in ran.stderr:
    raise SystemExit(f"a Zeek without the plugin: rc {ran.returncode}, stderr:\n{ran.stderr}")
print("without the plugin: stopped at the guard:", ran.stderr.strip().splitlines()[0])

# 2. A damaged frame: of the 10,000 events' frames (one per journal block),
# the second's FlatBuffer made to point outside itself (the frames carry no
# checksum: the pipe is trusted to carry bytes, the verifier checks structure).
big = os.path.join(work, "journal-10k")
if not os.path.isdir(big):
    subprocess.run([os.path.join(build, "tests", "support", "make-sample-journal"), big, "10000"], check=True)
intact_data = subprocess.run([replay, big], capture_output=True, check=True).stdout
data = bytearray(intact_data)
script_line = b"script bytes: "
at = data.index(script_line) + len(script_line)
head_end = data.index(b"\n", at) + 1 + int(data[at:data.index(b"\n", at)])
first = int.from_bytes(data[head_end:head_end + 4], "little")
second = head_end + 5 + first
body = second + 5
host_len = int.from_bytes(data[body:body + 2], "little")
boot_len = int.from_bytes(data[body + 2 + host_len:body + 4 + host_len], "little")
block = body + 4 + host_len + boot_len
data[block:block + 4] = b"\xff\xff\xff\x7f"  # the FlatBuffer's root offset, far outside it
counter = os.path.join(work, "count.zeek")
with open(counter, "w") as f:
    f.write("global n = 0;\n"
            + "".join(f"event ZAgent::{k}(e: ZAgent::{t}) {{ ++n; }}\n" for k, t in (
                ("process_exec", "ProcessExec"), ("process_fork", "ProcessFork"), ("process_exit", "ProcessExit"),
                ("socket_event", "SocketEvent"), ("file_event", "FileEvent"), ("login_event", "LoginEvent"),
                ("sensor_event", "SensorEvent")))
            + "event zeek_done() { print fmt(\"raised %d\", n); }\n")


def count_raised(stream_bytes):
    ran = subprocess.run(["zeek", "-", counter], input=stream_bytes, capture_output=True, cwd=work)
    out = ran.stdout.decode().strip()
    if ran.returncode != 0 or not out.startswith("raised "):
        raise SystemExit(f"counting: rc {ran.returncode}, stdout {out!r}, stderr:\n{ran.stderr.decode()}")
    return int(out.split()[1]), ran.stderr.decode(errors="replace")


intact, err = count_raised(bytes(intact_data))
if intact != 10000 or err:
    raise SystemExit(f"the intact stream raised {intact}, stderr: {err}")
raised, err = count_raised(bytes(data))
held = re.search(r"the End frame counts 10000 events, but the frames before it held (\d+)", err)
if f"offset {second}: an Events frame whose block does not verify" not in err or not held \
        or int(held.group(1)) != raised or not 0 < raised < 10000 or "1 damaged frames skipped" not in err:
    raise SystemExit(f"a damaged frame at {second}: raised {raised}, stderr:\n{err}")
print(f"a damaged frame at offset {second}: reported, its {10000 - raised} events skipped, the other {raised} raised")

# 3. process_uid: native against the script.
rng = random.Random(16)


def zeek_string(b):
    return '"' + "".join(f"\\x{c:02x}" for c in b) + '"'


cases = [(b"", b"", 0, 0), (b"a|b", b"|", 2**64 - 1, 2**64 - 1), (b"h", b"b", 5, 123456789012)]
for _ in range(300):
    cases.append((bytes(rng.randrange(256) for _ in range(rng.randrange(40))),
                  bytes(rng.randrange(256) for _ in range(rng.choice([0, 32, rng.randrange(64)]))),
                  rng.choice([0, 1, rng.randrange(2**22), rng.randrange(2**64)]),
                  rng.choice([0, rng.randrange(2**50), rng.randrange(2**64)])))
calls = "\n".join(
    f"\tcheck({zeek_string(h)}, {zeek_string(b)}, {pid}, {start});" for h, b, pid, start in cases)
script = f"""
@load-plugin Zagent::Replay
@load {os.path.join(zeektest.ROOT, "zeek")}
module Check;
# The package's script version, exactly (zeek/events.zeek's @else branch).
function script_uid(host: string, boot_id: string, pid: count, start_boot_ns: count): string
\t{{
\tlocal digest = md5_hash(fmt("%s|%s|%d|%d", host, boot_id, pid, start_boot_ns / ZAgent::start_tick_ns));
\treturn "P" + digest[:17];
\t}}
global checked = 0;
function check(host: string, boot_id: string, pid: count, start: count)
\t{{
\tlocal native = ZAgent::process_uid(host, boot_id, pid, start);
\tlocal expected = script_uid(host, boot_id, pid, start);
\tif ( native != expected || |native| != 18 )
\t\tprint fmt("MISMATCH %s %s %d %d: %s != %s", host, boot_id, pid, start, native, expected);
\t++checked;
\t}}
event zeek_init()
\t{{
{calls}
\tprint fmt("checked %d", checked);
\t}}
"""
path = os.path.join(work, "uid.zeek")
with open(path, "w") as f:
    f.write(script)
ran = subprocess.run(["zeek", "-b", path], capture_output=True, text=True,
                     cwd=work)
if ran.returncode != 0 or ran.stdout.strip() != f"checked {len(cases)}" or ran.stderr:
    raise SystemExit(f"process_uid: rc {ran.returncode}\n{ran.stdout}\n{ran.stderr}")
print(f"process_uid: native == script for {len(cases)} cases")

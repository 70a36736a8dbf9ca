"""The Zagent::Replay plugin's seams with a real Zeek:

- A Zeek without the plugin stops at the replay stream's guard, exits
  non-zero and names the plugin, rather than raising nothing.
- ZAgentReplay::process_uid (native, used by the package when the plugin is
  loaded) gives exactly the package's script ZAgent::process_uid, for
  strings of any bytes and counts up to 2^64-1: live Zeeks without the
  plugin and replay Zeeks with it name processes alike.
"""

import os
import random
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

# 2. process_uid: native against the script.
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

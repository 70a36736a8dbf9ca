"""Property of replay into a real Zeek: journals of generated events of
every type, with strings of any bytes and extreme integers
(tests/support/make_any_journal.cc, several seeds), replayed on the
stream path (the Zagent::Replay plugin) and on the script path (the events
as Replay JSON, decoded by Zeek's from_json), to a handler that prints
every ZAgent event's record with to_json. Both must print exactly the same
lines: every event raised exactly once, in journal order (seq rising,
equal times kept in order), every field as the Replay JSON contract gives
it. Without packets, both raise every event at net_done.

The script path runs on a Zeek without the plugin, so the package makes
its log lines in script there, and natively (zeek/plugin/src/
log_records.cc) on the stream path: the zagent logs of both runs must be
the same bytes.
"""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zeektest  # noqa: E402

build = sys.argv[1]
zeektest.need_zeek()
zeektest.need_replay_plugin()
replay = os.path.join(build, "replay", "zagent-replay")
make_any = os.path.join(build, "tests", "support", "make-any-journal")
if not os.path.exists(make_any):
    zeektest.skip("make-any-journal was not built (no rapidcheck)")
work = os.path.abspath(os.path.join(build, "tests", "zeek-replay-property"))
os.makedirs(work, exist_ok=True)

KINDS = ["process_exec", "process_fork", "process_exit", "process_snapshot", "socket_event",
         "file_event", "login_event", "sensor_event"]
TYPES = ["ProcessExec", "ProcessFork", "ProcessExit", "ProcessExec", "SocketEvent", "FileEvent",
         "LoginEvent", "SensorEvent"]
handlers = "\n".join(
    f"event ZAgent::{k}(e: ZAgent::{t}) {{ print fmt(\"%s %s\", \"{k}\", to_json(e)); }}" for k, t in zip(KINDS, TYPES))
printer = os.path.join(work, "print-events.zeek")
with open(printer, "w") as f:
    f.write(handlers + "\n")


without_plugin = dict(os.environ, ZEEK_PLUGIN_PATH="/nonexistent")


def replayed(journal, fmt, logs):
    feed = subprocess.run([replay, "--format", fmt, "--max-events", "0", journal], capture_output=True,
                          check=True).stdout
    shutil.rmtree(logs, ignore_errors=True)
    os.makedirs(logs)
    ran = subprocess.run(["zeek", "-", printer], input=feed, capture_output=True, cwd=logs,
                         env=None if fmt == "zeek" else without_plugin)
    if ran.returncode != 0 or ran.stderr:
        raise SystemExit(f"{fmt}: zeek rc {ran.returncode}\n{ran.stderr.decode(errors='replace')[:2000]}")
    return ran.stdout.decode().splitlines()


total = 0
for seed in (1, 2, 3):
    journal = os.path.join(work, f"journal-{seed}")
    shutil.rmtree(journal, ignore_errors=True)
    subprocess.run([make_any, journal, "3000", str(seed)], check=True)
    stream_logs, script_logs = os.path.join(work, f"stream-{seed}"), os.path.join(work, f"script-{seed}")
    stream = replayed(journal, "zeek", stream_logs)
    script = replayed(journal, "zeek-script", script_logs)
    if len(stream) != 3000:
        raise SystemExit(f"seed {seed}: the stream path raised {len(stream)} events, not 3000")
    for i, (a, b) in enumerate(zip(stream, script)):
        if a != b:
            raise SystemExit(f"seed {seed}, event {i}: stream and script differ:\n  {a[:400]}\n  {b[:400]}")
    if len(script) != len(stream):
        raise SystemExit(f"seed {seed}: the script path raised {len(script)} events")
    # Zeek's to_json writes non-UTF-8 bytes as \x escapes, which no JSON
    # parser takes: the seq field is read by pattern.
    seqs = [int(re.search(r'"seq":(\d+)', line).group(1)) for line in stream]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        raise SystemExit(f"seed {seed}: events not in journal order, or repeated")
    kinds = {line.split(" ", 1)[0] for line in stream}
    if kinds != set(KINDS):
        raise SystemExit(f"seed {seed}: kinds raised {sorted(kinds)}, not all eight")
    try:
        names = zeektest.same_logs(stream_logs, script_logs)
    except zeektest.Failure as e:
        raise SystemExit(f"seed {seed}: native and script log lines differ: {e}")
    lines = sum(len(zeektest.logs(stream_logs, n[:-4])) for n in names if n.startswith("zagent-"))
    if lines != 3000:
        raise SystemExit(f"seed {seed}: {lines} zagent log lines, not 3000")
    total += len(stream)
print(f"{total} generated events: raised once each, in order, the same on both paths,"
      " and the same log lines made natively and in script")

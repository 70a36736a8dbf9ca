"""Checks of a zagent-replay run through Zeek that every replay test makes:
the journal's events, as `zagent-replay --format json` prints them, each in
its zagent-*.log at its recorded time with its fields."""

import json
import os
import subprocess
import sys

from zeektest import ROOT, Failure, logs, make_seeds, need_replay_plugin, run_zeek

# The log each event type goes to, and the action its line carries.
LOG_OF = {
    "process_exec": ("zagent-process", "exec"),
    "process_snapshot": ("zagent-process", "snapshot"),
    "process_fork": ("zagent-process", "fork"),
    "process_exit": ("zagent-process", "exit"),
    "socket": ("zagent-socket", None),
    "file": ("zagent-file", None),
    "login": ("zagent-login", None),
    "sensor": ("zagent-sensor", None),
}


def journal_events(replay, journal):
    """The journal's events, as zagent-replay's JSON lines."""
    out = subprocess.run([replay, "--format", "json", journal], capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.decode("utf-8", "surrogateescape").splitlines() if line]


def write_script(replay, journal, path, *options):
    with open(path, "wb") as f:
        subprocess.run([replay, *options, journal], stdout=f, check=True)
    return path


def replay_run(directory, script, trace=None, seeds=None, extra=(), stop_after=None):
    """Zeek on the replay script SCRIPT (as its standard input, as the card's
    pipe has it), next to TRACE when given."""
    args = ["-C", "-r", trace] if trace else []
    if seeds:
        args += ["-G", seeds]
    return run_zeek(directory, [*args, "-", *extra], stdin=script, stop_after=stop_after)


class Replay:
    """A testdata capture (DATA/journal.zst, DATA/trace.pcap) and its replay
    script, written once into WORK, with one seed file for every run."""

    def __init__(self, data, work):
        need_replay_plugin()
        build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
        self.replay = os.path.join(build, "replay", "zagent-replay")
        self.journal = os.path.join(data, "journal.zst")
        self.trace = os.path.join(data, "trace.pcap")
        self.work = work
        self.events = journal_events(self.replay, self.journal)
        self.script = write_script(self.replay, self.journal, os.path.join(work, "replay.zeek"))
        self.seeds = make_seeds(os.path.join(work, "seeds"))

    def run(self, name, packets=True, script=None, **options):
        """The replay (SCRIPT, else the default one) through Zeek in WORK/NAME."""
        return replay_run(os.path.join(self.work, name), script or self.script,
                          self.trace if packets else None, seeds=self.seeds, **options)


def _plain(s):
    """Whether Zeek's ASCII writer prints the string as it is."""
    return isinstance(s, str) and all(0x20 <= ord(c) <= 0x7e for c in s) and "," not in s and "\\" not in s


def _same_text(expect, what, got, want):
    if _plain(want):
        expect.expect(what, got, want or None)


def check_logged(expect, events, directory):
    """Every event is in its log exactly once, by (host, seq), at its
    recorded time (ASCII logs keep microseconds), with its fields; and the
    logs hold nothing else."""
    lines = {}
    for name in sorted({log for log, _ in LOG_OF.values()}):
        try:
            rows = logs(directory, name)
        except Failure:
            rows = []
        for row in rows:
            key = (name, row["host"], row["seq"])
            expect.check(f"{name}.log: seq {row['seq']} logged twice", key not in lines)
            lines[key] = row
    seen = set()
    for e in events:
        name, action = LOG_OF[e["type"]]
        key = (name, e["host"], e["seq"])
        row = lines.get(key)
        if row is None:
            expect.check(f"{name}.log: no line for {e['type']} seq {e['seq']}", False)
            continue
        seen.add(key)
        what = f"{name}.log seq {e['seq']}"
        if abs(row["ts"] - e["ts"] / 1e9) > 1.5e-6:
            expect.check(f"{what}: ts {row['ts']}, recorded {e['ts']}", False)
        expect.expect(f"{what} action", row["action"], action or e["action"])
        if name == "zagent-process":
            expect.expect(f"{what} pid", row["pid"], e["pid"])
            if "ppid" in e:
                expect.expect(f"{what} ppid", row["ppid"], e["ppid"])
            if "argv" in e and all(_plain(a) for a in e["argv"]):
                expect.expect(f"{what} argv", row["argv"], e["argv"] or None)
            if "exe" in e:
                _same_text(expect, f"{what} exe", row["exe"], e["exe"])
            if "exit_code" in e:
                expect.expect(f"{what} exit_code", row["exit_code"], e["exit_code"])
        elif name == "zagent-socket":
            expect.expect(f"{what} local", (row["local_h"], row["local_p"]), (e["local_addr"], e["local_port"]))
            if e["remote_port"] or e["remote_addr"] not in ("0.0.0.0", "::"):
                expect.expect(f"{what} remote", (row["remote_h"], row["remote_p"]),
                              (e["remote_addr"], e["remote_port"]))
            expect.expect(f"{what} pid", row["pid"], e["pid"] or None)
        elif name == "zagent-file":
            _same_text(expect, f"{what} path", row["path"], e["path"])
            expect.expect(f"{what} pid", row["pid"], e["pid"])
        elif name == "zagent-login":
            _same_text(expect, f"{what} user", row["user"], e["user"])
        elif name == "zagent-sensor":
            _same_text(expect, f"{what} sensor", row["sensor"], e["sensor"])
    for key in sorted(set(lines) - seen):
        expect.check(f"{key[0]}.log: seq {key[2]} of {key[1]} is not in the journal", False)


def exec_puids(directory):
    """puid -> the exec (or snapshot) line of that process in zagent-process.log."""
    return {p["puid"]: p for p in logs(directory, "zagent-process") if p["action"] in ("exec", "snapshot")}


def conn_by_resp_port(directory):
    conns = {}
    for c in logs(directory, "conn"):
        conns.setdefault(c["id.resp_p"], []).append(c)
    return conns

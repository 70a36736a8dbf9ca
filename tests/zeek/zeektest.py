"""What the Zeek tests share: finding a real Zeek (or reporting the test
skipped), running it strictly, reading its ASCII logs with their types, and
comparing two runs' logs.

Exit code 77 is ctest's SKIP_RETURN_CODE for these tests
(tests/CMakeLists.txt): a test that could not run never reports itself
passed.
"""

import os
import re
import shutil
import subprocess
import sys

SKIPPED = 77
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIPPED)


def need_zeek():
    if shutil.which("zeek") is None:
        skip("zeek not on PATH")
    version = subprocess.run(["zeek", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"zeek: {version}")
    return version


def need_replay_plugin():
    """zagent-replay's default output needs the Zagent::Replay plugin
    (zeek/plugin/, built when cmake found zeek-config)."""
    listed = subprocess.run(["zeek", "-N", "Zagent::Replay"], capture_output=True, text=True)
    if "Zagent::Replay" not in listed.stdout:
        skip("the Zagent::Replay plugin is not on ZEEK_PLUGIN_PATH (configure with zeek-config on PATH)")


class Failure(Exception):
    pass


# What Zeek logs when it is stopped with SIGTERM (run_zeek's stop_after).
TERMINATED = "received termination signal"  # on stderr and, as Reporter::INFO, in reporter.log


def run_zeek(directory, args, stdin=None, stop_after=None):
    """zeek ARGS in DIRECTORY (created), stdin from the file STDIN. Fails
    when Zeek exits non-zero or says anything on stderr or in reporter.log:
    Zeek reports script errors and warnings there and exits 0 after some.
    STOP_AFTER: seconds after which Zeek is stopped with SIGTERM (it
    finishes as at the end of its input), for scripts that listen on a
    socket and so keep Zeek running after the pcap."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "stdout"), "wb") as out, \
         open(os.path.join(directory, "stderr"), "wb") as err:
        source = open(stdin, "rb") if stdin else subprocess.DEVNULL
        stopped = False
        try:
            zeek = subprocess.Popen(["zeek", *args], cwd=directory, stdin=source, stdout=out, stderr=err)
            try:
                code = zeek.wait(timeout=stop_after)
            except subprocess.TimeoutExpired:
                zeek.terminate()
                stopped = True
                code = zeek.wait()
        finally:
            if stdin:
                source.close()
    # Zeek says it was stopped, on stderr and in reporter.log: only that
    # is forgiven, and only when this stopped it.
    said = "".join(l for l in open(os.path.join(directory, "stderr"), errors="replace")
                   if not (stopped and TERMINATED in l))
    reporter = os.path.join(directory, "reporter.log")
    if os.path.exists(reporter):
        said += "".join(l for l in open(reporter, errors="replace")
                        if not l.startswith("#") and not (stopped and TERMINATED in l))
    if code != 0:
        raise Failure(f"zeek {' '.join(args)} (in {directory}) exited {code}:\n{said}")
    if said.strip():
        raise Failure(f"zeek {' '.join(args)} (in {directory}) reported:\n{said}")
    return directory


def make_seeds(path):
    """A seed file for `zeek -G`: runs given the same seeds draw the same
    connection uids, so their logs can be compared byte for byte. (A run
    with -H saves the seeds it drew, but draws its uids differently from a
    run that loads them with -G: both compared runs must load them.)"""
    subprocess.run(["zeek", "-b", "-H", path, "-e", ""], check=True, stdin=subprocess.DEVNULL)
    return path


def _value(text, zeek_type):
    if text == "-":
        return None
    if zeek_type.startswith(("vector[", "set[")):
        if text == "(empty)":
            return []
        inner = zeek_type[zeek_type.index("[") + 1:-1]
        return [_value(t, inner) for t in text.split(",")]
    if zeek_type in ("count", "int", "port"):
        return int(text)
    if zeek_type in ("time", "interval", "double"):
        return float(text)
    if zeek_type == "bool":
        return text == "T"
    # A string that would read as a marker ("-", "(empty)") or holds a
    # separator is written with \xNN escapes: an argv element "-" is "\x2d".
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def read_log(path):
    """The lines of an ASCII Zeek log as dicts, each value of its #types
    (unset fields are None; vectors are lists; \\xNN escapes decoded)."""
    fields, types, rows = [], [], []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields\t"):
                fields = line.split("\t")[1:]
            elif line.startswith("#types\t"):
                types = line.split("\t")[1:]
            elif line and not line.startswith("#"):
                values = line.split("\t")
                if len(values) != len(fields):
                    raise Failure(f"{path}: a line with {len(values)} fields, want {len(fields)}: {line}")
                rows.append({k: _value(v, t) for k, v, t in zip(fields, values, types)})
    return rows


def logs(directory, name):
    path = os.path.join(directory, name + ".log")
    if not os.path.exists(path):
        raise Failure(f"no {name}.log in {directory}")
    return read_log(path)


def same_logs(a, b):
    """Every log of run A is in run B with the same bytes, apart from the
    #open and #close lines and packet_filter.log (wall-clock times)."""
    names = sorted(n for n in os.listdir(a) if n.endswith(".log") and n != "packet_filter.log")
    if not names:
        raise Failure(f"no logs in {a}")
    for name in names:
        other = os.path.join(b, name)
        if not os.path.exists(other):
            raise Failure(f"{name} is in {a} but not in {b}")
        strip = lambda p: [l for l in open(p, "rb") if not l.startswith((b"#open", b"#close"))]
        if strip(os.path.join(a, name)) != strip(other):
            raise Failure(f"{name} differs between {a} and {b}")
    return names


class Expectations:
    """Collects every mismatch, so that one run shows all of them."""

    def __init__(self):
        self.problems = []

    def expect(self, what, got, want):
        if got != want:
            self.problems.append(f"{what}: got {got!r}, want {want!r}")

    def check(self, what, ok):
        if not ok:
            self.problems.append(what)

    def done(self, passed):
        for p in self.problems:
            print("  " + p, file=sys.stderr)
        if self.problems:
            raise Failure(f"{len(self.problems)} wrong")
        print(passed)


def main(test):
    """Runs TEST(), reporting a Failure as FAIL with exit 1."""
    try:
        test()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)

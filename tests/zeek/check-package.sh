#!/bin/sh
# Checks the zagent Zeek package (zeek/) with a real Zeek:
#
#   1. it parses and starts in bare mode and with Zeek's default scripts,
#      without a word on stderr;
#   2. tests/zeek/sample-events.zeek without packets: every line decodes
#      with from_json and the five zagent logs are written;
#   3. the same lines replayed at their recorded times next to
#      testdata/replay-basic/trace.pcap: conn.log names curl and python3 at
#      the ends of the HTTP connection and python3 at both ends of the UDP
#      one, and the logs carry the events' recorded times.
#
# Without zeek on PATH it exits 77 (skipped, for ctest).
# Usage: sh tests/zeek/check-package.sh   (from anywhere)
set -eu

# Exit 77 tells ctest the test was skipped (SKIP_RETURN_CODE).
if ! command -v zeek >/dev/null 2>&1; then
	echo "SKIP: zeek not on PATH"
	exit 77
fi
echo "zeek: $(zeek --version)"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Zeek reports script errors and warnings on stderr and exits 0 after some
# of them: a run passes only when it exits 0 and says nothing there, nor in
# reporter.log.
run_zeek() {
	dir=$1
	shift
	mkdir -p "$dir"
	if ! (cd "$dir" && zeek "$@" >stdout 2>stderr); then
		cat "$dir/stderr" >&2
		fail "zeek $* exited non-zero"
	fi
	if [ -s "$dir/stderr" ] || [ -s "$dir/reporter.log" ]; then
		cat "$dir/stderr" "$dir/reporter.log" >&2 2>/dev/null
		fail "zeek $* reported problems"
	fi
}
package="$root/zeek/__load__.zeek"
sample="$root/tests/zeek/sample-events.zeek"
trace="$root/testdata/replay-basic/trace.pcap"

# 1. Parse and start.
run_zeek "$work/bare" -b "$package"
run_zeek "$work/default" "$package"
echo "ok: the package loads (bare and default)"

# 2. Sample events without packets.
run_zeek "$work/sample" -b "$package" "$sample"
for log in zagent-process zagent-socket zagent-file zagent-login zagent-sensor; do
	[ -s "$work/sample/$log.log" ] || fail "sample run wrote no $log.log"
done
echo "ok: the sample events decode and fill the five logs"

# 3. Sample events replayed next to the capture of the same seconds.
[ -f "$trace" ] || fail "missing $trace"
run_zeek "$work/replay" -C -r "$trace" "$package" "$sample" LogAscii::use_json=T
python3 - "$work/replay" <<'EOF' || fail "replay run: wrong logs (see above)"
import json, sys, os

def read(name):
    path = os.path.join(sys.argv[1], name + ".log")
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [json.loads(line) for line in f if line.strip()]

problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")

conns = {c["id.resp_p"]: c for c in read("conn")}
http, udp, refused = conns.get(18080, {}), conns.get(18053, {}), conns.get(18081, {})
expect("http orig pid", http.get("zagent_orig_pid"), 27536)
expect("http orig exe", http.get("zagent_orig_exe"), "/usr/bin/curl")
expect("http orig argv", http.get("zagent_orig_argv"),
       ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:18080/hello.txt"])
expect("http orig host", http.get("zagent_orig_host"), "vm")
expect("http orig user", http.get("zagent_orig_user_id"), 0)
expect("http resp pid", http.get("zagent_resp_pid"), 27534)
expect("http resp exe", http.get("zagent_resp_exe"), "/usr/bin/python3.11")
expect("http resp argv", http.get("zagent_resp_argv"),
       ["/usr/bin/python3", "-m", "http.server", "18080", "--bind", "127.0.0.1"])
expect("udp orig pid", udp.get("zagent_orig_pid"), 27541)
expect("udp resp pid", udp.get("zagent_resp_pid"), 27541)
# The refused connect: its close carries the whole tuple; nobody listened.
expect("refused orig pid", refused.get("zagent_orig_pid"), 27539)
expect("refused orig argv", (refused.get("zagent_orig_argv") or [None])[0], "/usr/bin/python3")
expect("refused resp pid", refused.get("zagent_resp_pid"), None)

# Logs carry recorded times, not packet times: curl's exec has no packet near it.
execs = [p for p in read("zagent-process") if p["action"] == "exec" and p["pid"] == 27536]
expect("curl exec lines", len(execs), 1)
if execs and abs(execs[0]["ts"] - 1796001941.571164487) > 1e-5:
    problems.append(f"curl exec ts {execs[0]['ts']}, want 1796001941.571164487")
if execs and http:
    expect("curl exec puid = conn orig puid", execs[0]["puid"], http.get("zagent_orig_puid"))

expect("socket lines", len(read("zagent-socket")), 10)
files = {f["action"]: f for f in read("zagent-file")}
expect("file create mode", files.get("create", {}).get("mode"), "0644")
expect("file chmod mode", files.get("chmod", {}).get("mode"), "0755")
expect("login lines", len(read("zagent-login")), 2)
jumps = [s for s in read("zagent-sensor") if s["action"] == "clock_jump"]
expect("clock_jump counters", jumps[0].get("counter_values") if jumps else None,
       [18446744071709551616])

for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
echo "ok: replayed next to the trace, conn.log names the processes"
echo "PASS: zagent Zeek package"

#!/bin/sh
# The replay of testdata/replay-basic through a real Zeek, when one is on
# PATH (prints SKIP otherwise): conn.log names the processes of the HTTP
# connection, the UDP exchange and the refused connect, the zagent logs hold
# the recorded events with their recorded times, and a second run gives
# byte-identical logs.
#
#   tests/zeek/replay-testdata.sh BUILD_DIR
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
replay=${1:-$root/build}/replay/zagent-replay
data=$root/testdata/replay-basic
if ! command -v zeek >/dev/null 2>&1; then
  echo "SKIP: zeek not on PATH (the replay of testdata/replay-basic needs it)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  mkdir -p "$work/$1"
  (cd "$work/$1" && "$replay" "$data/journal.zst" | zeek -C -r "$data/trace.pcap" - LogAscii::use_json=T)
}
run one
run two
fail() { echo "FAIL: $*" >&2; exit 1; }
for log in conn zagent-process zagent-socket zagent-file zagent-sensor; do
  [ -s "$work/one/$log.log" ] || fail "no $log.log"
  cmp -s "$work/one/$log.log" "$work/two/$log.log" || fail "$log.log differs between two runs"
done
# The HTTP connection: curl (27536) at the originator, python3 (27534) at the responder.
grep '"id.resp_p":18080' "$work/one/conn.log" | grep -q '"zagent_orig_pid":27536' || fail "conn.log: curl not at the orig end"
grep '"id.resp_p":18080' "$work/one/conn.log" | grep -q '"zagent_resp_pid":27534' || fail "conn.log: http.server not at the resp end"
# The UDP exchange: python3 (27541) at both ends.
grep '"id.resp_p":18053' "$work/one/conn.log" | grep -q '"zagent_orig_pid":27541' || fail "conn.log: UDP sender"
# The refused connect: python3 (27539) at the originator.
grep '"id.resp_p":18081' "$work/one/conn.log" | grep -q '"zagent_orig_pid":27539' || fail "conn.log: refused connect"
# The process tree: the child exited with 3.
grep '"pid":27544' "$work/one/zagent-process.log" | grep -q '"exit_code":3' || fail "zagent-process.log: exit 3"
# The file written in the watched directory.
grep -q 'notes.txt' "$work/one/zagent-file.log" || fail "zagent-file.log: notes.txt"
# Without packets every event is still raised (at net_done).
mkdir -p "$work/bare"
(cd "$work/bare" && "$replay" "$data/journal.zst" | zeek - LogAscii::use_json=T)
grep '"pid":27544' "$work/bare/zagent-process.log" | grep -q '"exit_code":3' || fail "no packets: exit 3 not logged"
[ "$(grep -c . "$work/bare/zagent-socket.log")" -eq "$(grep -c . "$work/one/zagent-socket.log")" ] ||
  fail "no packets: not every socket event was logged"
echo "OK: replay of testdata/replay-basic through $(zeek --version)"

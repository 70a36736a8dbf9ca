#!/bin/sh
# Records a test capture: `zagent run` (eBPF sensors) and `tcpdump -i lo`
# run at the same time while SCENARIO (a shell script) causes known
# activity; then the journal, exported to one segment, and the capture are
# saved in DEST as journal.zst and trace.pcap. Needs root, the built zagent
# (BUILD=build by default) and `scripts/install-deps --testdata`.
#
#   testdata/record.sh DEST 'PCAP FILTER' SCENARIO
#
# SCENARIO runs with sh, in a scratch directory, with WATCH set to a
# directory the agent watches for file events; it may write notes for the
# caller into $DEST.
set -eu
dest=${1:?usage: record.sh DEST FILTER SCENARIO}
filter=${2:?usage: record.sh DEST FILTER SCENARIO}
scenario=${3:?usage: record.sh DEST FILTER SCENARIO}
root=$(cd "$(dirname "$0")/.." && pwd)
zagent=${BUILD:-$root/build}/agent/zagent
[ "$(id -u)" -eq 0 ] || { echo "record.sh: needs root (eBPF and tcpdump)" >&2; exit 2; }
[ -x "$zagent" ] || { echo "record.sh: build zagent first ($zagent)" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "record.sh: run scripts/install-deps --testdata" >&2; exit 2; }
dest=$(cd "$dest" && pwd)
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")

work=$(mktemp -d /tmp/zagent-testdata.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/watch" "$work/run"

tcpdump -i lo -n -w "$work/trace.pcap" -U "$filter" 2>"$work/tcpdump.err" &
tcpdump=$!
"$zagent" run --journal "$work/journal" --watch "$work/watch" --query-socket "" 2>"$work/zagent.err" &
agent=$!
# Both are ready once the agent says it records (tcpdump is quicker).
for _ in $(seq 100); do grep -q "recording" "$work/zagent.err" && break; sleep 0.1; done
sleep 1

(cd "$work/run" && WATCH="$work/watch" DEST="$dest" sh "$scenario")
sleep 1.5

kill -TERM $agent; wait $agent || true
sleep 0.5
kill -INT $tcpdump; wait $tcpdump || true

rm -f "$dest/journal.zst" "$dest/trace.pcap"
"$zagent" export "$work/journal" -o "$dest/journal.zst"
cp "$work/trace.pcap" "$dest/trace.pcap"
"$zagent" verify "$dest/journal.zst"
echo "record.sh: wrote $dest/journal.zst ($(wc -c < "$dest/journal.zst") bytes) and trace.pcap ($(wc -c < "$dest/trace.pcap") bytes)"

#!/bin/sh
# Makes testdata/replay-basic again: the recorder and tcpdump run at the same
# time while this script causes known activity on the loopback interface,
# then the journal (exported to one file) and the capture are saved here
# with a README of what happened. Needs root, the built zagent
# (BUILD=build by default) and `scripts/install-deps --testdata`.
#
#   sudo testdata/replay-basic/make.sh
#
# The activity, all on 127.0.0.1 (the ports are fixed so that the README
# and the golden outputs can name them):
#   1. an HTTP server (python3 -m http.server 18080) and a client (curl)
#      fetching /hello.txt;
#   2. a TCP connection refused (nothing listens on 18081);
#   3. a UDP exchange: a datagram to 18053 and its echo back;
#   4. a process tree with known argv: sh -c 'sh -c "exit 3"; true'
#      zagent-testdata-tree (a shell whose child exits with 3);
#   5. a file written in a watched directory (WATCH/notes.txt).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
zagent=$build/agent/zagent
[ "$(id -u)" -eq 0 ] || { echo "make.sh: needs root (eBPF and tcpdump)" >&2; exit 2; }
[ -x "$zagent" ] || { echo "make.sh: build zagent first ($zagent)" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "make.sh: run scripts/install-deps --testdata" >&2; exit 2; }
py=/usr/bin/python3

work=$(mktemp -d /tmp/zagent-testdata.XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/watch" "$work/www"
echo "hello from the replay testdata" > "$work/www/hello.txt"

tcpdump -i lo -n -w "$work/trace.pcap" -U 'tcp port 18080 or tcp port 18081 or udp port 18053' 2>"$work/tcpdump.err" &
tcpdump=$!
"$zagent" run --journal "$work/journal" --watch "$work/watch" --query-socket "" 2>"$work/zagent.err" &
agent=$!
# Both are ready once the agent says it records (tcpdump is quicker).
for _ in $(seq 100); do grep -q "recording" "$work/zagent.err" && break; sleep 0.1; done
sleep 1

# 1. HTTP
(cd "$work/www" && exec "$py" -m http.server 18080 --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
sleep 1
curl -s -o /dev/null http://127.0.0.1:18080/hello.txt
sleep 0.5
# 2. refused
"$py" -c 'import socket
s = socket.socket()
try:
    s.connect(("127.0.0.1", 18081))
except ConnectionRefusedError:
    pass' 
sleep 0.5
# 3. UDP exchange: an echo server answers one datagram.
"$py" -c 'import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", 18053))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cli.sendto(b"ping", ("127.0.0.1", 18053))
data, peer = srv.recvfrom(100); srv.sendto(data, peer); cli.recvfrom(100)'
sleep 0.5
# 4. a process tree
sh -c 'sh -c "exit 3"; true' zagent-testdata-tree
sleep 0.5
# 5. a file in the watched directory
echo "written while recording" > "$work/watch/notes.txt"
sleep 1.5

kill $server
kill -TERM $agent; wait $agent || true
sleep 0.5
kill -INT $tcpdump; wait $tcpdump || true

rm -f "$here/journal.zst" "$here/trace.pcap"
"$zagent" export "$work/journal" -o "$here/journal.zst"
cp "$work/trace.pcap" "$here/trace.pcap"
"$zagent" verify "$here/journal.zst"
echo "make.sh: wrote $here/journal.zst ($(wc -c < "$here/journal.zst") bytes) and trace.pcap ($(wc -c < "$here/trace.pcap") bytes)"

#!/bin/sh
# Makes testdata/replay-loopback again (as root, with zagent built):
#
#   sudo testdata/replay-loopback/make.sh
#
# scenario.sh says what happens; tests/zeek/replay-loopback.sh checks the
# replay. The pids, the kernel's ports and the times differ each time.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../record.sh" "$here" \
  'port 18080 or port 18090 or port 18081 or port 18091 or port 18053 or port 18063 or port 18054 or icmp or icmp6' \
  "$here/scenario.sh"

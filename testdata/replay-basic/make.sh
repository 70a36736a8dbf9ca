#!/bin/sh
# Makes testdata/replay-basic again (as root, with zagent built):
#
#   sudo testdata/replay-basic/make.sh
#
# scenario.sh says what happens. The pids, the kernel's ports and the times
# will differ: the golden outputs (expected/), tests/replay/replay_golden_test.cc
# and the lines of this capture in tests/zeek/ must be updated with them.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../record.sh" "$here" 'tcp port 18080 or tcp port 18081 or udp port 18053' "$here/scenario.sh"

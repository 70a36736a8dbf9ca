#!/bin/sh
# Makes the seed corpus of the replay stream's fuzz target
# (tests/fuzz/replay_stream_fuzz.cc) in testdata/fuzz/replay_stream/:
#
#   testdata/fuzz/make-stream-seeds.sh [BUILD]
#
# BUILD (default: build) provides make-sample-journal and zagent-replay.
# The streams load the installed package (--no-prelude), so that each seed
# stays small (under 16 KiB) and libFuzzer mutates mostly frames.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
out=testdata/fuzz/replay_stream
for tool in "$build/tests/support/make-sample-journal" "$build/replay/zagent-replay"; do
  [ -x "$tool" ] || { echo "make-stream-seeds.sh: $tool is missing; build it first" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
"$build/tests/support/make-sample-journal" "$work/j" 40 7 2>/dev/null
replay() { "$build/replay/zagent-replay" --no-prelude "$@"; }
replay "$work/j" >"$out/mix.stream"
replay --type file "$work/j" >"$out/files.stream"
replay --type login "$work/j" >"$out/no-events.stream"
size=$(wc -c <"$out/mix.stream")
head -c $((size - 200)) "$out/mix.stream" >"$out/cut.stream"
printf 'event zeek_init() { print "not a replay stream"; }\n' >"$out/script.zeek"
ls -l "$out"

#!/bin/sh
# Makes the seed corpus of the journal reader's fuzz target
# (tests/fuzz/journal_reader_fuzz.cc) in testdata/fuzz/journal_reader/:
#
#   testdata/fuzz/make-seeds.sh [BUILD [FUZZ_BUILD]]
#
# BUILD (default: build) provides make-sample-journal and zagent; FUZZ_BUILD
# (default: build-fuzz, configured with -DZAGENT_FUZZ=ON) provides
# make_fuzz_seeds. Build them first:
#
#   cmake --build build --target make-sample-journal zagent
#   cmake --build build-fuzz --target make_fuzz_seeds
#
# Seeds stay small (each under 16 KiB): libFuzzer mutates small inputs fast.
# The crash-*.zst files beside them are reproducers of bugs the fuzzer found,
# kept as they were minimized; this script leaves them alone.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
fuzz_build=${2:-build-fuzz}
out=testdata/fuzz/journal_reader

for tool in "$build/tests/support/make-sample-journal" "$build/agent/zagent" \
            "$fuzz_build/tests/fuzz/make_fuzz_seeds"; do
  [ -x "$tool" ] || { echo "make-seeds.sh: $tool is missing; build it first" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Many blocks in a few kilobytes, all deterministic: one block of every event
# type; six small blocks closed cleanly; segment 2 of that journal; a segment
# whose writer never wrote its end record.
"$fuzz_build/tests/fuzz/make_fuzz_seeds" "$work"

mkdir -p "$out"
cp "$work/one-block.zst" "$work/multi-block.zst" "$work/unfinished.zst" "$out/"
# Two segments of one journal joined with cat, as the format allows.
cat "$work/multi-block.zst" "$work/next-segment.zst" > "$out/concatenated.zst"
# A torn tail: cut inside the fourth of six blocks.
size=$(stat -c %s "$work/multi-block.zst")
head -c $((size * 2 / 3)) "$work/multi-block.zst" > "$out/truncated.zst"

# What the real writer makes: a journal of generated events (its segment
# starts with the writer's own sensor records) ...
"$build/tests/support/make-sample-journal" "$work/sample" 40 7
cp "$work"/sample/segment-*.zst "$out/sample.zst"
# ... and an export of a window of it, whose header names its origin.
since=$("$build/agent/zagent" cat "$work/sample" | sed -n '10s/.*"ts":\([0-9]*\).*/\1/p')
until=$("$build/agent/zagent" cat "$work/sample" | sed -n '25s/.*"ts":\([0-9]*\).*/\1/p')
"$build/agent/zagent" export --since "$((since / 1000000000)).$(printf %09d $((since % 1000000000)))" \
  --until "$((until / 1000000000)).$(printf %09d $((until % 1000000000)))" \
  -o "$work/exported.zst" "$work/sample"
cp "$work/exported.zst" "$out/exported.zst"

chmod 644 "$out"/*.zst
ls -l "$out"

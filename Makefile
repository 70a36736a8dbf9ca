# The README's two commands, `make run` and `make test`, each work alone on a
# fresh Debian 12 machine as root: they install what they need, configure and
# build first.

BUILD      ?= build
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
JOURNAL    ?= var/journal

.PHONY: all deps build run demo test fuzz-build test-sanitize fuzz bench clean

all: build

deps:
	./scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# The recorder in the foreground on ./var/journal (as root; Ctrl-C stops it
# and closes the journal cleanly). `zagent info var/journal` shows the result.
run: build
	$(BUILD)/agent/zagent run --journal $(JOURNAL)

# No root needed: a journal of generated events, then what zagent makes of it.
demo: build
	$(BUILD)/tests/support/make-sample-journal var/demo-journal 100000
	$(BUILD)/agent/zagent info var/demo-journal
	$(BUILD)/agent/zagent verify var/demo-journal
	$(BUILD)/agent/zagent cat --type process_exec var/demo-journal | head -n 5

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# One clang build serves both: every library in it is instrumented with
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage
# (ZAGENT_FUZZ), so CI compiles the sources twice (this and `build`), not
# three times.
fuzz-build: deps
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZAGENT_FUZZ=ON
	cmake --build $(BUILD_FUZZ) -j$(JOBS)

# Every test again under ASan and UBSan but those that need a Zeek and the
# live end-to-end scripts (live.*: Python Broker peers, slow and not C++).
test-sanitize: fuzz-build
	ctest --test-dir $(BUILD_FUZZ) --output-on-failure -j$(JOBS) -LE zeek -E '^live\.'

# The journal reader, what a Zeek sends and the replay stream's reader,
# under libFuzzer, from the seed corpora in testdata/fuzz/.
fuzz: fuzz-build
	./scripts/run-fuzz $(BUILD_FUZZ)/tests/fuzz/journal_reader_fuzz $(FUZZ_SECONDS)
	./scripts/run-fuzz $(BUILD_FUZZ)/tests/fuzz/broker_json_fuzz $(FUZZ_SECONDS)
	./scripts/run-fuzz $(BUILD_FUZZ)/tests/fuzz/replay_stream_fuzz $(FUZZ_SECONDS)

bench: build
	./scripts/install-deps --bench
	$(BUILD)/bench/journal_bench
	./bench/overhead $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_FUZZ)

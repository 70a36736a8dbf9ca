// Journal speed and size on the realistic event mix of
// tests/support/sample_events.h, against the obvious alternative: the same
// events as JSON lines (zagent cat's form) compressed with zstd -3.
//
//   JournalAppend  events/s through JournalWriter with default options,
//                  opening and closing the journal included (close fsyncs);
//                  bytes/event on disk (all segment bytes / events).
//   JournalRead    events/s through JournalReader, decoded to Events, every
//                  block verified as in production (file in the page cache).
//   JsonZstd       the baseline: JSON lines + ZSTD level 3 over the whole
//                  text; its bytes/event and the ratio journal / baseline.
//   EncodeBlock,   the append path split in two, over the same batches the
//   CompressBlock  writer forms: FlatBuffers encoding, then zstd.
//
// items_per_second is per CPU second of the benchmark thread (one core);
// wall_items_per_second per elapsed second. The events are generated before
// any timing. `make bench` runs this; docs/performance.md records the
// figures and how to read them.
#include <benchmark/benchmark.h>
#include <flatbuffers/flatbuffers.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <zstd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal/block_codec.h"
#include "journal/event.h"
#include "journal/event_json.h"
#include "journal/journal_reader.h"
#include "journal/journal_writer.h"
#include "tests/support/sample_events.h"

namespace {

namespace fs = std::filesystem;
using zagent::Event;

constexpr size_t kEvents = 1 << 18;  // 58 blocks of the default 512 KiB bound
constexpr uint64_t kSeed = 1;
constexpr char kHost[] = "web-01.example.org";
constexpr int kBaselineZstdLevel = 3;  // `zstd -3`, zstd's default

// A directory under $TMPDIR (or /tmp), removed at exit.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/zagent-bench-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

zagent::WriterOptions writer_options(const std::string& dir) {
  zagent::WriterOptions options;  // defaults, as the agent runs
  options.dir = dir;
  options.host.host_name = kHost;
  options.host.machine_id = "5c1d3b0f8e2a4d6b9f7e1a2c3d4e5f60";
  options.host.boot_id = "0d9f6a2e-7b41-4c3e-9a5d-2f8e1b6c4a70";
  options.agent_version = "journal_bench";
  return options;
}

// Appends `events` (their bodies moved out) and closes the journal.
zagent::WriterStats write_journal(const std::string& dir, std::vector<Event>& events) {
  zagent::JournalWriter writer(writer_options(dir));
  for (Event& e : events) writer.append(e.ts, std::move(e.body));
  writer.close();
  return writer.stats();
}

// All segment bytes of a journal directory (not its lock file).
uint64_t segment_bytes(const std::string& dir) {
  uint64_t total = 0;
  for (const std::string& path : zagent::JournalReader::list_segments(dir)) total += fs::file_size(path);
  return total;
}

void append_json_lines(std::span<const Event> events, std::string* text) {
  for (const Event& e : events) {
    zagent::append_event_json(e, kHost, text);
    text->push_back('\n');
  }
}

// The batches JournalWriter forms from `events` with default options: a block
// ends when its approximate size reaches block_bytes or its count block_events.
std::vector<std::span<const Event>> writer_batches(std::span<const Event> events) {
  const zagent::WriterOptions defaults;
  std::vector<std::span<const Event>> batches;
  size_t start = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    bytes += zagent::approx_encoded_size(events[i].body);
    if (bytes >= defaults.block_bytes || i + 1 - start >= defaults.block_events) {
      batches.push_back(events.subspan(start, i + 1 - start));
      start = i + 1;
      bytes = 0;
    }
  }
  if (start < events.size()) batches.push_back(events.subspan(start));
  return batches;
}

// A zstd context set up as SegmentWriter sets up its own.
ZSTD_CCtx* journal_cctx() {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zagent::WriterOptions{}.zstd_level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  return cctx;
}

// Everything the benchmarks share, made once before any timing.
struct Corpus {
  std::vector<Event> events;
  ScratchDir scratch;
  std::string journal;  // written once; BM_JournalRead reads it
  uint64_t journal_bytes = 0;
  zagent::WriterStats journal_stats;
  uint64_t json_bytes = 0;
  uint64_t json_zstd_bytes = 0;
  std::vector<std::span<const Event>> batches;
  std::vector<std::vector<uint8_t>> raw_blocks;  // encode_block of each batch

  Corpus() {
    events = zagent::testing::SampleEvents(kSeed).make(kEvents);

    journal = scratch.path() + "/journal";
    std::vector<Event> copy = events;
    journal_stats = write_journal(journal, copy);
    journal_bytes = segment_bytes(journal);

    std::string text;
    append_json_lines(events, &text);
    json_bytes = text.size();
    std::vector<char> compressed(ZSTD_compressBound(text.size()));
    const size_t n = ZSTD_compress(compressed.data(), compressed.size(), text.data(), text.size(),
                                   kBaselineZstdLevel);
    if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
    json_zstd_bytes = n;

    batches = writer_batches(events);
    flatbuffers::FlatBufferBuilder fbb(1 << 16);
    for (std::span<const Event> batch : batches) {
      zagent::encode_block(batch, fbb);
      raw_blocks.emplace_back(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    }
  }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

// The rate per elapsed second, fsync and waits for a shared CPU included.
class WallRate {
 public:
  void start() { started_ = std::chrono::steady_clock::now(); }
  void stop() { seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }
  void report(benchmark::State& state) const {
    state.counters["wall_items_per_second"] =
        static_cast<double>(state.iterations()) * static_cast<double>(kEvents) / seconds_;
  }

 private:
  std::chrono::steady_clock::time_point started_;
  double seconds_ = 0;
};

double per_event(uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(kEvents); }

// The size figures, on every row that produces them.
void size_counters(benchmark::State& state, const Corpus& c, uint64_t journal_bytes) {
  state.counters["bytes_per_event"] = per_event(journal_bytes);
  state.counters["json_zstd_bytes_per_event"] = per_event(c.json_zstd_bytes);
  state.counters["journal_over_json_zstd"] =
      static_cast<double>(journal_bytes) / static_cast<double>(c.json_zstd_bytes);
}

void BM_JournalAppend(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<Event> events;
  zagent::WriterStats stats;
  uint64_t bytes = 0;
  int run = 0;
  WallRate wall;
  for (auto _ : state) {
    // Untimed: a fresh copy of the events (a sensor hands over new bodies,
    // which the writer takes by move) and a journal directory that does not
    // exist yet.
    state.PauseTiming();
    events = c.events;
    const std::string dir = c.scratch.path() + "/append-" + std::to_string(run++);
    state.ResumeTiming();

    wall.start();
    stats = write_journal(dir, events);
    wall.stop();

    state.PauseTiming();
    bytes = segment_bytes(dir);
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  wall.report(state);
  size_counters(state, c, bytes);
  state.counters["raw_bytes_per_event"] = per_event(stats.raw_bytes);
  state.counters["events_per_block"] =
      static_cast<double>(stats.events_written) / static_cast<double>(stats.blocks_written);
}
BENCHMARK(BM_JournalAppend)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_JournalRead(benchmark::State& state) {
  const Corpus& c = corpus();
  uint64_t damage = 0;
  size_t events = 0;
  WallRate wall;
  for (auto _ : state) {
    wall.start();
    zagent::JournalReader reader({c.journal}, zagent::ReadOptions{},
                                 [&damage](const zagent::Damage&) { ++damage; });
    zagent::ReadBlock block;
    events = 0;
    while (reader.next_block(&block)) {
      events += block.events.size();
      benchmark::DoNotOptimize(block.events.data());
    }
    wall.stop();
  }
  if (damage != 0 || events != kEvents) {
    state.SkipWithError("the journal did not read back whole");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  wall.report(state);
  size_counters(state, c, c.journal_bytes);
}
BENCHMARK(BM_JournalRead)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_JsonZstd(benchmark::State& state) {
  const Corpus& c = corpus();
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string text;
  text.reserve(c.json_bytes);
  std::vector<char> compressed(ZSTD_compressBound(c.json_bytes));
  size_t n = 0;
  for (auto _ : state) {
    text.clear();
    append_json_lines(c.events, &text);
    n = ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), text.data(), text.size(),
                          kBaselineZstdLevel);
    benchmark::DoNotOptimize(compressed.data());
  }
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) {
    state.SkipWithError(ZSTD_getErrorName(n));
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  size_counters(state, c, c.journal_bytes);
  state.counters["json_bytes_per_event"] = per_event(c.json_bytes);
}
BENCHMARK(BM_JsonZstd)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_EncodeBlock(benchmark::State& state) {
  const Corpus& c = corpus();
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  for (auto _ : state) {
    for (std::span<const Event> batch : c.batches) {
      zagent::encode_block(batch, fbb);
      benchmark::DoNotOptimize(fbb.GetBufferPointer());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  state.counters["raw_bytes_per_event"] = per_event(c.journal_stats.raw_bytes);
}
BENCHMARK(BM_EncodeBlock)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_CompressBlock(benchmark::State& state) {
  const Corpus& c = corpus();
  ZSTD_CCtx* cctx = journal_cctx();
  std::vector<uint8_t> out;
  uint64_t bytes = 0;
  bool failed = false;
  for (auto _ : state) {
    bytes = 0;
    for (const std::vector<uint8_t>& raw : c.raw_blocks) {
      out.resize(ZSTD_compressBound(raw.size()));
      const size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
      failed |= ZSTD_isError(n) != 0;
      bytes += n;
    }
  }
  ZSTD_freeCCtx(cctx);
  if (failed) {
    state.SkipWithError("zstd failed");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
  state.counters["data_bytes_per_event"] = per_event(bytes);
}
BENCHMARK(BM_CompressBlock)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace

BENCHMARK_MAIN();

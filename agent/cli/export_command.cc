// zagent export: a self-contained journal of a time window. The output is a
// single segment whose header names where it came from (journal, host,
// segments, window); it chains on its own, so it verifies without the
// source. Events keep their seq and ts.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "journal/error.h"
#include "journal/journal_writer.h"
#include "journal/segment_writer.h"

namespace zagent::cli {

namespace {

struct ExportArgs {
  JournalOptions journal;
  std::string output;
  int zstd_level = 3;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A trailer-only pass: which journal and segments the window touches.
Origin find_origin(const std::vector<std::string>& files, const ReadOptions& window) {
  Origin origin;
  bool found = false;
  for (const std::string& file : files) {
    MappedFile mapped(file);
    SegmentScanner scanner(file, mapped.bytes(), nullptr);
    for (auto item = scanner.next(); item != SegmentScanner::Item::Done; item = scanner.next()) {
      if (item != SegmentScanner::Item::Block || !scanner.segment().header_ok) continue;
      if (!window.wants(scanner.block().trailer)) continue;
      const SegmentHeader& h = scanner.segment().header;
      if (!found) {
        origin.journal_id = h.journal_id;
        origin.host_name = h.host_name;
        origin.first_segment = origin.last_segment = h.segment_index;
        found = true;
      } else if (h.journal_id != origin.journal_id) {
        throw Error("export takes one journal, but the window holds events of hosts '" +
                    origin.host_name + "' and '" + h.host_name + "' (" + file + ")");
      }
      origin.first_segment = std::min(origin.first_segment, h.segment_index);
      origin.last_segment = std::max(origin.last_segment, h.segment_index);
    }
  }
  return origin;
}

int run_export(const ExportArgs& args) {
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");
  ReadOptions window = args.journal.read_options();
  // Export reads its input twice (trailers first): standard input is saved.
  std::vector<std::string> inputs = args.journal.inputs;
  for (std::string& in : inputs) {
    if (in == "-") in = spool_stdin_to_file();
  }
  const std::vector<std::string> files = JournalReader::expand_inputs(inputs);
  Origin origin = find_origin(files, window);
  origin.since_ts = window.since_ts;
  origin.until_ts = window.until_ts;
  origin.exported_ts = now_ns();
  origin.tool = std::string("zagent export ") + ZAGENT_VERSION;
  origin.types = args.journal.types;

  DamageLog damage;
  JournalReader reader(files, window, damage.reporter());
  std::unique_ptr<SegmentWriter> out;
  std::vector<Event> batch;
  size_t batch_bytes = 0;
  const WriterOptions defaults;
  uint64_t exported = 0;

  auto open_output = [&](const SegmentHeader* source, uint64_t first_seq) {
    SegmentHeader h;
    h.journal_id.resize(format::kJournalIdSize);
    randombytes_buf(h.journal_id.data(), h.journal_id.size());
    h.segment_index = 1;
    h.created_ts = origin.exported_ts;
    h.first_seq = first_seq;
    if (source) {
      h.host_name = source->host_name;
      h.machine_id = source->machine_id;
      h.boot_id = source->boot_id;
      h.agent_version = source->agent_version;
    }
    h.schema_hash = current_schema_hash();
    h.origin = origin;
    out = std::make_unique<SegmentWriter>(args.output, h, args.zstd_level);
  };
  auto flush = [&] {
    if (batch.empty()) return;
    out->append_block(batch);
    exported += batch.size();
    batch.clear();
    batch_bytes = 0;
  };

  ReadBlock block;
  uint64_t last_seq = 0;
  while (reader.next_block(&block)) {
    if (!out) open_output(block.segment ? &block.segment->header : nullptr, block.events.front().seq);
    for (Event& e : block.events) {
      if (e.seq <= last_seq && exported + batch.size() > 0) continue;  // seq must keep increasing
      last_seq = e.seq;
      batch_bytes += approx_encoded_size(e.body);
      batch.push_back(std::move(e));
      if (batch.size() >= defaults.block_events || batch_bytes >= defaults.block_bytes) flush();
    }
  }
  if (!out) open_output(nullptr, 0);
  flush();
  out->finish(now_ns(), last_seq + 1);
  std::fprintf(stderr, "zagent: exported %llu event(s) to %s\n", static_cast<unsigned long long>(exported),
               args.output.c_str());
  return damage.count() ? kExitDamage : kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Write a self-contained, verifiable journal of a time window");
  args->journal.add_to(cmd, true);
  cmd->add_option("-o,--output", args->output, "The journal file to write (must not exist)")->required();
  cmd->add_option("--zstd-level", args->zstd_level, "zstd compression level")->check(CLI::Range(1, 19));
  cmd->callback([args, exit_code] { *exit_code = run_export(*args); });
}

}  // namespace zagent::cli

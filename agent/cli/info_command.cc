// zagent info: what a journal holds, segment by segment: hosts, time range,
// events per type, raw and stored bytes, and whether the chain holds.
#include <cinttypes>
#include <cstdio>
#include <optional>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "journal/hash_chain.h"
#include "journal/timestamp.h"

namespace zagent::cli {

namespace {

struct Totals {
  uint64_t blocks = 0;
  uint64_t events = 0;
  uint64_t raw = 0;
  uint64_t stored = 0;
  int64_t min_ts = INT64_MAX;
  int64_t max_ts = INT64_MIN;
  uint64_t per_type[kEventTypeCount] = {};

  void add(const ReadBlock& b) {
    ++blocks;
    events += b.events.size();
    raw += b.trailer.raw_size;
    min_ts = std::min(min_ts, b.trailer.min_ts);
    max_ts = std::max(max_ts, b.trailer.max_ts);
    for (const Event& e : b.events) ++per_type[e.body.index()];
  }
};

struct SegmentRow {
  std::string file;
  SegmentHeader header;
  bool header_ok = false;
  bool closed = false;
  uint64_t start = 0;
  uint64_t end = 0;
  Totals totals;
};

std::string time_or_dash(int64_t ts, bool valid) { return valid ? format_rfc3339(ts) : "-"; }

// An export window's bound; the extremes mean "unbounded".
std::string bound(int64_t ts) {
  if (ts == INT64_MIN) return "(start)";
  if (ts == INT64_MAX) return "(end)";
  return format_rfc3339(ts);
}

double ratio(uint64_t raw, uint64_t stored) { return stored ? static_cast<double>(raw) / stored : 0.0; }

int run_info(const JournalOptions& opts) {
  std::vector<SegmentRow> rows;
  std::optional<Damage> first;
  uint64_t problems = 0;
  JournalReader reader(opts.inputs, ReadOptions{}, [&](const Damage& d) {
    if (!first) first = d;
    ++problems;
  });
  reader.on_segment([&](const std::string& file, const ScannedSegment& s) {
    rows.push_back(SegmentRow{file, s.header, s.header_ok, false, s.offset, s.offset, {}});
  });
  reader.on_end([&](const std::string&, const ScannedEnd& e) {
    if (rows.empty()) return;
    rows.back().closed = true;
    rows.back().end = e.end_offset;
  });
  ReadBlock block;
  Totals all;
  while (reader.next_block(&block)) {
    all.add(block);
    if (rows.empty()) continue;
    rows.back().totals.add(block);
    rows.back().end = block.end_offset;
  }

  for (const SegmentRow& r : rows) {
    const uint64_t stored = r.end - r.start;
    all.stored += stored;
    std::printf("segment %" PRIu64 " of journal %s  (%s, offset %" PRIu64 ")\n", r.header.segment_index,
                to_hex({reinterpret_cast<const uint8_t*>(r.header.journal_id.data()), r.header.journal_id.size()}).c_str(),
                r.file.c_str(), r.start);
    if (!r.header_ok) {
      std::printf("  header: damaged\n");
      continue;
    }
    std::printf("  host %s  machine %s  boot %s  agent %s\n", r.header.host_name.c_str(),
                r.header.machine_id.c_str(), r.header.boot_id.c_str(), r.header.agent_version.c_str());
    if (r.header.origin) {
      const Origin& o = *r.header.origin;
      std::printf("  exported from journal %s (host %s, segments %" PRIu64 "..%" PRIu64 "), window %s .. %s, by %s at %s\n",
                  to_hex({reinterpret_cast<const uint8_t*>(o.journal_id.data()), o.journal_id.size()}).c_str(),
                  o.host_name.c_str(), o.first_segment, o.last_segment, bound(o.since_ts).c_str(),
                  bound(o.until_ts).c_str(), o.tool.c_str(), format_rfc3339(o.exported_ts).c_str());
      if (!o.types.empty()) std::printf("  exported event types: %s\n", o.types.c_str());
    }
    const Totals& t = r.totals;
    std::printf("  %" PRIu64 " events in %" PRIu64 " blocks, %s .. %s\n", t.events, t.blocks,
                time_or_dash(t.min_ts, t.blocks > 0).c_str(), time_or_dash(t.max_ts, t.blocks > 0).c_str());
    std::printf("  raw %" PRIu64 " bytes, stored %" PRIu64 " bytes, ratio %.2f, %s\n", t.raw, stored,
                ratio(t.raw, stored), r.closed ? "closed" : "open (being written, or not closed cleanly)");
    if (r.header.schema_hash != current_schema_hash()) {
      std::printf("  schema: written with another schema version (hash %s)\n",
                  to_hex({reinterpret_cast<const uint8_t*>(r.header.schema_hash.data()), r.header.schema_hash.size()}).c_str());
    }
  }

  std::printf("\ntotal: %zu segment(s), %" PRIu64 " events in %" PRIu64 " blocks\n", rows.size(), all.events,
              all.blocks);
  std::printf("time:  %s .. %s\n", time_or_dash(all.min_ts, all.blocks > 0).c_str(),
              time_or_dash(all.max_ts, all.blocks > 0).c_str());
  std::printf("bytes: raw %" PRIu64 ", stored %" PRIu64 ", ratio %.2f, %.1f stored bytes per event\n", all.raw,
              all.stored, ratio(all.raw, all.stored),
              all.events ? static_cast<double>(all.stored) / all.events : 0.0);
  std::printf("events per type:\n");
  for (size_t i = 0; i < kEventTypeCount; ++i) {
    std::printf("  %-18s %" PRIu64 "\n", std::string(event_type_name(static_cast<EventType>(i))).c_str(),
                all.per_type[i]);
  }
  if (rows.empty()) {
    std::printf("chain: no journal segment found\n");
    return kExitDamage;
  }
  if (first) {
    std::printf("chain: BROKEN, %" PRIu64 " problem(s); first: %s\n", problems, first->to_string().c_str());
    return kExitDamage;
  }
  std::printf("chain: intact (every block and link verified)\n");
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<JournalOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Summarize journals: segments, time range, events, bytes, chain");
  opts->add_to(cmd, false);
  cmd->callback([opts, exit_code] { *exit_code = run_info(*opts); });
}

}  // namespace zagent::cli

#include "tables/snapshot/journal_figures.h"

#include <algorithm>

#include "journal/error.h"
#include "journal/journal_reader.h"
#include "journal/mapped_file.h"
#include "journal/segment_scanner.h"

namespace zagent::tables {
namespace {

constexpr size_t kSensorEventIndex = static_cast<size_t>(EventType::SensorEvent);

const DamageReporter kIgnoreDamage = [](const Damage&) {};

// The sum of the counters of the EventsLost sensor events of one file.
uint64_t events_lost(const std::string& file) {
  ReadOptions options;
  options.type_mask = 1u << kSensorEventIndex;  // so only blocks holding sensor events are decoded
  JournalReader reader({file}, options, kIgnoreDamage);
  uint64_t lost = 0;
  ReadBlock block;
  while (reader.next_block(&block)) {
    for (const Event& event : block.events) {
      const auto* sensor = std::get_if<SensorEvent>(&event.body);
      if (!sensor || sensor->action != SensorAction::EventsLost) continue;
      for (const Counter& c : sensor->counters) lost += c.value;
    }
  }
  return lost;
}

// Adds one segment file's figures; returns whether any block holds sensor events.
bool add_file(const std::string& file, JournalFigures* f) {
  const MappedFile mapped(file);
  f->bytes += mapped.bytes().size();
  SegmentScanner scanner(file, mapped.bytes(), kIgnoreDamage);
  bool sensor_events = false;
  for (auto item = scanner.next(); item != SegmentScanner::Item::Done; item = scanner.next()) {
    if (item != SegmentScanner::Item::Block) continue;
    const BlockTrailer& t = scanner.block().trailer;
    if (t.event_count == 0) continue;
    f->events += t.event_count;
    f->oldest = std::min(f->oldest.value_or(t.min_ts), t.min_ts);
    f->newest = std::max(f->newest.value_or(t.max_ts), t.max_ts);
    sensor_events |= kSensorEventIndex < t.type_counts.size() && t.type_counts[kSensorEventIndex] > 0;
  }
  return sensor_events;
}

}  // namespace

JournalFigures journal_figures(const std::vector<std::string>& journals, bool count_lost) {
  JournalFigures f;
  for (const std::string& input : journals) {
    if (input == "-") continue;  // standard input cannot be read twice
    std::vector<std::string> files;
    try {
      files = JournalReader::expand_inputs({input});
    } catch (const Error&) {
      continue;  // an unlistable directory: no figures from it
    }
    for (const std::string& file : files) {
      try {
        if (add_file(file, &f) && count_lost) f.lost += events_lost(file);
      } catch (const Error&) {
        // Gone or unreadable: what was counted of it stays counted.
      }
    }
  }
  return f;
}

}  // namespace zagent::tables

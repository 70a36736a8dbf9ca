// A journal event as the zagent package's Zeek event: its record (the
// package's ZAgent::ProcessExec, ..., built field by field from the event,
// as docs/zeek.md's Replay JSON has them, with no JSON in between) and its
// handler, run at once. The record types are the loaded package's, looked
// up at first use: a package whose record does not fit what the stream
// carries is reported once per type, and that type's events are skipped.
#pragma once

#include <zeek/EventHandler.h>
#include <zeek/Type.h>
#include <zeek/Val.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journal/event.h"

namespace zagent::zeek_plugin {

// An event's time as its record has it: the Replay JSON's
// "seconds.nanoseconds" text read as Zeek's from_json reads it.
double event_seconds(int64_t ns);

class EventRecords {
 public:
  // Reads ZAgent::event_types (an option, so it may change while Zeek
  // runs): the types left out are neither built nor raised.
  void refresh_enabled();

  // Raises `e` (its time `seconds`, event_seconds()) as its type's event
  // and runs its handlers; false when it was not raised (type left out, no
  // handler, or a package that differs).
  bool raise(const Event& e, double seconds, const zeek::StringValPtr& host, const zeek::StringValPtr& boot_id);

  uint64_t skipped() const { return skipped_; }

  // Where each field of one type goes in its record: field i of the
  // event, in event_fields.h's order after seq, ts, host and boot_id, goes
  // to offsets[i] (-1: the record has no such field).
  struct Kind {
    zeek::EventHandlerPtr handler;
    zeek::RecordTypePtr type;
    std::vector<int> offsets;
    std::vector<zeek::TypeTag> tags;
    zeek::RecordTypePtr counter_type;  // SensorCounter, for sensor events
    int counter_name = -1;
    int counter_value = -1;
    bool usable = false;
  };

 private:
  const Kind& kind(const Event& e);

  std::array<std::optional<Kind>, kEventTypeCount> kinds_;
  std::array<bool, kEventTypeCount> enabled_{};
  uint64_t skipped_ = 0;
};

}  // namespace zagent::zeek_plugin

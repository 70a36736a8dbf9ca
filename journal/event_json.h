// The canonical text form of an event: one JSON object per line, with stable
// field names (the schema's). `zagent cat` and `zagent-replay --format json`
// print it; docs/json-format.md describes it.
#pragma once

#include <string>
#include <string_view>

#include "journal/event.h"

namespace zagent {

// Appends the event's JSON object (no newline) to `out`. `host` is the host
// name from the event's segment header.
void append_event_json(const Event& event, std::string_view host, std::string* out);

// Appends `bytes` as a JSON string. Valid UTF-8 passes through; each byte of
// an invalid sequence becomes the escape \udcXX (XX its value), the
// "surrogateescape" convention, so any byte string survives the trip.
void append_json_string(std::string_view bytes, std::string* out);

}  // namespace zagent

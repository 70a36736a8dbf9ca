// One event as the zagent Zeek package decodes it with from_json: the
// "Replay JSON" of docs/zeek.md. It differs from `zagent cat`'s JSON where
// Zeek's types need it: ts in seconds with 9 fraction digits, ports as
// "47018/tcp", counters as [{"name":..,"value":..}], boot_id included,
// and bytes past 0x7f written as they are (Zeek's JSON parser takes them;
// the \udcXX escapes of `zagent cat` would make it drop the event).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "journal/event.h"

namespace zagent::replay {

// With `as_zeek_literal` the text is written already escaped as the body of
// a Zeek string literal: every byte outside printable ASCII as \xNN,
// backslash and quote escaped (one pass, where escaping afterwards took as
// long again).
void append_zeek_json(const Event& e, std::string_view host, std::string_view boot_id, std::string* out,
                      bool as_zeek_literal = false);

// ts (ns since the epoch) as seconds with 9 fraction digits: "1795995902.877951685".
void append_seconds(int64_t ts, std::string* out);

}  // namespace zagent::replay

// Journal times (int64 ns since the Unix epoch) as text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zagent {

// "2026-11-29T16:53:47.123456789Z" (always UTC, always 9 digits).
std::string format_rfc3339(int64_t ts_ns);

// Accepts RFC 3339 ("2026-11-29T16:53:47Z", with optional fraction and a
// "Z" or "+hh:mm" offset; a space may replace the "T") and epoch seconds
// with an optional fraction ("1732899227.5"). Throws Error naming the text.
int64_t parse_time(std::string_view text);

}  // namespace zagent

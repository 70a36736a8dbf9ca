// --time-shift D: how much to add to every event's time, to correct the
// clock skew between a host and a packet capture. D is a signed number
// with a unit: "-2.5s", "+300ms", "1h", "-90us", "15ns"; no unit means
// seconds.
#pragma once

#include <cstdint>
#include <string_view>

namespace zagent::replay {

// Throws Error naming the text when it is no duration.
int64_t parse_time_shift(std::string_view text);

}  // namespace zagent::replay

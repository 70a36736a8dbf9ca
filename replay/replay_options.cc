#include "replay/replay_options.h"

#include <algorithm>
#include <limits>

#include "journal/timestamp.h"
#include "replay/time_shift.h"

namespace zagent::replay {

int64_t ReplayOptions::shift_ns() const { return time_shift.empty() ? 0 : parse_time_shift(time_shift); }

ReadOptions ReplayOptions::read_options() const {
  ReadOptions o;
  const int64_t shift = shift_ns();
  // Saturating: a window at the ends of time stays there.
  auto unshift = [shift](int64_t t) {
    if (shift > 0 && t < std::numeric_limits<int64_t>::min() + shift) return std::numeric_limits<int64_t>::min();
    if (shift < 0 && t > std::numeric_limits<int64_t>::max() + shift) return std::numeric_limits<int64_t>::max();
    return t - shift;
  };
  if (!since.empty()) o.since_ts = unshift(parse_time(since));
  if (!until.empty()) o.until_ts = unshift(parse_time(until));
  if (!types.empty()) {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ",") + t;
    o.type_mask = parse_type_mask(list);
  }
  return o;
}

bool ReplayOptions::wants_host(const std::string& host) const {
  return hosts.empty() || std::find(hosts.begin(), hosts.end(), host) != hosts.end();
}

}  // namespace zagent::replay

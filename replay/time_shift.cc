#include "replay/time_shift.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "journal/error.h"

namespace zagent::replay {

int64_t parse_time_shift(std::string_view text) {
  const std::string bad = "--time-shift: '" + std::string(text) +
                          "' is not a duration (a signed number with ns, us, ms, s, m or h, e.g. -2.5s)";
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  size_t unit_at = s.size();
  while (unit_at > 0 && std::isalpha(static_cast<unsigned char>(s[unit_at - 1]))) --unit_at;
  const std::string_view unit = s.substr(unit_at);
  const std::string number(s.substr(0, unit_at));
  double value = 0;
  const auto r = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || r.ec != std::errc() || r.ptr != number.data() + number.size() || !std::isfinite(value))
    throw Error(bad);
  double scale;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s" || unit.empty()) scale = 1e9;
  else if (unit == "m") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else throw Error(bad);
  const double ns = std::round(value * scale);
  if (std::fabs(ns) > 9.2e18) throw Error(bad);
  return static_cast<int64_t>(ns);
}

}  // namespace zagent::replay

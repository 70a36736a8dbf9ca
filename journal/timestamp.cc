#include "journal/timestamp.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "journal/error.h"

namespace zagent {

namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;
// The last whole second an int64 of ns can hold (2262-04-11).
constexpr int64_t kMaxSeconds = INT64_MAX / kNsPerSec - 1;

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {  // month 1..12
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

[[noreturn]] void bad_time(std::string_view text, const char* why) {
  throw Error("invalid time '" + std::string(text) + "': " + why +
              " (expected RFC 3339 such as 2026-11-29T16:53:47Z, or epoch seconds)");
}

// Reads exactly n digits at text[*pos].
int digits(std::string_view text, size_t* pos, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; ++i, ++*pos) {
    if (*pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[*pos]))) {
      bad_time(text, "digit expected");
    }
    v = v * 10 + (text[*pos] - '0');
  }
  return v;
}

void expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) bad_time(text, "unexpected character");
  ++*pos;
}

// Reads ".ddddddddd" (1-9 digits) when present; returns ns.
int64_t fraction(std::string_view text, size_t* pos) {
  if (*pos >= text.size() || text[*pos] != '.') return 0;
  ++*pos;
  int64_t ns = 0;
  size_t n = 0;
  while (*pos < text.size() && std::isdigit(static_cast<unsigned char>(text[*pos]))) {
    if (n < 9) ns = ns * 10 + (text[*pos] - '0');
    ++n;
    ++*pos;
  }
  if (n == 0) bad_time(text, "digits expected after '.'");
  for (size_t i = n; i < 9; ++i) ns *= 10;
  return ns;
}

int64_t parse_epoch(std::string_view text) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  int64_t secs = 0;
  size_t n = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    secs = secs * 10 + (text[pos++] - '0');
    if (secs > kMaxSeconds) bad_time(text, "out of range");
    ++n;
  }
  if (n == 0) bad_time(text, "digits expected");
  const int64_t frac = fraction(text, &pos);
  if (pos != text.size()) bad_time(text, "trailing characters");
  const int64_t ns = secs * kNsPerSec + frac;
  return negative ? -ns : ns;
}

}  // namespace

std::string format_rfc3339(int64_t ts_ns) {
  int64_t secs = ts_ns / kNsPerSec;
  int64_t ns = ts_ns % kNsPerSec;
  if (ns < 0) {
    ns += kNsPerSec;
    --secs;
  }
  const time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ns));
  return buf;
}

int64_t parse_time(std::string_view text) {
  if (text.size() < 5 || text[4] != '-') return parse_epoch(text);
  size_t pos = 0;
  struct tm tm {};
  tm.tm_year = digits(text, &pos, 4) - 1900;
  expect(text, &pos, '-');
  tm.tm_mon = digits(text, &pos, 2) - 1;
  expect(text, &pos, '-');
  tm.tm_mday = digits(text, &pos, 2);
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    bad_time(text, "'T' expected after the date");
  }
  ++pos;
  tm.tm_hour = digits(text, &pos, 2);
  expect(text, &pos, ':');
  tm.tm_min = digits(text, &pos, 2);
  expect(text, &pos, ':');
  tm.tm_sec = digits(text, &pos, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
      tm.tm_mday > days_in_month(tm.tm_year + 1900, tm.tm_mon + 1) || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    bad_time(text, "field out of range");
  }
  const int64_t frac = fraction(text, &pos);
  int64_t offset_secs = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const int hh = digits(text, &pos, 2);
    expect(text, &pos, ':');
    const int mm = digits(text, &pos, 2);
    if (hh > 23 || mm > 59) bad_time(text, "time zone offset out of range");
    offset_secs = sign * (hh * 3600 + mm * 60);
  } else {
    bad_time(text, "time zone ('Z' or +hh:mm) expected");
  }
  if (pos != text.size()) bad_time(text, "trailing characters");
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_secs;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) bad_time(text, "out of range");
  return secs * kNsPerSec + frac;
}

}  // namespace zagent

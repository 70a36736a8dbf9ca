// How readers report damage in a journal: they describe it and go on. What
// to do about it (fail, warn, count) is the caller's policy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace zagent {

enum class DamageKind {
  Garbage,         // bytes that are no frame of ours; skipped to the next frame
  BadRecord,       // a header, trailer or end record that fails to parse
  HashMismatch,    // a chain link does not hold
  BadBlock,        // a data frame that fails to decompress or verify
  TrailerMismatch, // a block whose contents contradict its trailer
  MissingTrailer,  // a data frame not followed by its trailer
  TornTail,        // the input ends inside a frame (a crash mid-write)
  ChainBreak,      // a segment whose prev_hash is not the previous segment's end
  SeqRegression,   // seq not strictly increasing across blocks or segments
  MissingSegment,  // a gap in segment indexes of one journal
};

std::string_view damage_kind_name(DamageKind kind);

struct Damage {
  DamageKind kind;
  std::string file;
  uint64_t offset = 0;  // where the damage starts, from the start of the file
  uint64_t length = 0;  // bytes affected (skipped), 0 when unknown or none
  std::string reason;

  // "FILE: offset N: kind: reason"
  std::string to_string() const;
};

using DamageReporter = std::function<void(const Damage&)>;

}  // namespace zagent

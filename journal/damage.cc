#include "journal/damage.h"

namespace zagent {

std::string_view damage_kind_name(DamageKind kind) {
  switch (kind) {
    case DamageKind::Garbage: return "garbage";
    case DamageKind::BadRecord: return "bad record";
    case DamageKind::HashMismatch: return "hash mismatch";
    case DamageKind::BadBlock: return "bad block";
    case DamageKind::TrailerMismatch: return "trailer mismatch";
    case DamageKind::MissingTrailer: return "missing trailer";
    case DamageKind::TornTail: return "torn tail";
    case DamageKind::ChainBreak: return "chain break";
    case DamageKind::SeqRegression: return "seq regression";
    case DamageKind::MissingSegment: return "missing segment";
  }
  return "unknown";
}

std::string Damage::to_string() const {
  std::string out = file + ": offset " + std::to_string(offset) + ": " +
                    std::string(damage_kind_name(kind));
  if (length) out += " (" + std::to_string(length) + " bytes)";
  if (!reason.empty()) out += ": " + reason;
  return out;
}

}  // namespace zagent

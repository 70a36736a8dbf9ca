// The journal's integrity chain: each record's hash covers the hash before
// it and the record's bytes. Changing a block breaks its link; dropping,
// inserting or reordering blocks breaks the link after the change, since
// each record names the hash it follows. BLAKE2b-256 from libsodium,
// unkeyed: the chain detects damage and tampering that does not rewrite
// every later hash; anchoring the newest hash elsewhere (e.g. in Zeek's
// logs) is what makes rewriting detectable too.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "journal/format.h"

namespace zagent {

using Hash = std::array<uint8_t, format::kHashSize>;

// hash = BLAKE2b-256(record type byte || prev || part1 || part2).
// The type byte keeps a header's hash from ever equalling a trailer's.
Hash chain_hash(format::Record type, const Hash& prev, std::span<const uint8_t> part1,
                std::span<const uint8_t> part2 = {});

std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace zagent

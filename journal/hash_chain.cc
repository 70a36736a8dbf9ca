#include "journal/hash_chain.h"

#include <sodium.h>

#include "journal/error.h"

namespace zagent {

Hash chain_hash(format::Record type, const Hash& prev, std::span<const uint8_t> part1,
                std::span<const uint8_t> part2) {
  static_assert(format::kHashSize == crypto_generichash_BYTES);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, format::kHashSize);
  const uint8_t tag = static_cast<uint8_t>(type);
  crypto_generichash_update(&state, &tag, 1);
  crypto_generichash_update(&state, prev.data(), prev.size());
  crypto_generichash_update(&state, part1.data(), part1.size());
  crypto_generichash_update(&state, part2.data(), part2.size());
  Hash out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace zagent

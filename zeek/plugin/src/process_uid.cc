#include "process_uid.h"

#include <zeek/digest.h>

#include <charconv>

namespace zagent::zeek_plugin {

namespace {

void append_decimal(std::string& out, uint64_t v) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, end);
}

}  // namespace

std::string process_uid(std::string_view host, std::string_view boot_id, uint64_t pid, uint64_t start_tick) {
  std::string text;
  text.reserve(host.size() + boot_id.size() + 44);
  text.append(host).append(1, '|').append(boot_id).append(1, '|');
  append_decimal(text, pid);
  text.append(1, '|');
  append_decimal(text, start_tick);

  unsigned char digest[ZEEK_MD5_DIGEST_LENGTH];
  zeek::detail::internal_md5(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string uid(18, 'P');
  for (size_t i = 0; i < 17; ++i) {
    const unsigned char byte = digest[i / 2];
    uid[1 + i] = kHex[i % 2 == 0 ? byte >> 4 : byte & 0x0f];
  }
  return uid;
}

}  // namespace zagent::zeek_plugin

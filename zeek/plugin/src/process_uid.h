// The zagent package's ZAgent::process_uid (zeek/events.zeek) in C++, for
// the package to call when this plugin is loaded: the same value as the
// script's md5_hash(fmt("%s|%s|%d|%d", ...)), at 0.9 us a call against the
// script's 2.1 us, paid for most replayed events (docs/performance.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zagent::zeek_plugin {

// "P" and the first 17 hex digits of the MD5 of "host|boot_id|pid|start_tick".
std::string process_uid(std::string_view host, std::string_view boot_id, uint64_t pid, uint64_t start_tick);

}  // namespace zagent::zeek_plugin

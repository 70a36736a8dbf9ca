// The replay stream: what `zagent-replay` writes by default, for a Zeek with
// the Zagent::Replay plugin (zeek/plugin/). It is one byte stream on Zeek's
// standard input, so that the card's pipe stays as it is:
//
//   zagent-replay journal.zst | zeek -C -r trace.pcap -
//
//   kGuard                          4 lines of Zeek script (see below)
//   "# zagent-replay stream 1, script bytes: N\n"
//   N bytes of Zeek script          the package (or @load zagent), the driver
//   frames, each:
//     u32 LE  body size             at most kMaxFrameBytes
//     u8      FrameType
//     body
//   Events frame: u16 LE host size, host, u16 LE boot id size, boot id, then
//     a Block FlatBuffer (schemas/events.fbs, as in a journal block, not
//     compressed) of at most kMaxFrameEvents events of that host and boot,
//     times already shifted, in journal order.
//   End frame: u64 LE, the number of events in all frames before it. Last.
//
// The plugin takes "-" from Zeek before Zeek reads it (a load-file hook),
// hands Zeek the guard-less script, and reads the frames itself while Zeek
// runs, one frame ahead, so Zeek parses only the script, never the events.
// Without the plugin Zeek reads the guard itself and stops at its third
// line with an error naming the plugin, before the bytes Zeek cannot parse.
// docs/replay.md, "The replay stream".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zagent::replay::stream {

inline constexpr std::string_view kGuard =
    "@load-plugin Zagent::Replay\n"
    "@ifndef ( ZAgentReplay::raise_due )\n"
    "@load zagent-replay-output-needs-the-Zeek-plugin-Zagent::Replay,see-docs/replay.md,"
    "or-use-zagent-replay--format=zeek-script\n"
    "@endif\n";
inline constexpr std::string_view kScriptLine = "# zagent-replay stream 1, script bytes: ";

enum class FrameType : uint8_t { Events = 'B', End = 'E' };

inline constexpr size_t kFrameHeaderBytes = 5;
inline constexpr uint32_t kMaxFrameBytes = 64u << 20;
inline constexpr size_t kMaxFrameEvents = 4096;
// The script part is the package and the driver: far below this.
inline constexpr size_t kMaxScriptBytes = 16u << 20;

}  // namespace zagent::replay::stream

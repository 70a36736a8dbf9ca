// The wire format between `zagent query --agent` / `zagent shell --agent` and
// the running agent's query socket (query_server.h). Binary, so that a
// host's byte strings and 64-bit integers cross it exactly.
//
// Every message is a frame: a 4-byte little-endian payload length, then the
// payload, whose first byte says what it is:
//
//   client -> agent   'Q' sql                      one statement list to run
//   agent -> client   'C' count, name...           a statement's columns
//                     'R' count, value...          one row
//                     'W' text                     a warning (journal damage)
//                     'E' text                     the query failed: why
//                     'D' rows, blocks_read, blocks_skipped   the query is done
//
// Counts are u32, figures u64, both little-endian; text is a u32 length and
// bytes. A value is a tag byte (0 NULL, 1 integer: 8 bytes, 2 real: 8 bytes
// IEEE, 3 text, 4 blob: u32 length and bytes). After 'E' or 'D' the client
// may send the next 'Q' on the same connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tables/value.h"

namespace zagent::query {

inline constexpr uint32_t kMaxFrame = 16u << 20;  // bytes; larger is damage

enum class MessageKind : char {
  Query = 'Q', Columns = 'C', Row = 'R', Warning = 'W', Error = 'E', Done = 'D',
};

// Builds one frame's payload.
class FrameWriter {
 public:
  explicit FrameWriter(MessageKind kind) { bytes_.push_back(static_cast<char>(kind)); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void text(std::string_view s);
  void value(const tables::Value& v);
  // The frame: length prefix and payload.
  std::string frame() const;

 private:
  std::string bytes_;
};

// Reads one frame's payload; every read is bounds-checked and throws Error
// naming what was cut short.
class FrameReader {
 public:
  explicit FrameReader(std::string payload);
  MessageKind kind() const { return static_cast<MessageKind>(payload_[0]); }
  uint32_t u32();
  // A count of items that each take at least a byte: bounded by what is left.
  uint32_t count();
  uint64_t u64();
  std::string text();
  tables::Value value();
  bool at_end() const { return pos_ == payload_.size(); }

 private:
  void need(size_t n, const char* what) const;
  std::string payload_;
  size_t pos_ = 1;
};

// Blocking frame I/O on a socket. read_frame returns false at a clean end
// of stream (before a frame starts); throws Error otherwise.
bool read_frame(int fd, std::string* payload);
void write_all(int fd, std::string_view bytes);

}  // namespace zagent::query

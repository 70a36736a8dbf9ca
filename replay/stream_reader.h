// Reads the replay stream (replay/stream_format.h) from a file descriptor,
// as the Zagent::Replay Zeek plugin does on Zeek's standard input: first
// the head (the script Zeek parses), then one frame at a time, each checked
// before use, so that at most one frame is held whatever the stream's size.
// The stream is untrusted input like a journal: nothing in it is used
// before the FlatBuffers verifier and the block decoder have passed it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "replay/read_ahead.h"

namespace zagent::replay {

class StreamReader {
 public:
  // `warn` gets damage, each message naming `name` and the offset.
  using Warn = std::function<void(const std::string&)>;
  StreamReader(int fd, std::string name, Warn warn);

  // Reads the head. True, with the script that follows the guard, when the
  // input is a replay stream; false, with all of the input read to its end,
  // when it is not (it is then a script of its own). Throws Error when the
  // guard is there but the script line or the script is not.
  bool read_head(std::string* script);

  // The next frame's events, their host and boot id; false at the stream's
  // end. A frame whose block does not verify is reported and skipped; a
  // frame header that cannot be right (too large, an unknown type) or the
  // input ending before the End frame is reported and ends the stream.
  bool next(EventBatch* out);

  // Whether the End frame was read and its count matched.
  bool complete() const { return complete_; }
  uint64_t events() const { return events_; }
  uint64_t skipped_frames() const { return skipped_frames_; }

 private:
  // Makes `n` bytes available at pos_; false when the input ends first.
  bool fill(size_t n);
  void warn(uint64_t offset, const std::string& what);
  bool decode_events(size_t body, uint64_t offset, EventBatch* out);

  int fd_;
  std::string name_;
  Warn warn_;
  std::vector<uint8_t> buffer_;
  std::vector<uint8_t> block_;  // the current frame's block, aligned
  size_t pos_ = 0;          // next unread byte in buffer_
  size_t end_ = 0;          // end of the bytes read into buffer_
  uint64_t consumed_ = 0;   // stream offset of buffer_[0]
  bool eof_ = false;
  bool ended_ = false;
  bool complete_ = false;
  uint64_t events_ = 0;
  uint64_t skipped_frames_ = 0;
};

}  // namespace zagent::replay

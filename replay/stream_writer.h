// Writes the replay stream (replay/stream_format.h): the guard, the script
// (the package, or `@load zagent`, and replay/stream_driver.zeek), then the
// events as Block frames of at most kMaxFrameEvents each, then the End
// frame. Memory is one frame, whatever the journal's size.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string_view>

#include "journal/event.h"

namespace flatbuffers {
class FlatBufferBuilder;
}

namespace zagent::replay {

class StreamWriter {
 public:
  // Writes the guard and the script. `prelude`: the package's scripts
  // themselves, else `@load zagent` (the installed package).
  StreamWriter(std::FILE* out, bool prelude);
  ~StreamWriter();

  // `events`: journal order, of one host and boot. Throws Error when the
  // output fails.
  void add(std::span<const Event> events, std::string_view host, std::string_view boot_id);
  // Writes the End frame and flushes.
  void finish();

  uint64_t events() const { return events_; }

 private:
  // False, writing nothing, when the frame would be too large.
  bool write_frame(std::span<const Event> events, std::string_view host, std::string_view boot_id);
  void write(const void* data, size_t size);

  std::FILE* out_;
  std::unique_ptr<flatbuffers::FlatBufferBuilder> fbb_;
  uint64_t events_ = 0;
};

}  // namespace zagent::replay

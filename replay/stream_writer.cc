#include "replay/stream_writer.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <string>

#include "journal/block_codec.h"
#include "journal/error.h"
#include "replay/stream_format.h"
#include "replay/zeek_script.h"

namespace zagent::replay {
namespace {

// `bytes` bytes of `v`, little-endian.
void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A host name or boot id as the frame holds it: at most 65535 bytes (a
// journal's are far shorter; longer ones are cut, never refused).
std::string_view bounded(std::string_view s) { return s.substr(0, 0xffff); }

}  // namespace

StreamWriter::StreamWriter(std::FILE* out, bool prelude)
    : out_(out), fbb_(std::make_unique<flatbuffers::FlatBufferBuilder>(1 << 20)) {
  std::string script = script_prelude(prelude);
  script += "\n";
  script += kStreamDriver;
  std::string head(stream::kGuard);
  head += stream::kScriptLine;
  head += std::to_string(script.size());
  head += "\n";
  write(head.data(), head.size());
  write(script.data(), script.size());
}

StreamWriter::~StreamWriter() = default;

void StreamWriter::write(const void* data, size_t size) {
  if (std::fwrite(data, 1, size, out_) != size) throw Error("cannot write the replay stream");
}

void StreamWriter::add(std::span<const Event> events, std::string_view host, std::string_view boot_id) {
  size_t n = stream::kMaxFrameEvents;
  while (!events.empty()) {
    n = std::min(n, events.size());
    if (write_frame(events.first(n), host, boot_id)) {
      events = events.subspan(n);
      n = stream::kMaxFrameEvents;
    } else if (n > 1) {
      n /= 2;  // huge strings: fewer events per frame
    } else {
      throw Error("event seq " + std::to_string(events.front().seq) + " takes more than the " +
                  std::to_string(stream::kMaxFrameBytes) + " bytes a replay stream frame may hold");
    }
  }
}

bool StreamWriter::write_frame(std::span<const Event> events, std::string_view host, std::string_view boot_id) {
  host = bounded(host);
  boot_id = bounded(boot_id);
  encode_block(events, *fbb_);
  const size_t block_size = fbb_->GetSize();
  const size_t body = 2 + host.size() + 2 + boot_id.size() + block_size;
  if (body > stream::kMaxFrameBytes) return false;
  std::string head;
  put_le(&head, body, 4);
  head.push_back(static_cast<char>(stream::FrameType::Events));
  put_le(&head, host.size(), 2);
  head.append(host);
  put_le(&head, boot_id.size(), 2);
  head.append(boot_id);
  write(head.data(), head.size());
  write(fbb_->GetBufferPointer(), block_size);
  events_ += events.size();
  return true;
}

void StreamWriter::finish() {
  std::string end;
  put_le(&end, 8, 4);
  end.push_back(static_cast<char>(stream::FrameType::End));
  put_le(&end, events_, 8);
  write(end.data(), end.size());
  if (std::fflush(out_) != 0) throw Error("cannot write the replay stream");
}

}  // namespace zagent::replay

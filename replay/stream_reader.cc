#include "replay/stream_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "journal/block_codec.h"
#include "journal/error.h"
#include "replay/stream_format.h"
#include "schemas/events_generated.h"

namespace zagent::replay {
namespace {

constexpr size_t kReadChunk = 1 << 20;

uint64_t get_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

StreamReader::StreamReader(int fd, std::string name, Warn warn)
    : fd_(fd), name_(std::move(name)), warn_(std::move(warn)) {}

void StreamReader::warn(uint64_t offset, const std::string& what) {
  warn_(name_ + ", offset " + std::to_string(offset) + ": " + what);
}

bool StreamReader::fill(size_t n) {
  if (end_ - pos_ >= n) return true;
  if (pos_ > 0) {  // keep only what is unread
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    consumed_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (buffer_.size() < std::max(n, kReadChunk)) buffer_.resize(std::max(n, kReadChunk));
  while (end_ < n && !eof_) {
    const ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read the replay stream", name_);
    }
    if (got == 0) eof_ = true;
    end_ += static_cast<size_t>(got);
  }
  return end_ - pos_ >= n;
}

bool StreamReader::read_head(std::string* script) {
  const std::string_view guard = stream::kGuard;
  const bool has_guard =
      fill(guard.size()) && std::memcmp(buffer_.data() + pos_, guard.data(), guard.size()) == 0;
  if (!has_guard) {  // a script of its own: all of it
    while (fill(end_ - pos_ + 1)) {
    }
    script->assign(reinterpret_cast<const char*>(buffer_.data() + pos_), end_ - pos_);
    pos_ = end_;
    ended_ = true;
    return false;
  }
  pos_ += guard.size();
  // "# zagent-replay stream 1, script bytes: N\n"
  const std::string_view line = stream::kScriptLine;
  const uint64_t line_offset = consumed_ + pos_;
  fill(line.size() + 21);
  const char* text = reinterpret_cast<const char*>(buffer_.data() + pos_);
  const size_t have = end_ - pos_;
  size_t size = 0;
  const auto parsed = std::from_chars(text + std::min(have, line.size()), text + have, size);
  if (have < line.size() || std::memcmp(text, line.data(), line.size()) != 0 || parsed.ec != std::errc() ||
      parsed.ptr == text + have || *parsed.ptr != '\n')
    throw Error(name_ + ", offset " + std::to_string(line_offset) +
                ": a replay stream's guard, but not its script line (\"" + std::string(line) +
                "N\"): not written by this zagent-replay?");
  if (size > stream::kMaxScriptBytes)
    throw Error(name_ + ", offset " + std::to_string(line_offset) + ": a script of " + std::to_string(size) +
                " bytes, more than a replay stream's " + std::to_string(stream::kMaxScriptBytes));
  pos_ += static_cast<size_t>(parsed.ptr + 1 - text);
  if (!fill(size))
    throw Error(name_ + ": the replay stream ends inside its script (of " + std::to_string(size) +
                " bytes, from offset " + std::to_string(consumed_ + pos_) + ")");
  script->assign(reinterpret_cast<const char*>(buffer_.data() + pos_), size);
  pos_ += size;
  return true;
}

bool StreamReader::next(EventBatch* out) {
  while (!ended_) {
    const uint64_t offset = consumed_ + pos_;
    if (!fill(stream::kFrameHeaderBytes)) {
      warn(offset, end_ == pos_ ? "the replay stream ends after " + std::to_string(events_) +
                                      " events without its End frame: zagent-replay stopped early (its "
                                      "standard error says why), and the events after these are missing"
                                : "the replay stream ends inside a frame header");
      ended_ = true;
      break;
    }
    const uint8_t* head = buffer_.data() + pos_;
    const auto size = static_cast<uint32_t>(get_le(head, 4));
    const auto type = static_cast<stream::FrameType>(head[4]);
    if (type != stream::FrameType::Events && type != stream::FrameType::End) {
      warn(offset, "a frame of unknown type " + std::to_string(head[4]) + ": the rest of the stream is skipped");
      ended_ = true;
      break;
    }
    if (size > stream::kMaxFrameBytes) {
      warn(offset, "a frame of " + std::to_string(size) + " bytes, more than the " +
                       std::to_string(stream::kMaxFrameBytes) + " a frame may hold: the rest of the stream is skipped");
      ended_ = true;
      break;
    }
    if (!fill(stream::kFrameHeaderBytes + size)) {
      warn(offset, "the replay stream ends inside a frame of " + std::to_string(size) + " bytes, after " +
                       std::to_string(events_) + " events: the events after these are missing");
      ended_ = true;
      break;
    }
    pos_ += stream::kFrameHeaderBytes;
    const size_t body = pos_;
    pos_ += size;
    if (type == stream::FrameType::End) {
      ended_ = true;
      const uint64_t count = size == 8 ? get_le(buffer_.data() + body, 8) : ~uint64_t{0};
      complete_ = count == events_;
      if (!complete_)
        warn(offset, "the End frame counts " + (size == 8 ? std::to_string(count) : std::string("?")) +
                         " events, but the frames before it held " + std::to_string(events_));
      break;
    }
    if (decode_events(size, offset, out)) {
      events_ += out->events.size();
      return true;
    }
    ++skipped_frames_;
  }
  return false;
}

bool StreamReader::decode_events(size_t size, uint64_t offset, EventBatch* out) {
  const uint8_t* p = buffer_.data() + pos_ - size;
  const uint8_t* const end = p + size;
  std::string_view fields[2];
  for (std::string_view& field : fields) {
    const size_t n = end - p >= 2 ? get_le(p, 2) : SIZE_MAX;
    if (n > static_cast<size_t>(end - p) - 2 || end - p < 2) {
      warn(offset, "an Events frame whose host or boot id runs past its end: its events are skipped");
      return false;
    }
    field = {reinterpret_cast<const char*>(p + 2), n};
    p += 2 + n;
  }
  // FlatBuffers reads scalars in place: give the block the alignment it
  // had when built (the frame puts it at any offset).
  block_.assign(p, end);
  const fb::Block* block = verified_block(block_);
  if (!block) {
    warn(offset, "an Events frame whose block does not verify: its events are skipped");
    return false;
  }
  if (block->type()->size() > stream::kMaxFrameEvents) {
    warn(offset, "an Events frame of " + std::to_string(block->type()->size()) + " events, more than the " +
                     std::to_string(stream::kMaxFrameEvents) + " a frame may hold: its events are skipped");
    return false;
  }
  out->events.clear();
  std::string why;
  if (!decode_block(*block, &out->events, &why)) {
    warn(offset, "an Events frame whose block does not decode (" + why + "): its events are skipped");
    return false;
  }
  out->host.assign(fields[0]);
  out->boot_id.assign(fields[1]);
  return true;
}

}  // namespace zagent::replay

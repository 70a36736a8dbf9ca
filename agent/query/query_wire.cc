#include "agent/query/query_wire.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "journal/error.h"

namespace zagent::query {
namespace {

enum ValueTag : uint8_t { kNull = 0, kInteger, kReal, kText, kBlob };

void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t get_le(const std::string& s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(s[pos + i])} << (8 * i);
  return v;
}

}  // namespace

void FrameWriter::u32(uint32_t v) { put_le(&bytes_, v, 4); }
void FrameWriter::u64(uint64_t v) { put_le(&bytes_, v, 8); }
void FrameWriter::text(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  bytes_.append(s);
}

void FrameWriter::value(const tables::Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    bytes_.push_back(kInteger);
    u64(static_cast<uint64_t>(*i));
  } else if (const auto* d = std::get_if<double>(&v)) {
    uint64_t bits;
    std::memcpy(&bits, d, sizeof bits);
    bytes_.push_back(kReal);
    u64(bits);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    bytes_.push_back(kText);
    text(*s);
  } else if (const auto* b = std::get_if<tables::Blob>(&v)) {
    bytes_.push_back(kBlob);
    text(b->bytes);
  } else {
    bytes_.push_back(kNull);
  }
}

std::string FrameWriter::frame() const {
  std::string out;
  put_le(&out, bytes_.size(), 4);
  return out + bytes_;
}

FrameReader::FrameReader(std::string payload) : payload_(std::move(payload)) {
  if (payload_.empty()) throw Error("query socket: empty message");
}

void FrameReader::need(size_t n, const char* what) const {
  if (payload_.size() - pos_ < n)
    throw Error(std::string("query socket: message '") + payload_[0] + "' cut short in its " + what +
                " at byte " + std::to_string(pos_));
}

uint32_t FrameReader::u32() {
  need(4, "count");
  const auto v = static_cast<uint32_t>(get_le(payload_, pos_, 4));
  pos_ += 4;
  return v;
}

uint32_t FrameReader::count() {
  const uint32_t n = u32();
  if (n > payload_.size() - pos_) throw Error("query socket: a count of " + std::to_string(n) + " items exceeds the message");
  return n;
}

uint64_t FrameReader::u64() {
  need(8, "number");
  const uint64_t v = get_le(payload_, pos_, 8);
  pos_ += 8;
  return v;
}

std::string FrameReader::text() {
  const uint32_t n = u32();
  need(n, "text");
  std::string s = payload_.substr(pos_, n);
  pos_ += n;
  return s;
}

tables::Value FrameReader::value() {
  need(1, "value tag");
  const auto tag = static_cast<uint8_t>(payload_[pos_++]);
  switch (tag) {
    case kNull: return std::monostate{};
    case kInteger: return static_cast<int64_t>(u64());
    case kReal: {
      const uint64_t bits = u64();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    case kText: return text();
    case kBlob: return tables::Blob{text()};
    default: throw Error("query socket: unknown value tag " + std::to_string(tag) + " at byte " + std::to_string(pos_ - 1));
  }
}

namespace {
// Reads exactly n bytes; false when the stream ends before the first.
bool read_exact(int fd, char* p, size_t n, bool allow_eof) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error(std::string("query socket: read: ") + std::strerror(errno));
    if (r == 0) {
      if (got == 0 && allow_eof) return false;
      throw Error("query socket: the peer closed the connection mid-message");
    }
    got += static_cast<size_t>(r);
  }
  return true;
}
}  // namespace

bool read_frame(int fd, std::string* payload) {
  char len[4];
  if (!read_exact(fd, len, 4, true)) return false;
  const auto n = static_cast<uint32_t>(get_le(std::string(len, 4), 0, 4));
  if (n == 0 || n > kMaxFrame) throw Error("query socket: bad message length " + std::to_string(n));
  payload->resize(n);
  read_exact(fd, payload->data(), n, false);
  return true;
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t w = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw Error(std::string("query socket: write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(w));
  }
}

}  // namespace zagent::query

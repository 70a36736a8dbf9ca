// libFuzzer target for the replay stream's reader (replay/stream_reader.h),
// which the Zagent::Replay plugin runs inside Zeek on whatever arrives on
// Zeek's standard input. The input is the bytes of a stream (or of anything
// else), read from a file descriptor as the plugin reads stdin:
//
// - read_head() either finds no stream, and then hands back every byte
//   unchanged, or returns the script, or throws Error with a message;
// - every batch next() returns holds events (at most a frame's 4,096) that
//   the JSON writer reads field by field, and every damage report names
//   the input and an offset inside it;
// - events() counts exactly the events returned.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "journal/error.h"
#include "journal/event_json.h"
#include "replay/stream_format.h"
#include "replay/stream_reader.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "replay_stream_fuzz: check failed: %s\n", what);
  std::abort();
}

// The input on a file descriptor at offset 0, as stdin would be: one memfd,
// rewritten for each input.
int input_fd(std::span<const uint8_t> bytes) {
  static const int fd = ::memfd_create("replay_stream_fuzz", MFD_CLOEXEC);
  check(fd >= 0, "memfd_create");
  check(::ftruncate(fd, 0) == 0, "ftruncate the memfd");
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    check(n > 0, "pwrite to the memfd");
    done += static_cast<size_t>(n);
  }
  check(::lseek(fd, 0, SEEK_SET) == 0, "lseek the memfd");
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  const int fd = input_fd(bytes);
  bool warned_offset_ok = true;
  zagent::replay::StreamReader reader(fd, "input", [&](const std::string& what) {
    // "input, offset N: ...", N inside the input
    const std::string prefix = "input, offset ";
    const bool named = what.rfind(prefix, 0) == 0;
    const unsigned long long offset = named ? std::strtoull(what.c_str() + prefix.size(), nullptr, 10) : 0;
    warned_offset_ok = warned_offset_ok && named && offset <= size;
  });
  std::string script;
  try {
    if (!reader.read_head(&script)) {
      check(script == std::string(reinterpret_cast<const char*>(data), size),
            "input that is no stream comes back whole");
      return 0;
    }
  } catch (const zagent::Error& e) {
    check(*e.what() != '\0', "a damaged head is reported with a message");
    return 0;
  }
  check(script.size() < size, "the script lies inside the input");

  zagent::replay::EventBatch batch;
  uint64_t events = 0;
  std::string json;
  while (reader.next(&batch)) {
    check(!batch.events.empty() && batch.events.size() <= zagent::replay::stream::kMaxFrameEvents,
          "a batch holds one frame's events");
    for (const zagent::Event& e : batch.events) {
      json.clear();
      zagent::append_event_json(e, batch.host, &json);
      check(json.size() >= 2 && json.front() == '{' && json.back() == '}', "an event is a JSON object");
    }
    events += batch.events.size();
  }
  check(warned_offset_ok, "damage reports name the input and an offset inside it");
  check(reader.events() == events, "events() counts the events returned");
  return 0;
}

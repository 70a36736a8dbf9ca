// Writes small, valid journal segments for the reader's fuzz corpus, with
// SegmentWriter directly so that a few kilobytes hold many blocks:
//
//   make_fuzz_seeds DIR
//
// DIR/one-block.zst     one block holding one event of every type
// DIR/multi-block.zst   several blocks of two or three events, closed cleanly
// DIR/next-segment.zst  segment 2 of the same journal, chained to multi-block
// DIR/unfinished.zst    blocks but no end record (the writer crashed)
//
// Everything is fixed (ids, times, contents), so the output is the same on
// every run. testdata/fuzz/make-seeds.sh derives the other seeds from these.
#include <cstdio>
#include <string>
#include <vector>

#include "journal/error.h"
#include "journal/segment_writer.h"

namespace {

using namespace zagent;

constexpr int64_t kStartTs = 1'764'000'000'000'000'000;

IpAddress v6(std::initializer_list<uint8_t> head) {
  std::array<uint8_t, 16> b{};
  std::copy(head.begin(), head.end(), b.begin());
  b[15] = 1;
  return IpAddress::v6(b);
}

// The body of event `i`: every type in turn, with the odd values a reader
// must cope with (non-UTF-8 bytes, control characters, empty strings, IPv6,
// the largest numbers).
EventBody body(size_t i) {
  switch (i % kEventTypeCount) {
    case 0: {
      ProcessExec e;
      e.pid = 4100 + static_cast<uint32_t>(i);
      e.ppid = 1;
      e.start_boot_ns = 86'400'000'000'000ull + i;
      e.uid = e.euid = 1000;
      e.gid = e.egid = 1000;
      e.session_id = 3;
      e.exe = "/usr/bin/curl";
      e.argv = {"curl", "-s", "http://203.0.113.7:8080/\xff\xfe", "caf\xc3\xa9", ""};
      e.argv_truncated = i % 2 == 0;
      e.cwd = "/home/alice";
      e.comm = "curl";
      e.tty = "pts/0";
      e.cgroup_id = 4242;
      e.container_id = i % 2 ? "" : "3f2a9c";
      e.exe_sha256 = std::string(32, '\x5a');
      e.exe_hash_status = HashStatus::Ok;
      return e;
    }
    case 1:
      return ProcessFork{4200 + static_cast<uint32_t>(i), 4100, 1, 2, 0, "bash"};
    case 2:
      return ProcessExit{4200 + static_cast<uint32_t>(i), 1, -1, 9, INT64_MAX, "tab\there"};
    case 3: {
      ProcessSnapshot s;
      s.pid = 1;
      s.exe = "/usr/lib/systemd/systemd";
      s.argv = {"/sbin/init"};
      s.comm = "systemd";
      s.exe_hash_status = HashStatus::Unreadable;
      return s;
    }
    case 4:
      return SocketEvent{SocketAction::Close, i % 2 ? Protocol::Udp : Protocol::Tcp,
                         4100, 1, 1000, "ssh", "/usr/bin/ssh",
                         v6({0xfe, 0x80}), 50'000, IpAddress::v4(0xCB007107), 22,
                         UINT64_MAX, 12345};
    case 5:
      return FileEvent{FileAction::Rename, 4100, 1, 0, "mv", "/usr/bin/mv",
                       "/etc/cron.d/\x01job", "/etc/cron.d/job\"\\", 0644};
    case 6:
      return LoginEvent{LoginAction::Start, "alice", "pts/1", "bastion.example",
                        v6({0x20, 0x01, 0x0d, 0xb8}), 4000, 7};
    default:
      return SensorEvent{SensorAction::EventsLost, "process", "ring buffer full \xe2\x82",
                         {{"lost", 17}, {"", 0}}};
  }
}

std::vector<Event> events(size_t first, size_t count) {
  std::vector<Event> out;
  for (size_t i = first; i < first + count; ++i) {
    // ts mostly rising, now and then a step back, as clocks do.
    const int64_t ts = kStartTs + static_cast<int64_t>(i) * 1'000'000 - (i % 5 == 4 ? 3'000'000 : 0);
    out.push_back(Event{ts, 1 + i, body(i)});
  }
  return out;
}

SegmentHeader header(uint64_t index, uint64_t first_seq, const Hash& prev) {
  SegmentHeader h;
  h.journal_id = std::string("fuzz-seed-journl", format::kJournalIdSize);
  h.segment_index = index;
  h.created_ts = kStartTs + static_cast<int64_t>(first_seq) * 1'000'000;
  h.first_seq = first_seq;
  h.host_name = "seed-host";
  h.machine_id = "0123456789abcdef0123456789abcdef";
  h.boot_id = "6c1e2a5e-8a0b-4b7e-9f3d-2f1c0e9d8b7a";
  h.agent_version = "make_fuzz_seeds";
  h.schema_hash = current_schema_hash();
  h.prev_hash = prev;
  return h;
}

// Writes blocks of the given sizes from event `first` on; returns the next
// event and the segment's final chain hash.
std::pair<size_t, Hash> write_segment(const std::string& path, uint64_t index, size_t first,
                                      const Hash& prev, const std::vector<size_t>& blocks,
                                      bool finish) {
  std::remove(path.c_str());
  SegmentWriter w(path, header(index, 1 + first, prev), 3);
  for (size_t n : blocks) {
    w.append_block(events(first, n));
    first += n;
  }
  if (finish) w.finish(kStartTs + static_cast<int64_t>(first) * 1'000'000, 1 + first);
  return {first, w.chain()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  try {
    write_segment(dir + "/one-block.zst", 1, 0, Hash{}, {kEventTypeCount}, true);
    const auto [next, chain] =
        write_segment(dir + "/multi-block.zst", 1, 0, Hash{}, {3, 2, 3, 1, 3, 2}, true);
    write_segment(dir + "/next-segment.zst", 2, next, chain, {2, 3, 2}, true);
    write_segment(dir + "/unfinished.zst", 1, 0, Hash{}, {2, 2, 3}, false);
  } catch (const Error& e) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", e.what());
    return 2;
  }
  return 0;
}

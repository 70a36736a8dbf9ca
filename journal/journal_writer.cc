#include "journal/journal_writer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "journal/error.h"
#include "journal/journal_reader.h"
#include "journal/mapped_file.h"
#include "journal/segment_scanner.h"

namespace zagent {

namespace fs = std::filesystem;

namespace {

// Sets a flag for the length of a scope and restores it, also on a throw.
class FlagScope {
 public:
  explicit FlagScope(bool& flag) : flag_(flag), saved_(flag) { flag_ = true; }
  ~FlagScope() { flag_ = saved_; }
  FlagScope(const FlagScope&) = delete;
  FlagScope& operator=(const FlagScope&) = delete;

 private:
  bool& flag_;
  bool saved_;
};

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

struct SizeVisitor {
  static size_t strings(const std::vector<std::string>& v) {
    size_t n = 0;
    for (const auto& s : v) n += s.size() + 8;
    return n;
  }
  size_t operator()(const ProcessExec& e) const {
    return 120 + e.exe.size() + e.cwd.size() + e.comm.size() + e.tty.size() + e.container_id.size() +
           e.exe_sha256.size() + strings(e.argv);
  }
  size_t operator()(const ProcessSnapshot& e) const { return (*this)(static_cast<const ProcessExec&>(e)); }
  size_t operator()(const ProcessFork& e) const { return 48 + e.comm.size(); }
  size_t operator()(const ProcessExit& e) const { return 48 + e.comm.size(); }
  size_t operator()(const SocketEvent& e) const { return 96 + e.comm.size() + e.exe.size(); }
  size_t operator()(const FileEvent& e) const {
    return 56 + e.comm.size() + e.exe.size() + e.path.size() + e.new_path.size();
  }
  size_t operator()(const LoginEvent& e) const {
    return 64 + e.user.size() + e.tty.size() + e.remote_host.size();
  }
  size_t operator()(const SensorEvent& e) const {
    size_t n = 48 + e.sensor.size() + e.message.size();
    for (const Counter& c : e.counters) n += 24 + c.name.size();
    return n;
  }
};

}  // namespace

size_t approx_encoded_size(const EventBody& body) { return std::visit(SizeVisitor{}, body); }

HostIdentity HostIdentity::local() {
  HostIdentity id;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) id.host_name = name;
  id.machine_id = first_line("/etc/machine-id");
  id.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  return id;
}

std::string JournalWriter::segment_name(uint64_t index) {
  char name[48];
  std::snprintf(name, sizeof name, "segment-%012llu.zst", static_cast<unsigned long long>(index));
  return name;
}

JournalWriter::JournalWriter(WriterOptions options) : options_(std::move(options)) {
  // No destructor runs when this constructor throws: close the descriptors
  // here, or the leaked lock keeps every later writer of this process out.
  struct ReleaseOnThrow {
    JournalWriter* w;
    bool done = false;
    ~ReleaseOnThrow() {
      if (done) return;
      if (w->lock_fd_ >= 0) ::close(w->lock_fd_);
      if (w->dir_fd_ >= 0) ::close(w->dir_fd_);
    }
  } release{this};
  if (!options_.clock) options_.clock = wall_clock_ns;
  if (options_.block_events == 0) options_.block_events = 1;
  options_.max_pending = std::max(options_.max_pending, options_.block_events);
  if (sodium_init() < 0) throw Error("libsodium failed to initialise");

  std::error_code ec;
  if (!fs::exists(options_.dir, ec)) {
    fs::create_directories(options_.dir, ec);
    if (ec) throw Error("cannot create journal directory: " + options_.dir + ": " + ec.message());
    ::chmod(options_.dir.c_str(), 0700);
  }
  if (!fs::is_directory(options_.dir, ec)) throw Error("not a directory: " + options_.dir);
  dir_fd_ = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) throw_errno("cannot open journal directory", options_.dir);
  lock_directory();

  const std::vector<std::string> segments = JournalReader::list_segments(options_.dir);
  uint64_t last_index = 0;
  Hash chain{};
  if (segments.empty()) {
    journal_id_.resize(format::kJournalIdSize);
    randombytes_buf(journal_id_.data(), journal_id_.size());
  } else {
    recover(segments, &last_index, &chain);
  }
  open_segment(last_index + 1, chain);
  if (recovery_.recovered) {
    record(SensorAction::JournalRecovered,
           recovery_.bytes_dropped
               ? "previous segment ended torn; " + std::to_string(recovery_.bytes_dropped) +
                     " bytes moved to " + recovery_.torn_file
               : "previous segment was not closed cleanly",
           {{"bytes_dropped", recovery_.bytes_dropped},
            {"seq_gap", recovery_.seq_gap},
            {"segment", last_index}});
  }
  apply_retention();
  release.done = true;
}

JournalWriter::~JournalWriter() {
  try {
    close();
  } catch (const Error&) {
    // Nothing to do in a destructor; the next open recovers.
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

void JournalWriter::lock_directory() {
  const std::string path = options_.dir + "/lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw_errno("cannot create lock file", path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw Error("journal directory is in use by another writer: " + options_.dir);
    throw_errno("cannot lock", path);
  }
}

void JournalWriter::sync_directory() {
  if (options_.fsync != FsyncPolicy::Never) ::fsync(dir_fd_);
}

// Scans the newest segment to find where the journal stands. Files whose
// header is unreadable hold nothing a trailer covers: they are set aside
// whole. A torn tail is copied to "<segment>.torn" and cut off.
void JournalWriter::recover(const std::vector<std::string>& segments, uint64_t* last_index, Hash* chain) {
  uint64_t seq_seen = 0;  // the highest seq any scanned trailer names
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    const std::string& file = *it;
    SegmentHeader header;
    bool have_header = false;
    bool closed = false;
    uint64_t last_seq = 0;
    bool have_blocks = false;
    Hash good_chain{};
    uint64_t good_end = 0;
    uint64_t file_size = 0;
    {
      MappedFile mapped(file);
      file_size = mapped.bytes().size();
      SegmentScanner scanner(file, mapped.bytes(),
                             [this](const Damage& d) { recovery_.damage.push_back(d); });
      for (auto item = scanner.next(); item != SegmentScanner::Item::Done; item = scanner.next()) {
        if (item == SegmentScanner::Item::Segment) {
          if (scanner.segment().header.format_version > format::kFormatVersion) {
            throw Error("journal segment written in format " +
                        std::to_string(scanner.segment().header.format_version) +
                        " by a newer zagent; this one writes format " +
                        std::to_string(format::kFormatVersion) + ": " + file);
          }
          if (have_header) break;                      // one segment per file
          if (!scanner.segment().header_ok) continue;  // set aside; its blocks still count for seq
          header = scanner.segment().header;
          have_header = true;
          good_chain = scanner.segment().stored_hash;
          good_end = scanner.last_good_end();
        } else if (item == SegmentScanner::Item::Block) {
          // Even in a file set aside, its trailers say which seq it used.
          seq_seen = std::max(seq_seen, scanner.block().trailer.last_seq);
          if (!have_header) continue;
          last_seq = std::max(last_seq, scanner.block().trailer.last_seq);
          have_blocks = true;
          good_chain = scanner.block().stored_hash;
          good_end = scanner.last_good_end();
        } else if (have_header && item == SegmentScanner::Item::End) {
          closed = true;
          next_seq_ = scanner.end().end.next_seq;
          good_chain = scanner.end().stored_hash;
          good_end = scanner.last_good_end();
        }
      }
    }

    if (!have_header) {
      const std::string aside = torn_path(file);
      if (::rename(file.c_str(), aside.c_str()) != 0) throw_errno("cannot set aside", file);
      sync_directory();
      recovery_.recovered = true;
      recovery_.bytes_dropped += file_size;
      recovery_.torn_file = aside;
      continue;
    }

    journal_id_ = header.journal_id;
    *last_index = header.segment_index;
    *chain = good_chain;
    if (good_end < file_size) {
      // Keep the torn bytes for the responder, out of the chain.
      const std::string aside = torn_path(file);
      {
        MappedFile mapped(file);
        const int fd = ::open(aside.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) throw_errno("cannot create", aside);
        auto tail = mapped.bytes().subspan(good_end);
        while (!tail.empty()) {
          const ssize_t n = ::write(fd, tail.data(), tail.size());
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            ::close(fd);
            throw_errno("cannot write", aside);
          }
          tail = tail.subspan(static_cast<size_t>(n));
        }
        const bool synced = ::fsync(fd) == 0;
        ::close(fd);
        if (!synced) throw_errno("cannot sync", aside);
      }
      // The copy must be durable before the cut: a power loss in between
      // must not lose the torn bytes.
      ::fsync(dir_fd_);
      if (::truncate(file.c_str(), static_cast<off_t>(good_end)) != 0) throw_errno("cannot truncate", file);
      recovery_.bytes_dropped += file_size - good_end;
      recovery_.torn_file = aside;
      recovery_.recovered = true;
    }
    const uint64_t reserve = header.seq_reserve ? header.seq_reserve : options_.max_pending;
    if (!closed) {
      // The crashed writer may have handed out seq values of a block that
      // never reached the disk: skip past any it could have used.
      recovery_.recovered = true;
      recovery_.seq_gap = reserve;
      next_seq_ = (have_blocks ? last_seq + 1 : header.first_seq) + recovery_.seq_gap;
    }
    if (seq_seen >= next_seq_) {
      // A newer file set aside whole had used seq values past this point.
      recovery_.seq_gap = reserve;
      next_seq_ = seq_seen + 1 + reserve;
    }
    return;
  }
  // Every segment was unreadable: start a new journal, but past every seq
  // the old one is known to have used.
  journal_id_.resize(format::kJournalIdSize);
  randombytes_buf(journal_id_.data(), journal_id_.size());
  if (seq_seen) {
    recovery_.seq_gap = options_.max_pending;
    next_seq_ = seq_seen + 1 + options_.max_pending;
  }
}

void JournalWriter::open_segment(uint64_t index, const Hash& prev_hash) {
  SegmentHeader h;
  h.journal_id = journal_id_;
  h.segment_index = index;
  h.created_ts = now();
  h.first_seq = next_seq_;
  h.host_name = options_.host.host_name;
  h.machine_id = options_.host.machine_id;
  h.boot_id = options_.host.boot_id;
  h.agent_version = options_.agent_version;
  h.schema_hash = current_schema_hash();
  h.prev_hash = prev_hash;
  h.seq_reserve = options_.max_pending;
  segment_ = std::make_unique<SegmentWriter>(options_.dir + "/" + segment_name(index), h,
                                             options_.zstd_level);
  next_index_ = index + 1;
  sync_directory();
  segment_opened_ = h.created_ts;
  ++stats_.segments_written;
  stats_.bytes_written += segment_->size();
  if (options_.on_segment_start && !in_segment_start_) {
    FlagScope starting(in_segment_start_);
    options_.on_segment_start();
  }
}

// The torn bytes set aside for a segment: "<segment>.torn" and
// "<segment>.torn.N".
static std::vector<std::string> torn_files(const std::string& segment) {
  std::vector<std::string> out;
  const fs::path p(segment);
  const std::string prefix = p.filename().string() + ".torn";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(p.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name == prefix || name.starts_with(prefix + ".")) out.push_back(entry.path().string());
  }
  return out;
}

std::string JournalWriter::torn_path(const std::string& segment) const {
  // Earlier evidence is never overwritten: a second set of torn bytes for
  // the same segment name gets the next free suffix.
  std::string path = segment + ".torn";
  for (int n = 1; ::access(path.c_str(), F_OK) == 0; ++n) path = segment + ".torn." + std::to_string(n);
  return path;
}

void JournalWriter::finish_segment() {
  const uint64_t index = segment_->header().segment_index;
  segment_->finish(now(), next_seq_);
  chain_ = segment_->chain();
  next_index_ = index + 1;
  segment_.reset();
}

void JournalWriter::record(SensorAction action, std::string message, std::vector<Counter> counters) {
  append(now(), SensorEvent{action, "journal", std::move(message), std::move(counters)});
}

uint64_t JournalWriter::append(int64_t ts, EventBody body) {
  if (closed_) throw Error("journal is closed: " + options_.dir);
  if (pending_.size() >= options_.max_pending) {
    flush();  // throws while blocks still cannot be written: the event is not taken
  }
  if (pending_.empty()) pending_since_ = now();
  pending_bytes_ += approx_encoded_size(body);
  const uint64_t seq = next_seq_++;
  pending_.push_back(Event{ts, seq, std::move(body)});
  if (pending_bytes_ >= options_.block_bytes || pending_.size() >= options_.block_events) try_flush();
  return seq;
}

// The event is taken whatever happens here: a failed write leaves it pending
// and says why in write_error().
void JournalWriter::try_flush() {
  try {
    flush();
  } catch (const Error& e) {
    write_error_ = e.what();
  }
}

void JournalWriter::flush() {
  if (pending_.empty()) return;
  if (!segment_) {
    open_segment(next_index_, chain_);  // a rotation failed to open it
    if (pending_.empty()) return;       // the segment-start hook flushed them
  }
  const uint64_t before = segment_->size();
  // On failure the segment is cut back and pending_ kept: a later flush retries.
  const BlockTrailer& t = segment_->append_block(pending_);
  ++stats_.blocks_written;
  stats_.events_written += pending_.size();
  stats_.bytes_written += segment_->size() - before;
  stats_.raw_bytes += t.raw_size;
  pending_.clear();
  pending_bytes_ = 0;
  write_error_.clear();
  unsynced_ = true;
  if (options_.fsync == FsyncPolicy::EveryBlock) {
    segment_->sync();
    unsynced_ = false;
    last_sync_ = now();
  }
  if (segment_->size() >= options_.rotate_bytes) rotate();
}

void JournalWriter::poll() {
  if (closed_) return;
  const int64_t t = now();
  if (!pending_.empty() && t - pending_since_ >= options_.block_age_ns) flush();
  if (!segment_) return;
  if (unsynced_ && options_.fsync == FsyncPolicy::Interval && t - last_sync_ >= options_.fsync_interval_ns) {
    segment_->sync();
    unsynced_ = false;
    last_sync_ = t;
  }
  if (options_.rotate_age_ns > 0 && t - segment_opened_ >= options_.rotate_age_ns &&
      segment_->block_count() > 0) {
    rotate();
  }
}

void JournalWriter::rotate() {
  if (closed_ || in_segment_start_) return;
  flush();
  if (!segment_) return;  // the last rotation failed to open one; flush() retries
  const uint64_t from = segment_->header().segment_index;
  finish_segment();
  open_segment(from + 1, chain_);
  // The records that open a segment never rotate it by size: with bounds
  // smaller than those records each rotation would start the next, without end.
  FlagScope starting(in_segment_start_);
  record(SensorAction::JournalRotated, "", {{"from_segment", from}, {"to_segment", from + 1}});
  apply_retention();
}

void JournalWriter::apply_retention() {
  if (options_.retain_bytes == 0 && options_.retain_age_ns == 0) return;
  // Recording a deletion must not rotate (and so retain again) under this
  // loop's list of segments.
  FlagScope starting(in_segment_start_);
  struct Seg {
    std::string path;
    uint64_t bytes;
    int64_t mtime_ns;
  };
  std::vector<Seg> segs;
  uint64_t total = 0;
  for (const std::string& path : JournalReader::list_segments(options_.dir)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;
    uint64_t bytes = static_cast<uint64_t>(st.st_size);
    for (const std::string& torn : torn_files(path)) {
      struct stat ts {};
      if (::stat(torn.c_str(), &ts) == 0) bytes += static_cast<uint64_t>(ts.st_size);
    }
    segs.push_back({path, bytes, st.st_mtim.tv_sec * 1'000'000'000ll + st.st_mtim.tv_nsec});
    total += bytes;
  }
  const int64_t t = now();
  for (const Seg& s : segs) {
    if (segment_ && s.path == segment_->path()) break;  // never the open segment
    const bool over_bytes = options_.retain_bytes && total > options_.retain_bytes;
    const bool too_old = options_.retain_age_ns && t - s.mtime_ns > options_.retain_age_ns;
    if (!over_bytes && !too_old) break;
    if (::unlink(s.path.c_str()) != 0) throw_errno("cannot delete old segment", s.path);
    for (const std::string& torn : torn_files(s.path)) ::unlink(torn.c_str());
    total -= s.bytes;
    ++stats_.segments_deleted;
    const std::string name = fs::path(s.path).filename().string();
    unsigned long long index = 0;
    std::sscanf(name.c_str(), "segment-%llu", &index);
    record(SensorAction::RetentionDeleted,
           name + (over_bytes ? ": journal over its size limit" : ": older than the age limit"),
           {{"segment", index}, {"bytes", s.bytes}});
  }
  sync_directory();
}

void JournalWriter::close() {
  if (closed_) return;
  {
    // The last flush must not rotate: the new segment's opening records
    // would be left unwritten.
    FlagScope closing(in_segment_start_);
    flush();
  }
  if (segment_) finish_segment();
  closed_ = true;
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
  }
}

}  // namespace zagent

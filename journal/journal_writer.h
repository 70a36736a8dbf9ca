// The journal of one host: a directory of segment files that only grows at
// its end. The writer assigns seq, batches events into blocks (flushed at a
// size or age bound), syncs by policy, rotates by size and age, deletes the
// oldest segments for retention (and records that it did), and on opening
// recovers from a crash without touching a byte a trailer covers.
//
// Not thread-safe: the agent serializes calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "journal/damage.h"
#include "journal/event.h"
#include "journal/segment_writer.h"

namespace zagent {

enum class FsyncPolicy { EveryBlock, Interval, Never };

struct HostIdentity {
  std::string host_name;
  std::string machine_id;
  std::string boot_id;

  // This host's: hostname, /etc/machine-id, the kernel's boot_id.
  static HostIdentity local();
};

struct WriterOptions {
  std::string dir;
  // A block is flushed when its events reach about block_bytes (raw), or
  // block_events, or when its first event is block_age_ns old (see poll()).
  size_t block_bytes = 512 * 1024;
  uint32_t block_events = 8192;
  int64_t block_age_ns = 1'000'000'000;
  // Events held while blocks cannot be written (a full disk): past this,
  // append() throws. Recorded in each segment header as its seq reserve.
  uint32_t max_pending = 8192 * 4;
  FsyncPolicy fsync = FsyncPolicy::Interval;
  int64_t fsync_interval_ns = 1'000'000'000;
  uint64_t rotate_bytes = 64ull << 20;
  int64_t rotate_age_ns = 3600ll * 1'000'000'000;  // 0: never by age
  uint64_t retain_bytes = 1ull << 30;              // 0: no limit
  int64_t retain_age_ns = 7ll * 86400 * 1'000'000'000;  // 0: no limit
  int zstd_level = 3;
  HostIdentity host;
  std::string agent_version;
  // Wall clock, ns since the epoch; tests inject their own.
  std::function<int64_t()> clock;
  // Called after each new segment is opened, for events that must start
  // every segment (the recorder's snapshot).
  std::function<void()> on_segment_start;
};

struct WriterStats {
  uint64_t segments_written = 0;
  uint64_t blocks_written = 0;
  uint64_t events_written = 0;  // flushed
  uint64_t bytes_written = 0;   // compressed, all frames
  uint64_t raw_bytes = 0;       // FlatBuffer bytes before compression
  uint64_t segments_deleted = 0;
};

// What opening the journal found and did.
struct RecoveryReport {
  bool recovered = false;     // the last segment was not closed cleanly
  uint64_t bytes_dropped = 0; // torn bytes moved out to a .torn file
  uint64_t seq_gap = 0;       // seq values skipped so none is ever reused
  std::string torn_file;
  std::vector<Damage> damage; // everything the scan of the last segment saw
};

class JournalWriter {
 public:
  // Opens (creating or recovering) the journal in options.dir and starts a
  // new segment. Throws Error when the directory cannot be used or another
  // writer holds it.
  explicit JournalWriter(WriterOptions options);
  // Closes cleanly; errors are swallowed here (call close() to see them).
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends an event; returns its seq. May flush a block (size bound). When
  // blocks cannot be written, events are held up to max_pending; past that
  // append throws Error and the event is not taken.
  uint64_t append(int64_t ts, EventBody body);

  // Time-driven work: flushes a block that reached its age, syncs by policy,
  // rotates by age. Call at least a few times per block_age_ns.
  void poll();

  // Writes the pending events as a block; throws Error when it cannot (the
  // events stay pending for the next try).
  void flush();
  void rotate();
  // Flushes, writes the segment's end record, syncs, releases the directory.
  void close();

  // Events appended but not yet in a block on disk (live queries read them).
  std::span<const Event> pending() const { return pending_; }
  uint64_t next_seq() const { return next_seq_; }
  const std::string& journal_id() const { return journal_id_; }
  // The open segment. Between a failed rotation and the next successful
  // flush there is none: only call when has_segment().
  const SegmentWriter& segment() const { return *segment_; }
  bool has_segment() const { return segment_ != nullptr; }
  // Why the last block write that append() tried failed; empty once a write
  // succeeds again.
  const std::string& write_error() const { return write_error_; }
  const WriterStats& stats() const { return stats_; }
  const RecoveryReport& recovery() const { return recovery_; }
  const WriterOptions& options() const { return options_; }

  // File name of segment `index` within a journal directory.
  static std::string segment_name(uint64_t index);

 private:
  int64_t now() const { return options_.clock(); }
  void lock_directory();
  void recover(const std::vector<std::string>& segments, uint64_t* last_index, Hash* chain);
  void open_segment(uint64_t index, const Hash& prev_hash);
  void finish_segment();
  void try_flush();
  std::string torn_path(const std::string& segment) const;
  void apply_retention();
  void sync_directory();
  void record(SensorAction action, std::string message, std::vector<Counter> counters);

  WriterOptions options_;
  int lock_fd_ = -1;
  int dir_fd_ = -1;
  std::string journal_id_;
  uint64_t next_seq_ = 1;
  std::unique_ptr<SegmentWriter> segment_;
  uint64_t next_index_ = 1;  // of the segment to open after segment_
  Hash chain_{};             // the hash that ends the last finished segment
  int64_t segment_opened_ = 0;
  std::vector<Event> pending_;
  size_t pending_bytes_ = 0;
  int64_t pending_since_ = 0;
  int64_t last_sync_ = 0;
  bool unsynced_ = false;
  bool closed_ = false;
  std::string write_error_;
  bool in_segment_start_ = false;
  WriterStats stats_;
  RecoveryReport recovery_;
};

// Roughly how many bytes an event takes in a block, for the size bound.
size_t approx_encoded_size(const EventBody& body);

}  // namespace zagent

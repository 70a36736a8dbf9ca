#include "agent/zeek/stream_batch.h"

#include "journal/event_names.h"
#include "journal/journal_reader.h"
#include "replay/zeek_json.h"

namespace zagent::zeek {

namespace {

// The first seq the journal holds.
uint64_t oldest_seq(const std::string& journal_dir) {
  JournalReader reader({journal_dir}, ReadOptions{}, [](const Damage&) {});
  ReadBlock block;
  return reader.next_block(&block) && !block.events.empty() ? block.events.front().seq : 0;
}

}  // namespace

std::optional<StreamBatch> read_stream_batch(const std::string& journal_dir, const StreamRequest& request,
                                             DamageReporter reporter) {
  ReadOptions options;
  options.from_seq = request.after ? *request.after + 1 : 0;
  options.remember_scans = true;  // read again and again: segments walked once
  // Every type is read, so that the seqs of the batch are known whole and
  // a gap is told from events of types the subscriber does not want.
  JournalReader reader({journal_dir}, options, std::move(reporter));
  StreamBatch batch;
  bool any = false;
  // Events at or past the tail's boundary are the tail's, whether or not
  // the writer has flushed them since it was taken.
  const uint64_t boundary = request.tail ? request.tail->boundary : UINT64_MAX;
  bool full = false;
  // Adds E; true when the batch is full.
  const auto add = [&](const Event& e, const std::string& host, const std::string& boot_id) {
    if (!any) {
      any = true;
      batch.first_seq = e.seq;
      if (request.after && e.seq > *request.after + 1) {
        // Deleted by retention only if the journal now starts after what
        // was acknowledged; a jump inside it is the seq reserve a writer
        // skips after a crash (journal-format.md), not events lost here.
        const uint64_t oldest = oldest_seq(journal_dir);
        if (oldest > *request.after + 1) batch.gap.emplace(*request.after + 1, oldest - 1);
        // No gap: the seqs skipped were never events, and the batch
        // covers them, so that batches follow one another seq by seq.
        if (!batch.gap) batch.first_seq = *request.after + 1;
      }
    }
    batch.last_seq = e.seq;
    batch.seqs.push_back(e.seq);
    if (request.type_mask & (1u << static_cast<unsigned>(e.type()))) {
      if (batch.events++) batch.lines += '\n';
      batch.lines += event_type_name(e.type());
      batch.lines += '\t';
      replay::append_seconds(e.ts, &batch.lines);
      batch.lines += '\t';
      replay::append_zeek_json(e, host, boot_id, &batch.lines);
    }
    return batch.seqs.size() == request.max_examined || batch.events == request.max_events;
  };
  ReadBlock block;
  bool past_disk = false;  // reached the boundary on disk
  while (!full && !past_disk && reader.next_block(&block)) {
    const std::string host = block.segment ? block.segment->header.host_name : "";
    const std::string boot_id = block.segment ? block.segment->header.boot_id : "";
    for (const Event& e : block.events) {
      if (e.seq >= boundary) {
        past_disk = true;
        break;
      }
      if ((full = add(e, host, boot_id))) break;
    }
  }
  if (request.tail && !full) {
    for (const Event& e : request.tail->events) {
      if ((any && e.seq <= batch.last_seq) || (request.after && e.seq <= *request.after)) continue;
      if ((full = add(e, request.tail->host, request.tail->boot_id))) break;
    }
  }
  if (!any) return std::nullopt;
  return batch;
}

}  // namespace zagent::zeek

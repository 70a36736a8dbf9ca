// The next batch of a subscriber's host event stream, read from the
// journal on disk after the seq it acknowledged (docs/protocol.md,
// "zagent's host event stream"). The events are written as the lines of
// zagent-replay's batches (KIND \t SECONDS \t JSON, replay/zeek_json.h),
// which the Zeek package decodes with the function replay uses: live and
// replayed events are the same records by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journal/damage.h"
#include "tables/query_context.h"

namespace zagent::zeek {

struct StreamBatch {
  // The seqs the batch covers: every event in [first_seq, last_seq] was
  // looked at, and `lines` holds those of the wanted types. first_seq is
  // the acknowledged seq + 1 (or the journal's oldest after a gap), so
  // that batches follow one another seq by seq.
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t events = 0;          // lines
  std::vector<uint64_t> seqs;   // of every event in the range, wanted or not
  std::string lines;    // '\n' between lines, none at the end
  // Events after the acknowledged seq that the journal no longer holds
  // (retention deleted them before the subscriber had them): the seqs
  // before the journal's oldest. A jump in seq inside the journal (the
  // reserve a writer skips after a crash) is no gap.
  std::optional<std::pair<uint64_t, uint64_t>> gap;
};

struct StreamRequest {
  std::optional<uint64_t> after;  // the acknowledged seq; nullopt: from the start
  uint32_t type_mask = ~0u;       // bit i: EventType i
  uint64_t max_events = 1000;     // lines in one batch
  uint64_t max_examined = 100'000;  // events looked at, wanted or not
  // The running writer's events not on disk yet (seq >= tail->boundary),
  // taken before the read: an event is then on disk or in the tail, and
  // the batch goes on from the tail where the disk ends. Null: disk only.
  const tables::LiveTail* tail = nullptr;
};

// nullopt when the journal holds nothing after `after` yet. Damaged blocks
// go to `reporter` and are skipped (their seqs then show as a gap if they
// were the first). Throws Error when the journal cannot be read.
std::optional<StreamBatch> read_stream_batch(const std::string& journal_dir, const StreamRequest& request,
                                             DamageReporter reporter);

}  // namespace zagent::zeek

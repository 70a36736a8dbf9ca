// A subscriber's filters on the host event stream (docs/protocol.md,
// "zagent's host event stream"): per event kind an SQL condition over that
// kind's event table (tables.md), such as `remote_port = 443` for socket or
// `exe LIKE '/usr/bin/%'` for process_exec. A batch keeps the lines of a
// filtered kind whose events the condition selects, found by one query per
// kind over the batch's seq range (seq constraints reach the journal's
// block trailers, so only the batch's blocks are read).
#pragma once

#include <map>
#include <string>

#include "agent/zeek/broker_data.h"
#include "agent/zeek/query_runner.h"
#include "agent/zeek/stream_batch.h"
#include "journal/event.h"

namespace zagent::zeek {

class StreamFilter {
 public:
  StreamFilter() = default;

  // From subscribe_v1's filters, a table of kind -> condition. Throws Error
  // naming the kind when one is refused: an unknown kind, a condition with
  // a ';' (one statement only), or one the engine cannot compile.
  static StreamFilter parse(const Table& filters, QueryRunner& runner);

  bool empty() const { return conditions_.empty(); }

  // Drops from `batch` the lines of filtered kinds whose events the
  // condition does not select; its seq range stays. Throws Error when a
  // query fails (a limit).
  void apply(StreamBatch* batch, QueryRunner& runner) const;

 private:
  // The query for a kind's seqs in [first, last] that match.
  std::string query(EventType type, const std::string& condition, uint64_t first, uint64_t last) const;

  std::map<EventType, std::string> conditions_;
};

}  // namespace zagent::zeek

#include "replay/event_count.h"

#include "journal/block_rows.h"
#include "journal/journal_reader.h"

namespace zagent::replay {

uint64_t count_replay_events(const ReplayOptions& options, uint64_t stop_after) {
  ReadOptions read = options.read_options();
  read.in_place = true;
  JournalReader reader(options.inputs, read, [](const Damage&) {});
  uint64_t count = 0;
  ReadBlock block;
  while (count <= stop_after && reader.next_block(&block)) {
    if (!block.block || !options.wants_host(block.segment ? block.segment->header.host_name : "")) continue;
    BlockRows rows(block.block);
    while (rows.next())
      if (read.wants(rows.type(), rows.ts(), rows.seq())) ++count;
  }
  return count;
}

}  // namespace zagent::replay

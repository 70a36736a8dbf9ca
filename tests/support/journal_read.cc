#include "tests/support/journal_read.h"

namespace zagent::testing {

ReadResult read_all(const std::vector<std::string>& inputs, ReadOptions options) {
  ReadResult r;
  JournalReader reader(inputs, options, [&r](const Damage& d) { r.damage.push_back(d); });
  ReadBlock block;
  while (reader.next_block(&block)) {
    for (Event& e : block.events) r.events.push_back(std::move(e));
  }
  r.stats = reader.stats();
  return r;
}

}  // namespace zagent::testing

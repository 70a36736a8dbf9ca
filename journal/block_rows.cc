#include "journal/block_rows.h"

#include <algorithm>

namespace zagent {

BlockRows::BlockRows(const fb::Block* block) : block_(block), count_(block ? block->type()->size() : 0) {
  if (block) {
    seq_ = block->base_seq() - 1;
    ts_ = static_cast<uint64_t>(block->base_ts());
  }
}

bool BlockRows::next() {
  if (index_ + 1 >= count_) {
    index_ = count_;
    return false;
  }
  ++index_;
  const fb::Block& b = *block_;
  ts_ += static_cast<uint64_t>(column_value(b.ts_delta(), index_));
  seq_ += 1 + column_value(b.seq_skip(), index_);
  const auto t = static_cast<size_t>(b.type()->Get(index_)) - 1;  // fb::EventType None is 0
  type_ = static_cast<EventType>(t);
  row_ = next_row_[t]++;
  run_first_ = next_run_[t];
  switch (type_) {
    case EventType::ProcessExec: next_run_[t] += column_value(b.process_exec()->argc(), row_); break;
    case EventType::ProcessSnapshot: next_run_[t] += column_value(b.process_snapshot()->argc(), row_); break;
    case EventType::SensorEvent: next_run_[t] += column_value(b.sensor()->counter_count(), row_); break;
    default: break;
  }
  return true;
}

std::string_view BlockRows::string(uint32_t index) const {
  if (index == 0) return {};
  const flatbuffers::String* s = block_->strings()->Get(index);
  return {s->data(), s->size()};
}

IpAddress column_ip(const flatbuffers::Vector<const fb::Ip*>* column, size_t row) {
  IpAddress out;
  if (!column) return out;
  const fb::Ip* a = column->Get(row);
  std::copy(a->bytes()->begin(), a->bytes()->end(), out.bytes.begin());
  return out;
}

}  // namespace zagent

#include "journal/scan_memo.h"

namespace zagent {

namespace {
// About 300 bytes each: some 60 MB at most, for about 200 GB of journal at
// the default block size.
constexpr size_t kProcessMemoRecords = 200'000;
}  // namespace

ScanMemo& ScanMemo::process() {
  static ScanMemo memo(kProcessMemoRecords);
  return memo;
}

std::shared_ptr<const ScanRecords> ScanMemo::find(const FileIdentity& file) const {
  if (file.inode == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& e : entries_)
    if (e.file == file) return e.records;
  return nullptr;
}

void ScanMemo::store(const FileIdentity& file, ScanRecords records) {
  if (file.inode == 0 || records.size() > max_records_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->file.device == file.device && it->file.inode == file.inode) {
      records_ -= it->records->size();
      entries_.erase(it);
      break;
    }
  }
  records_ += records.size();
  entries_.push_back(Entry{file, std::make_shared<const ScanRecords>(std::move(records))});
  while (records_ > max_records_) {
    records_ -= entries_.front().records->size();
    entries_.pop_front();
  }
}

}  // namespace zagent

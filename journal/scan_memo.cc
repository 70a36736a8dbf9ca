#include "journal/scan_memo.h"

#include <algorithm>

namespace zagent {

namespace {
// About 300 bytes each: some 60 MB at most, for about 200 GB of journal at
// the default block size.
constexpr size_t kProcessMemoRecords = 200'000;

std::string head_of(std::span<const uint8_t> bytes) {
  const size_t n = std::min(bytes.size(), ScanMemo::kHeadBytes);
  return std::string(reinterpret_cast<const char*>(bytes.data()), n);
}
}  // namespace

ScanMemo& ScanMemo::process() {
  static ScanMemo memo(kProcessMemoRecords);
  return memo;
}

std::shared_ptr<const ScanPrefix> ScanMemo::find(const FileIdentity& file, std::span<const uint8_t> bytes) const {
  if (file.inode == 0) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Entry& e : entries_) {
    if (e.file != file) continue;
    const ScanPrefix& p = *e.prefix;
    // The file must still hold everything the prefix covers, and begin as it did.
    if (p.resume.pos > bytes.size() || p.head.size() > bytes.size() ||
        !std::equal(p.head.begin(), p.head.end(), bytes.begin(),
                    [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }))
      return nullptr;
    return e.prefix;
  }
  return nullptr;
}

void ScanMemo::store(const FileIdentity& file, std::span<const uint8_t> bytes, std::vector<ScanRecord> records,
                     const SegmentScanner::Resume& resume) {
  if (file.inode == 0 || records.empty() || records.size() > max_records_) return;
  auto prefix = std::make_shared<ScanPrefix>();
  prefix->head = head_of(bytes);
  prefix->records = std::move(records);
  prefix->resume = resume;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->file == file) {
      records_ -= it->prefix->records.size();
      entries_.erase(it);
      break;
    }
  }
  records_ += prefix->records.size();
  entries_.push_back(Entry{file, std::move(prefix)});
  while (records_ > max_records_) {
    records_ -= entries_.front().prefix->records.size();
    entries_.pop_front();
  }
}

}  // namespace zagent

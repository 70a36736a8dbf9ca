// Reading a closed segment through the block index of its end record
// (journal.fbs SegmentEnd.blocks; docs/journal-format.md): the items a scan
// would find, taken from the file's first and last frames instead of a walk
// over every block. A reader seeking a window then touches only the blocks
// it reads.
//
// The index is checked before it is used: the end record must be the last
// frame, parse, and hold its place in the hash chain, and the blocks it
// lists must tile the file from the header to the end record. A block taken
// from it is completed before use (complete_indexed_block): its trailer is
// read and must agree with the index, and its chain link is then checked as
// for any block.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "journal/scan_memo.h"

namespace zagent {

// The segment's items from its end index, or nullopt when the file has no
// usable index (still being written, damaged, or written without one): the
// caller walks it instead.
std::optional<ScanPrefix> read_segment_index(const std::string& file, std::span<const uint8_t> bytes);

// Fills in what the index leaves out of a block taken from it: the trailer
// as written, and the hashes of its chain link. `header_hash` is the
// segment header's stored hash (the first block's link). False, with `why`,
// when the trailer frame is not where the index says or disagrees with it.
bool complete_indexed_block(std::span<const uint8_t> bytes, const Hash& header_hash, ScannedBlock* block,
                            std::string* why);

}  // namespace zagent

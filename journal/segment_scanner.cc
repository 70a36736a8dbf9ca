#include "journal/segment_scanner.h"

#include <zstd.h>

#include <algorithm>

namespace zagent {

using format::Record;

bool ScannedBlock::link_holds() const {
  return chain_hash(Record::BlockTrailer, prev_hash, data, trailer_fb) == stored_hash;
}

SegmentScanner::SegmentScanner(std::string file, std::span<const uint8_t> bytes,
                               DamageReporter reporter)
    : file_(std::move(file)), bytes_(bytes), reporter_(std::move(reporter)) {}

void SegmentScanner::resume(const Resume& r) {
  pos_ = last_good_end_ = std::min<uint64_t>(r.pos, bytes_.size());
  in_segment_ = r.in_segment;
  chain_ = r.chain;
  segment_ = r.segment;
  have_data_ = false;
}

void SegmentScanner::report(DamageKind kind, uint64_t offset, uint64_t length, std::string reason) {
  if (reporter_) reporter_(Damage{kind, file_, offset, length, std::move(reason)});
}

bool SegmentScanner::plausible_frame_at(uint64_t pos) const {
  if (pos + format::kFrameHeaderSize > bytes_.size()) return false;
  const uint8_t* p = bytes_.data() + pos;
  const uint32_t magic = format::load_le32(p);
  if (magic == format::kZstdMagic) return true;
  if (magic != format::record_magic(Record::SegmentHeader) &&
      magic != format::record_magic(Record::BlockTrailer) &&
      magic != format::record_magic(Record::SegmentEnd)) {
    return false;
  }
  const uint64_t payload = format::load_le32(p + 4);
  return payload >= format::kHashSize && payload <= format::kMaxRecordPayload;
}

uint64_t SegmentScanner::resync(uint64_t from) const {
  for (uint64_t pos = from; pos + format::kFrameHeaderSize <= bytes_.size(); ++pos) {
    if (plausible_frame_at(pos)) return pos;
  }
  return bytes_.size();
}

void SegmentScanner::drop_pending_data(DamageKind kind, const std::string& reason) {
  if (!have_data_) return;
  report(kind, data_offset_, data_size_, reason);
  have_data_ = false;
}

bool SegmentScanner::split_payload(std::span<const uint8_t> payload, std::span<const uint8_t>* fb,
                                   Hash* hash) const {
  if (payload.size() < format::kHashSize) return false;
  *fb = payload.first(payload.size() - format::kHashSize);
  std::copy(payload.end() - format::kHashSize, payload.end(), hash->begin());
  return true;
}

SegmentScanner::Item SegmentScanner::next() {
  const uint64_t size = bytes_.size();
  while (pos_ < size) {
    const uint64_t left = size - pos_;
    const uint8_t* p = bytes_.data() + pos_;
    if (left < format::kFrameHeaderSize) {
      const uint64_t start = have_data_ ? data_offset_ : pos_;
      report(DamageKind::TornTail, start, size - start, "input ends inside a frame header");
      have_data_ = false;
      pos_ = size;
      break;
    }
    const uint32_t magic = format::load_le32(p);

    if (magic == format::kZstdMagic) {
      drop_pending_data(DamageKind::MissingTrailer, "data frame not followed by its trailer");
      const size_t n = ZSTD_findFrameCompressedSize(p, left);
      if (!ZSTD_isError(n) && (n == left || plausible_frame_at(pos_ + n))) {
        have_data_ = true;
        data_offset_ = pos_;
        data_size_ = n;
        pos_ += n;
        continue;
      }
      // Damaged or cut off: it reaches to the next frame that looks like ours,
      // and the trailer there (if any) will judge it.
      const uint64_t next = resync(pos_ + 4);
      if (next >= size) {
        report(DamageKind::TornTail, pos_, size - pos_, "input ends inside a data frame");
        pos_ = size;
        break;
      }
      have_data_ = true;
      data_offset_ = pos_;
      data_size_ = next - pos_;
      pos_ = next;
      continue;
    }

    if (!format::is_skippable(magic)) {
      drop_pending_data(DamageKind::MissingTrailer, "data frame not followed by its trailer");
      const uint64_t next = resync(pos_ + 1);
      report(DamageKind::Garbage, pos_, next - pos_, "no journal frame starts here");
      pos_ = next;
      continue;
    }

    const uint64_t payload_size = format::load_le32(p + 4);
    const uint64_t frame_end = pos_ + format::kFrameHeaderSize + payload_size;
    const auto type = static_cast<Record>(magic & 0xF);
    const bool ours = type == Record::SegmentHeader || type == Record::BlockTrailer ||
                      type == Record::SegmentEnd;
    if (frame_end > size || (ours && payload_size > format::kMaxRecordPayload)) {
      const uint64_t next = resync(pos_ + 1);
      if (next < size) {
        drop_pending_data(DamageKind::MissingTrailer, "data frame not followed by its trailer");
        report(DamageKind::Garbage, pos_, next - pos_,
               "record claims " + std::to_string(payload_size) + " bytes");
        pos_ = next;
        continue;
      }
      const uint64_t start = have_data_ ? data_offset_ : pos_;
      report(DamageKind::TornTail, start, size - start, "input ends inside a record");
      have_data_ = false;
      pos_ = size;
      break;
    }
    const std::span<const uint8_t> payload = bytes_.subspan(pos_ + format::kFrameHeaderSize, payload_size);
    const uint64_t record_offset = pos_;
    pos_ = frame_end;
    std::span<const uint8_t> fb;
    Hash stored{};
    const bool split = split_payload(payload, &fb, &stored);

    switch (type) {
      case Record::SegmentHeader: {
        drop_pending_data(DamageKind::MissingTrailer, "data frame not followed by its trailer");
        segment_ = ScannedSegment{};
        segment_.offset = record_offset;
        segment_.stored_hash = stored;
        in_segment_ = true;
        chain_ = stored;
        if (!split || !decode_record(fb, &segment_.header)) {
          report(DamageKind::BadRecord, record_offset, frame_end - record_offset,
                 "segment header does not parse");
          return Item::Segment;
        }
        if (segment_.header.format_version > format::kFormatVersion) {
          report(DamageKind::BadRecord, record_offset, frame_end - record_offset,
                 "segment format version " + std::to_string(segment_.header.format_version) +
                     " is newer than this reader's " + std::to_string(format::kFormatVersion));
          return Item::Segment;
        }
        if (chain_hash(Record::SegmentHeader, segment_.header.prev_hash, fb) != stored) {
          report(DamageKind::HashMismatch, record_offset, frame_end - record_offset,
                 "segment header hash does not match its contents");
          return Item::Segment;
        }
        segment_.header_ok = true;
        last_good_end_ = frame_end;
        return Item::Segment;
      }

      case Record::BlockTrailer: {
        const Hash prev = chain_;
        if (split) chain_ = stored;
        if (!split || !decode_record(fb, &block_.trailer)) {
          const uint64_t start = have_data_ ? data_offset_ : record_offset;
          report(DamageKind::BadRecord, start, frame_end - start, "block trailer does not parse");
          have_data_ = false;
          continue;
        }
        if (!have_data_) {
          report(DamageKind::BadRecord, record_offset, frame_end - record_offset,
                 "block trailer without its data frame");
          continue;
        }
        have_data_ = false;
        // The size must match; the offset may not, when bytes were lost or
        // inserted before this block, and the chain judges the block anyway.
        if (block_.trailer.data_size != data_size_) {
          report(DamageKind::TrailerMismatch, data_offset_, frame_end - data_offset_,
                 "trailer names a data frame of " + std::to_string(block_.trailer.data_size) +
                     " bytes, found " + std::to_string(data_size_));
          continue;
        }
        block_.data_offset = data_offset_;
        block_.data = bytes_.subspan(data_offset_, data_size_);
        block_.trailer_fb = fb;
        block_.trailer_offset = record_offset;
        block_.end_offset = frame_end;
        block_.prev_hash = prev;
        block_.stored_hash = stored;
        last_good_end_ = frame_end;
        return Item::Block;
      }

      case Record::SegmentEnd: {
        drop_pending_data(DamageKind::MissingTrailer, "data frame not followed by its trailer");
        const Hash prev = chain_;
        if (split) chain_ = stored;
        end_ = ScannedEnd{};
        if (!split || !decode_record(fb, &end_.end)) {
          report(DamageKind::BadRecord, record_offset, frame_end - record_offset,
                 "segment end record does not parse");
          continue;
        }
        if (chain_hash(Record::SegmentEnd, prev, fb) != stored) {
          report(DamageKind::HashMismatch, record_offset, frame_end - record_offset,
                 "segment end hash does not match the chain");
          continue;
        }
        end_.offset = record_offset;
        end_.end_offset = frame_end;
        end_.stored_hash = stored;
        last_good_end_ = frame_end;
        return Item::End;
      }
    }
    // A record type this format version does not define: a writer of this
    // version never makes one, so it is damage (a later version bumps
    // format_version when it adds a record).
    report(DamageKind::BadRecord, record_offset, frame_end - record_offset,
           "unknown record type 0x" + std::string(1, "0123456789abcdef"[magic & 0xF]));
  }
  if (have_data_) {
    report(DamageKind::TornTail, data_offset_, size - data_offset_,
           "data frame without its trailer at the end of the input");
    have_data_ = false;
  }
  return Item::Done;
}

}  // namespace zagent

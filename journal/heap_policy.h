// How a process that reads journals (zagent, zagent-replay) uses glibc's
// heap. A query decodes journal blocks into buffers of a few MiB
// (decompressed blocks, their events) and frees them at its end; replay
// does so for every block. With glibc's defaults such buffers are mmap'd and
// unmapped each time, or the heap top is trimmed, so every query pays to
// fault fresh pages in again; on a VM that charges ~14 µs per page that was
// 4x a one-minute window query (13 ms against 3 ms, docs/performance.md),
// and 15% of zagent-replay's time.
// Keeping them in the heap costs at most the trim threshold of idle memory.
#pragma once

#include <malloc.h>

namespace zagent {

inline void apply_heap_policy() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // also fixes the threshold: glibc's dynamic one drifts
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace zagent

/* Handing records to user space through a sensor's ring buffer: when to
 * wake the reader, and counting the records a full ring refused. Included
 * by the *.bpf.c programs.
 *
 * A wakeup per record costs more than the record (a context switch on a
 * busy host), so the reader is woken only once a quarter of the ring is in
 * use; otherwise it drains on its own timer (every 100 ms). */
#ifndef ZAGENT_BPF_RING_H
#define ZAGENT_BPF_RING_H

static __always_inline __u64 ring_wakeup_flags(void* ring) {
  const __u64 used = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
  const __u64 size = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE);
  return used > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* One more record refused, in slot `which` of a per-CPU array of counters
 * that user space sums and journals as events_lost. */
static __always_inline void count_drop(void* drops, __u32 which) {
  __u64* n = bpf_map_lookup_elem(drops, &which);
  if (n) *n += 1;
}

#endif

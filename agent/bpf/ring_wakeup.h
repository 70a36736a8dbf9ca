/* When a sensor wakes its reader. A wakeup per record costs more than the
 * record (a context switch on a busy host), so the reader is woken only once
 * a quarter of the ring is in use; otherwise it drains on its own timer
 * (every 100 ms). Included by the *.bpf.c programs. */
#ifndef ZAGENT_BPF_RING_WAKEUP_H
#define ZAGENT_BPF_RING_WAKEUP_H

static __always_inline __u64 ring_wakeup_flags(void* ring) {
  const __u64 used = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);
  const __u64 size = bpf_ringbuf_query(ring, BPF_RB_RING_SIZE);
  return used > size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

#endif

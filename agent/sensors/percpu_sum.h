// Sums one entry of a BPF per-CPU array over all possible CPUs (the sensors'
// drop counters).
#pragma once

#include <cstdint>

struct bpf_map;

namespace zagent {

uint64_t percpu_sum(const bpf_map* map, uint32_t key);

}  // namespace zagent

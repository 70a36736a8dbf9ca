#include "agent/sensors/percpu_sum.h"

#include <bpf/libbpf.h>

#include <vector>

namespace zagent {

uint64_t percpu_sum(const bpf_map* map, uint32_t key) {
  const int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) return 0;
  std::vector<uint64_t> values(static_cast<size_t>(ncpus));
  if (bpf_map__lookup_elem(map, &key, sizeof key, values.data(), values.size() * sizeof(uint64_t), 0) != 0) {
    return 0;
  }
  uint64_t total = 0;
  for (uint64_t v : values) total += v;
  return total;
}

}  // namespace zagent

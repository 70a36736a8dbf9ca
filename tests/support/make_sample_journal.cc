// Writes a journal of generated events (tests/support/sample_events.h):
// make-sample-journal DIR [EVENTS] [SEED]. For demos and test data.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "journal/error.h"
#include "journal/journal_writer.h"
#include "tests/support/sample_events.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [EVENTS] [SEED]\n", argv[0]);
    return 2;
  }
  const size_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000;
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  try {
    zagent::WriterOptions options;
    options.dir = argv[1];
    options.host = zagent::HostIdentity::local();
    options.agent_version = "make-sample-journal";
    zagent::JournalWriter writer(options);
    zagent::testing::SampleEvents sample(seed);
    for (size_t i = 0; i < count; ++i) {
      const int64_t ts = sample.next_ts();
      writer.append(ts, sample.next_body());
    }
    writer.close();
    std::fprintf(stderr, "wrote %zu generated events to %s\n", count, argv[1]);
  } catch (const zagent::Error& e) {
    std::fprintf(stderr, "make-sample-journal: %s\n", e.what());
    return 2;
  }
  return 0;
}

// Writes a journal of events with any values (tests/support/any_event.h:
// every event type, strings of any bytes, extreme integers), for the Zeek
// side's property test (tests/zeek/replay_property.py):
// make-any-journal DIR EVENTS SEED. Times rise by 1 us, and every fourth
// event shares its predecessor's time, so that journal order for equal
// times is exercised.
#include <rapidcheck.h>

#include <cstdio>
#include <cstdlib>

#include "journal/error.h"
#include "journal/journal_writer.h"
#include "tests/support/any_event.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR EVENTS SEED\n", argv[0]);
    return 2;
  }
  const size_t count = std::strtoull(argv[2], nullptr, 10);
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  try {
    zagent::WriterOptions options;
    options.dir = argv[1];
    options.host = zagent::HostIdentity::local();
    options.agent_version = "make-any-journal";
    zagent::JournalWriter writer(options);
    // any_body() draws with rapidcheck's '*', which needs a generator's
    // context: gen::exec gives it one outside a property.
    const auto bodies = rc::gen::exec([] { return zagent::testing::any_body(); });
    rc::Random random(seed);
    int64_t ts = 1'796'000'000'000'000'000;
    for (size_t i = 0; i < count; ++i) {
      if (i % 4 != 3) ts += 1'000;
      writer.append(ts, bodies(random.split(), 100).value());
    }
    writer.close();
    std::fprintf(stderr, "wrote %zu events of any values to %s\n", count, argv[1]);
  } catch (const zagent::Error& e) {
    std::fprintf(stderr, "make-any-journal: %s\n", e.what());
    return 2;
  }
  return 0;
}

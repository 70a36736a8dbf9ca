// WriterOptions for a journal a test writes: on the test's clock, never
// synced, never rotated by age, nothing deleted by retention, host "host-a"
// (boot "boot-1"). Tests change what they are about from there.
#pragma once

#include <cstdint>
#include <string>

#include "journal/journal_writer.h"

namespace zagent::testing {

// `clock` must outlive the writer: the writer reads the time from it.
WriterOptions test_writer_options(const std::string& dir, const int64_t* clock);

}  // namespace zagent::testing

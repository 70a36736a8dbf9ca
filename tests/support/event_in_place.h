// The event at a BlockRows cursor, rebuilt field by field from its block's
// columns as the SQL tables read them: tests and the fuzzer compare it with
// what decoding the block gives.
#pragma once

#include "journal/block_rows.h"
#include "journal/event.h"

namespace zagent::testing {

Event event_in_place(const BlockRows& r);

}  // namespace zagent::testing

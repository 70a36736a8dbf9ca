// A Zeek event as Broker carries it: [format 1, type 1 (event), [name,
// [args...], metadata?]]. Zeek 7 adds a third element, metadata (the
// sender's network time); Zeek 8 adds it only when asked. It is read and
// ignored here, and never sent (docs/protocol.md, "Events").
#pragma once

#include <string>
#include <vector>

#include "agent/zeek/broker_data.h"

namespace zagent::zeek {

struct ZeekEvent {
  std::string name;
  std::vector<BrokerData> args;
  bool operator==(const ZeekEvent&) const = default;
};

BrokerData encode_event(const ZeekEvent& e);

// Throws Error naming what is wrong when `d` is not a Zeek event.
ZeekEvent decode_event(const BrokerData& d);

}  // namespace zagent::zeek

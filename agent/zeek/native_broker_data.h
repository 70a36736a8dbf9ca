// BrokerData to and from libbroker's own broker::data, for the native
// Broker transport. Only that transport includes libbroker; the protocol
// code sees BrokerData alone (broker_data.h).
#pragma once

#include <broker/data.hh>

#include "agent/zeek/broker_data.h"

namespace zagent::zeek {

broker::data to_native(const BrokerData& d);
BrokerData from_native(const broker::data& d);

}  // namespace zagent::zeek

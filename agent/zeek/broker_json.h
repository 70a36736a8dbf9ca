// Broker's JSON encoding of its data (the WebSocket API's "v1" format,
// docs/protocol.md "Values"): every value is {"@data-type": T, "data": D}.
// Decoding is strict: a wrong tag, a data of the wrong JSON kind, a count
// out of range, a malformed address, port, subnet, time or span is an Error
// naming the JSON path of the value ("data[2].data[1]").
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "agent/zeek/broker_data.h"

namespace zagent::zeek {

nlohmann::json to_json(const BrokerData& d);
BrokerData from_json(const nlohmann::json& j, const std::string& path = "");

// The text forms Broker uses inside its JSON, exposed for the tests and the
// docs: "80/tcp", "10.0.0.0/8", "1500ms", "2026-12-07T10:00:00.123456789Z".
std::string format_port(const Port& p);
std::string format_address(const Address& a);
// An IPv4 or IPv6 address in text form; false if it is neither.
bool parse_address(const std::string& text, Address* out);
std::string format_timespan(const Timespan& t);
std::string format_timestamp(const Timestamp& t);

}  // namespace zagent::zeek

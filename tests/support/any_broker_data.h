// A rapidcheck generator of Broker values (agent/zeek/broker_data.h): every
// type, extreme counts and integers, IPv4 and IPv6 addresses, negative
// timespans, empty and nested containers. For properties over the Broker
// encodings.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "agent/zeek/broker_data.h"

namespace zagent::testing {

// Any value, nested up to `depth`. Times are whole milliseconds (the
// precision Broker's text keeps); reals finite; subnets as Broker holds them.
inline rc::Gen<zeek::BrokerData> any_broker_data(int depth) {
  using rc::gen::arbitrary;
  using rc::gen::map;
  std::vector<std::pair<int, rc::Gen<zeek::BrokerData>>> leaves = {
      {1, rc::gen::just(zeek::BrokerData(zeek::None{}))},
      {1, map(arbitrary<bool>(), [](bool b) { return zeek::BrokerData(b); })},
      {2, map(arbitrary<uint64_t>(), [](uint64_t v) { return zeek::BrokerData(v); })},
      {2, map(arbitrary<int64_t>(), [](int64_t v) { return zeek::BrokerData(v); })},
      {1, map(arbitrary<double>(), [](double v) { return zeek::BrokerData(std::isfinite(v) ? v : 0.0); })},
      {2, map(arbitrary<std::string>(),
              [](std::string s) {
                for (char& c : s) c &= 0x7f;  // JSON text is UTF-8; ASCII keeps it so
                return zeek::BrokerData(s);
              })},
      {2, map(arbitrary<std::array<uint8_t, 16>>(), [](std::array<uint8_t, 16> b) { return zeek::BrokerData(zeek::Address{b}); })},
      {1, map(arbitrary<uint32_t>(), [](uint32_t v) { return zeek::BrokerData(zeek::Address::v4(v)); })},
      {1, map(rc::gen::pair(arbitrary<uint32_t>(), rc::gen::inRange(0, 33)),
              [](auto p) {
                // Broker holds a subnet's prefix with the host bits cleared.
                const uint32_t mask = p.second == 0 ? 0 : ~uint32_t{0} << (32 - p.second);
                return zeek::BrokerData(zeek::Subnet{zeek::Address::v4(p.first & mask), static_cast<uint8_t>(p.second)});
              })},
      {1, map(rc::gen::pair(arbitrary<uint16_t>(), rc::gen::inRange(0, 4)),
              [](auto p) { return zeek::BrokerData(zeek::Port{p.first, static_cast<zeek::PortProtocol>(p.second)}); })},
      {1, map(rc::gen::inRange<int64_t>(-9'000'000'000'000, 9'000'000'000'000),
              [](int64_t ms) { return zeek::BrokerData(zeek::Timestamp{ms * 1'000'000}); })},
      {2, map(arbitrary<int64_t>(), [](int64_t ns) { return zeek::BrokerData(zeek::Timespan{ns}); })},
      {1, map(rc::gen::elementOf(std::vector<std::string>{"ZeekAgent::Add", "ZeekAgent::Delete", "X"}),
              [](std::string n) { return zeek::BrokerData(zeek::EnumValue{n}); })},
  };
  if (depth > 0) {
    const auto nested = [depth] { return rc::gen::container<std::vector<zeek::BrokerData>>(rc::gen::lazy([depth] { return any_broker_data(depth - 1); })); };
    leaves.push_back({2, map(nested(), [](std::vector<zeek::BrokerData> v) { return zeek::BrokerData(zeek::Vector{std::move(v)}); })});
    leaves.push_back({1, map(nested(), [](std::vector<zeek::BrokerData> v) { return zeek::BrokerData(zeek::Set{std::move(v)}); })});
    leaves.push_back({1, map(rc::gen::pair(nested(), nested()), [](auto p) {
                        zeek::Table t;
                        for (size_t i = 0; i < std::min(p.first.size(), p.second.size()); ++i)
                          t.entries.emplace_back(p.first[i], p.second[i]);
                        return zeek::BrokerData(std::move(t));
                      })});
  }
  std::vector<rc::Gen<zeek::BrokerData>> weighted;  // each generator as often as its weight
  for (const auto& [weight, gen] : leaves) weighted.insert(weighted.end(), weight, gen);
  return rc::gen::mapcat(rc::gen::inRange<size_t>(0, weighted.size()), [weighted](size_t i) { return weighted[i]; });
}

}  // namespace zagent::testing

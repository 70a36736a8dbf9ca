// BrokerData and libbroker's own broker::data (agent/zeek/native_broker_data.h):
// each type maps to Broker's type with the same value, and any value
// survives the way to Broker and back.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "agent/zeek/broker_json.h"
#include "agent/zeek/native_broker_data.h"
#include "tests/support/any_broker_data.h"

namespace zagent::zeek {
namespace {

// Broker's own text for a value, the most exact view of what it holds.
std::string native_text(const BrokerData& d) { return broker::to_string(to_native(d)); }

TEST(NativeBrokerData, EachTypeBecomesBrokersOwn) {
  EXPECT_TRUE(caf::holds_alternative<broker::none>(to_native(None{}).get_data()));
  EXPECT_EQ(caf::get<broker::boolean>(to_native(true).get_data()), true);
  EXPECT_EQ(caf::get<broker::count>(to_native(uint64_t{18446744073709551615u}).get_data()), 18446744073709551615u);
  EXPECT_EQ(caf::get<broker::integer>(to_native(int64_t{-9223372036854775807 - 1}).get_data()),
            -9223372036854775807 - 1);
  EXPECT_EQ(caf::get<broker::real>(to_native(-2.5).get_data()), -2.5);
  const std::string with_nul("x\0y", 3);
  EXPECT_EQ(caf::get<std::string>(to_native(with_nul).get_data()), with_nul);
  EXPECT_EQ(native_text(Address::v4(0x7f000001)), "127.0.0.1");
  const BrokerData v6 = from_json(nlohmann::json{{"@data-type", "address"}, {"data", "2001:db8::1"}});
  EXPECT_EQ(native_text(v6), "2001:db8::1");
  EXPECT_EQ(native_text(Subnet{Address::v4(0x0a000000), 8}), "10.0.0.0/8");
  const auto& subnet = caf::get<broker::subnet>(to_native(Subnet{Address::v4(0x0a000000), 8}).get_data());
  EXPECT_EQ(subnet.length(), 8);
  EXPECT_EQ(native_text(Port{22, PortProtocol::Tcp}), "22/tcp");
  EXPECT_EQ(native_text(Port{53, PortProtocol::Udp}), "53/udp");
  EXPECT_EQ(native_text(Port{3, PortProtocol::Icmp}), "3/icmp");
  EXPECT_EQ(native_text(Port{0, PortProtocol::Unknown}), "0/?");
  EXPECT_EQ(caf::get<broker::timestamp>(to_native(Timestamp{1'700'000'000'123'456'789}).get_data())
                .time_since_epoch()
                .count(),
            1'700'000'000'123'456'789);
  EXPECT_EQ(caf::get<broker::timespan>(to_native(Timespan{-1'500'000'000}).get_data()).count(), -1'500'000'000);
  EXPECT_EQ(caf::get<broker::enum_value>(to_native(EnumValue{"ZeekAgent::Add"}).get_data()).name, "ZeekAgent::Add");
  EXPECT_EQ(native_text(Vector{{uint64_t{1}, "a", Vector{}}}), "(1, a, ())");
  EXPECT_EQ(native_text(Set{{uint64_t{2}, uint64_t{1}}}), "{1, 2}");
  EXPECT_EQ(native_text(Table{{{"k", int64_t{-1}}}}), "{k -> -1}");
}

TEST(NativeBrokerData, BrokersOwnComesBackAsItWas) {
  EXPECT_EQ(from_native(broker::data{}), BrokerData(None{}));
  EXPECT_EQ(from_native(broker::data{broker::count{7}}), BrokerData(uint64_t{7}));
  EXPECT_EQ(from_native(broker::data{broker::integer{-7}}), BrokerData(int64_t{-7}));
  EXPECT_EQ(from_native(broker::data{broker::port(443, broker::port::protocol::tcp)}),
            BrokerData(Port{443, PortProtocol::Tcp}));
  const uint32_t net = 0xc0a80000;
  const broker::address v4(&net, broker::address::family::ipv4, broker::address::byte_order::host);
  EXPECT_EQ(from_native(broker::data{broker::subnet(v4, 16)}), BrokerData(Subnet{Address::v4(0xc0a80000), 16}));
  EXPECT_EQ(from_native(broker::data{broker::enum_value("ZeekAgent::Delete")}),
            BrokerData(EnumValue{"ZeekAgent::Delete"}));
}

// Broker orders sets and tables by value and keeps one of equal keys, so
// the property is on Broker's side: what Broker holds, brought back and
// sent again, is what it held.
RC_GTEST_PROP(NativeBrokerData, AnyValueSurvivesBrokerAndBack, ()) {
  const broker::data native = to_native(*testing::any_broker_data(2));
  RC_ASSERT(to_native(from_native(native)) == native);
}

bool has_set_or_table(const BrokerData& d) {
  if (d.is<Set>() || d.is<Table>()) return true;
  const Vector* v = d.get<Vector>();
  return v && std::any_of(v->items.begin(), v->items.end(), has_set_or_table);
}

// Without sets and tables (no reordering), the round trip is exact.
RC_GTEST_PROP(NativeBrokerData, VectorsAndScalarsRoundTripExactly, ()) {
  const BrokerData d = *testing::any_broker_data(2);
  RC_PRE(!has_set_or_table(d));
  RC_LOG() << to_json(d).dump() << " came back as " << to_json(from_native(to_native(d))).dump();
  RC_ASSERT(from_native(to_native(d)) == d);
}

}  // namespace
}  // namespace zagent::zeek

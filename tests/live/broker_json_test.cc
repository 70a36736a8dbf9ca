// Broker's JSON encoding (agent/zeek/broker_json.h): the exact text Broker
// and Zeek write for each type, and a round trip of any value.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "agent/zeek/broker_json.h"
#include "tests/support/any_broker_data.h"
#include "journal/error.h"

namespace zagent::zeek {
namespace {

using nlohmann::json;

Address addr(const std::string& text) {
  return std::get<Address>(from_json(json{{"@data-type", "address"}, {"data", text}}).value);
}

TEST(BrokerJson, EachTypeIsWrittenAsBrokerWritesIt) {
  const auto data = [](const BrokerData& d) { return to_json(d).dump(); };
  EXPECT_EQ(data(None{}), R"({"@data-type":"none","data":{}})");
  EXPECT_EQ(data(true), R"({"@data-type":"boolean","data":true})");
  EXPECT_EQ(data(UINT64_MAX), R"({"@data-type":"count","data":18446744073709551615})");
  EXPECT_EQ(data(INT64_MIN), R"({"@data-type":"integer","data":-9223372036854775808})");
  EXPECT_EQ(data(5.0), R"({"@data-type":"real","data":5.0})");  // a double, never "5"
  EXPECT_EQ(data("a\"b"), R"({"@data-type":"string","data":"a\"b"})");
  EXPECT_EQ(data(Address::v4(0x0a000001)), R"({"@data-type":"address","data":"10.0.0.1"})");
  EXPECT_EQ(data(addr("2001:db8::1")), R"({"@data-type":"address","data":"2001:db8::1"})");
  EXPECT_EQ(data(Subnet{Address::v4(0xc0800400), 24}), R"({"@data-type":"subnet","data":"192.128.4.0/24"})");
  EXPECT_EQ(data(Port{80, PortProtocol::Tcp}), R"({"@data-type":"port","data":"80/tcp"})");
  EXPECT_EQ(data(Port{53, PortProtocol::Udp}), R"({"@data-type":"port","data":"53/udp"})");
  EXPECT_EQ(data(Port{8, PortProtocol::Icmp}), R"({"@data-type":"port","data":"8/icmp"})");
  EXPECT_EQ(data(Port{7, PortProtocol::Unknown}), R"({"@data-type":"port","data":"7/?"})");
  EXPECT_EQ(data(Timestamp{1404901004'123456789}), R"({"@data-type":"timestamp","data":"2014-07-09T10:16:44.123"})");
  EXPECT_EQ(data(Timespan{30'000'000'000}), R"({"@data-type":"timespan","data":"30s"})");
  EXPECT_EQ(data(Timespan{1'500'000'000}), R"({"@data-type":"timespan","data":"1500ms"})");
  EXPECT_EQ(data(Timespan{-7}), R"({"@data-type":"timespan","data":"-7ns"})");
  EXPECT_EQ(data(Timespan{0}), R"({"@data-type":"timespan","data":"0s"})");
  EXPECT_EQ(data(EnumValue{"ZeekAgent::Add"}), R"({"@data-type":"enum-value","data":"ZeekAgent::Add"})");
  EXPECT_EQ(data(Set{}), R"({"@data-type":"set","data":[]})");
  EXPECT_EQ(data(Vector{{uint64_t{1}, "x"}}),
            R"({"@data-type":"vector","data":[{"@data-type":"count","data":1},{"@data-type":"string","data":"x"}]})");
  EXPECT_EQ(data(Table{{{"k", false}}}),
            R"({"@data-type":"table","data":[{"key":{"@data-type":"string","data":"k"},)"
            R"("value":{"@data-type":"boolean","data":false}}]})");
}

TEST(BrokerJson, ReadsWhatZeekSends) {
  // Zeek 7 publishing ZeekAgentAPI::install_query_v1 (users.zeek), with the
  // event's third element, its metadata.
  const json msg = json::parse(R"({"type":"data-message","topic":"/zeek-agent/query/group/all",
    "@data-type":"vector","data":[{"@data-type":"count","data":1},{"@data-type":"count","data":1},
    {"@data-type":"vector","data":[{"@data-type":"string","data":"ZeekAgentAPI::install_query_v1"},
     {"@data-type":"vector","data":[{"@data-type":"string","data":"zeek_x"},{"@data-type":"string","data":"za_y"},
      {"@data-type":"vector","data":[{"@data-type":"string","data":"SELECT * FROM users"},
       {"@data-type":"timespan","data":"30s"},{"@data-type":"enum-value","data":"ZeekAgent::Differences"},
       {"@data-type":"vector","data":[{"@data-type":"string","data":"ZeekAgent_Users::query_result"}]},
       {"@data-type":"none","data":{}},{"@data-type":"set","data":[]},{"@data-type":"set","data":[]}]}]},
     {"@data-type":"vector","data":[{"@data-type":"vector","data":[{"@data-type":"count","data":1},
      {"@data-type":"timestamp","data":"2026-05-01T12:00:00.000"}]}]}]}]})");
  const BrokerData d = from_json(msg);
  const Vector query{{"SELECT * FROM users", Timespan{30'000'000'000}, EnumValue{"ZeekAgent::Differences"},
                      Vector{{"ZeekAgent_Users::query_result"}}, None{}, Set{}, Set{}}};
  const Vector metadata{{Vector{{uint64_t{1}, Timestamp{1777636800'000000000}}}}};
  EXPECT_EQ(d, BrokerData(Vector{{uint64_t{1}, uint64_t{1},
                                  Vector{{"ZeekAgentAPI::install_query_v1", Vector{{"zeek_x", "za_y", query}},
                                          metadata}}}}));
}

TEST(BrokerJson, ReadsEveryTextFormBrokerAccepts) {
  const auto read = [](const char* type, json data) { return from_json(json{{"@data-type", type}, {"data", data}}); };
  EXPECT_EQ(read("timespan", "2min"), BrokerData(Timespan{120'000'000'000}));
  EXPECT_EQ(read("timespan", "1h"), BrokerData(Timespan{3'600'000'000'000}));
  EXPECT_EQ(read("timespan", "250us"), BrokerData(Timespan{250'000}));
  EXPECT_EQ(read("port", "22"), BrokerData(Port{22, PortProtocol::Tcp}));  // no protocol: tcp
  EXPECT_EQ(read("port", "22/sctp"), BrokerData(Port{22, PortProtocol::Unknown}));
  EXPECT_EQ(read("timestamp", "1970-01-01T00:00:01.5Z"), BrokerData(Timestamp{1'500'000'000}));
  EXPECT_EQ(read("timestamp", "1970-01-01T01:00:00+01:00"), BrokerData(Timestamp{0}));
  EXPECT_EQ(read("timestamp", "1970-01-01T00:00:00.000000001"), BrokerData(Timestamp{1}));
  EXPECT_EQ(read("real", 5), BrokerData(5.0));
  EXPECT_EQ(read("count", 0), BrokerData(uint64_t{0}));
  EXPECT_EQ(read("subnet", "2001:db8::/32"), BrokerData(Subnet{addr("2001:db8::"), 32}));
}

TEST(BrokerJson, BadValuesAreRefusedNamingWhereAndWhy) {
  const auto error = [](const std::string& text) {
    try {
      from_json(json::parse(text));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error(R"({"@data-type":"count","data":-1})"),
            "Broker JSON: count data must be a non-negative integer below 2^64");
  EXPECT_EQ(error(R"({"@data-type":"integer","data":9223372036854775808})"), "Broker JSON: integer data out of range");
  EXPECT_EQ(error(R"({"@data-type":"vector","data":[{"@data-type":"count","data":1},{"@data-type":"address","data":"1.2.3"}]})"),
            "Broker JSON at .data[1]: not an IPv4 or IPv6 address: \"1.2.3\"");
  EXPECT_EQ(error(R"({"@data-type":"port","data":"70000/tcp"})"), "Broker JSON: not a port (number/protocol): \"70000/tcp\"");
  EXPECT_EQ(error(R"({"@data-type":"timespan","data":"5 s"})"),
            "Broker JSON: not a timespan (integer and ns, us, ms, s, min, h or d): \"5 s\"");
  EXPECT_EQ(error(R"({"@data-type":"timespan","data":"9223372036854775807s"})"),
            "Broker JSON: not a timespan (integer and ns, us, ms, s, min, h or d): \"9223372036854775807s\"");
  EXPECT_EQ(error(R"({"@data-type":"timestamp","data":"2026-13-01T00:00:00.000"})"),
            "Broker JSON: not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS.fff): \"2026-13-01T00:00:00.000\"");
  EXPECT_EQ(error(R"({"@data-type":"subnet","data":"10.0.0.0/33"})"),
            "Broker JSON: not a subnet (address/length): \"10.0.0.0/33\"");
  EXPECT_EQ(error(R"({"@data-type":"table","data":[{"key":{"@data-type":"none","data":{}}}]})"),
            "Broker JSON at .data[0]: a table entry must be {key, value}");
  EXPECT_EQ(error(R"({"@data-type":"bool","data":true})"), "Broker JSON: unknown @data-type \"bool\"");
  EXPECT_EQ(error(R"({"data":1})"), "Broker JSON: no \"@data-type\" string");
  EXPECT_EQ(error(R"([1])"), "Broker JSON: a value must be an object");
  EXPECT_EQ(error(R"({"@data-type":"boolean","data":1})"), "Broker JSON: boolean data must be true or false");
}

RC_GTEST_PROP(BrokerJson, AnyValueRoundTripsThroughItsText, ()) {
  const BrokerData d = *testing::any_broker_data(2);
  const std::string text = to_json(d).dump();
  RC_ASSERT(from_json(json::parse(text)) == d);
}

}  // namespace
}  // namespace zagent::zeek

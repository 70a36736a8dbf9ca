// The text forms: times (RFC 3339, epoch seconds) and the canonical JSON of
// events, including byte strings that are not UTF-8.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "journal/error.h"
#include "journal/event_json.h"
#include "journal/timestamp.h"

namespace zagent {
namespace {

TEST(Timestamp, ParsesRfc3339AndEpochSeconds) {
  EXPECT_EQ(parse_time("2025-11-24T16:00:00Z"), 1'764'000'000'000'000'000);
  EXPECT_EQ(parse_time("2025-11-24T16:00:00.5Z"), 1'764'000'000'500'000'000);
  EXPECT_EQ(parse_time("2025-11-24 17:00:00.000000001+01:00"), 1'764'000'000'000'000'001);
  EXPECT_EQ(parse_time("2025-11-24T10:30:00-05:30"), 1'764'000'000'000'000'000);
  EXPECT_EQ(parse_time("1764000000"), 1'764'000'000'000'000'000);
  EXPECT_EQ(parse_time("1764000000.25"), 1'764'000'000'250'000'000);
  EXPECT_EQ(parse_time("0"), 0);
  EXPECT_EQ(parse_time("2024-02-29T00:00:00Z"), 1'709'164'800'000'000'000);  // a leap day
  EXPECT_EQ(parse_time("9223372035"), 9'223'372'035'000'000'000);
}

TEST(Timestamp, RejectsBadTextNamingIt) {
  for (const char* bad : {"", "yesterday", "2025-11-24", "2025-11-24T16:00:00", "2025-13-01T00:00:00Z",
                          "2025-11-24T16:00:00Zjunk", "17640000000000000", "1.", "12a", "10000000000",
                          "2026-00-10T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-01-01T00:00:00+99:99", "2300-01-01T00:00:00Z"}) {
    try {
      parse_time(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(Timestamp, FormatsUtcWithNanoseconds) {
  EXPECT_EQ(format_rfc3339(1'764'000'000'000'000'001), "2025-11-24T16:00:00.000000001Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(parse_time(format_rfc3339(1'764'123'456'789'012'345)), 1'764'123'456'789'012'345);
}

std::string json_string(std::string_view bytes) {
  std::string out;
  append_json_string(bytes, &out);
  return out;
}

// Addresses as text: IPv4 (v4-mapped inside) as dotted quads, every other
// address as inet_ntop writes IPv6; the same text as inet_ntop for any v4.
RC_GTEST_PROP(IpText, Ipv4IsWhatInetNtopWrites, (uint32_t host_order)) {
  const IpAddress a = IpAddress::v4(host_order);
  const uint32_t net = htonl(host_order);
  char want[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &net, want, sizeof want);
  RC_ASSERT(a.to_string() == std::string(want));
}

TEST(IpText, EdgesAndIpv6) {
  EXPECT_EQ(IpAddress::v4(0).to_string(), "0.0.0.0");
  EXPECT_EQ(IpAddress::v4(0xffffffff).to_string(), "255.255.255.255");
  EXPECT_EQ(IpAddress::v4(0x0a00fe01).to_string(), "10.0.254.1");
  EXPECT_EQ(IpAddress{}.to_string(), "::");
  EXPECT_EQ(IpAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).to_string(), "2001:db8::1");
}

TEST(EventJson, StringsEscapeControlAndInvalidBytes) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
  EXPECT_EQ(json_string(std::string("\0\x01\x7f", 3)), "\"\\u0000\\u0001\\u007f\"");
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // Invalid: a lone continuation byte, a truncated sequence, an overlong
  // encoding and an encoded surrogate, byte by byte as \udcXX.
  EXPECT_EQ(json_string("\x80"), "\"\\udc80\"");
  EXPECT_EQ(json_string("\xc3"), "\"\\udcc3\"");
  EXPECT_EQ(json_string("\xc0\xaf"), "\"\\udcc0\\udcaf\"");
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");
  EXPECT_EQ(json_string("ok\xffok"), "\"ok\\udcffok\"");
}

TEST(EventJson, ExecEventHasEveryFieldWithStableNames) {
  ProcessExec p;
  p.pid = 4242;
  p.ppid = 1;
  p.uid = 1000;
  p.exe = "/usr/bin/curl";
  p.argv = {"curl", "-s", "http://x/\xff"};
  p.cwd = "/tmp";
  p.comm = "curl";
  p.exe_sha256 = std::string(32, '\xab');
  p.exe_hash_status = HashStatus::Ok;
  std::string out;
  append_event_json(Event{1'764'000'000'000'000'001, 7, p}, "h1", &out);
  EXPECT_EQ(out,
            "{\"seq\":7,\"ts\":1764000000000000001,\"time\":\"2025-11-24T16:00:00.000000001Z\","
            "\"host\":\"h1\",\"type\":\"process_exec\",\"pid\":4242,\"ppid\":1,\"start_boot_ns\":0,"
            "\"parent_start_boot_ns\":0,\"uid\":1000,\"gid\":0,\"euid\":0,\"egid\":0,"
            "\"login_uid\":4294967295,\"session_id\":0,\"exe\":\"/usr/bin/curl\","
            "\"argv\":[\"curl\",\"-s\",\"http://x/\\udcff\"],\"argv_truncated\":false,\"cwd\":\"/tmp\","
            "\"comm\":\"curl\",\"tty\":\"\",\"cgroup_id\":0,\"container_id\":\"\",\"exe_sha256\":\""
            "abababababababababababababababababababababababababababababababab\","
                "\"exe_hash_status\":\"ok\"}");
}

TEST(EventJson, SocketAndSensorEvents) {
  SocketEvent s{SocketAction::Close, Protocol::Tcp, 10, 20, 0, "nc", "/usr/bin/nc",
                IpAddress::v4(0x7f000001), 40000, IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                8080, 5, 6};
  std::string out;
  append_event_json(Event{0, 1, s}, "h", &out);
  EXPECT_NE(out.find("\"type\":\"socket\",\"action\":\"close\",\"protocol\":\"tcp\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"local_addr\":\"127.0.0.1\",\"local_port\":40000,\"remote_addr\":\"::1\",\"remote_port\":8080,"
                     "\"bytes_sent\":5,\"bytes_received\":6}"),
            std::string::npos)
      << out;

  SensorEvent e{SensorAction::EventsLost, "exec", "ring full", {{"process_exec", 12}, {"we\"ird", 1}}};
  out.clear();
  append_event_json(Event{0, 2, e}, "h", &out);
  EXPECT_NE(out.find("\"type\":\"sensor\",\"action\":\"events_lost\",\"sensor\":\"exec\",\"message\":\"ring full\","
                     "\"counters\":{\"process_exec\":12,\"we\\\"ird\":1}}"),
            std::string::npos)
      << out;
}

TEST(EventJson, EnumValuesPastTheSchemaPrintAsUnknown) {
  // Blocks are untrusted: the FlatBuffers verifier does not range-check enums.
  SocketEvent s;
  s.action = static_cast<SocketAction>(144);
  s.protocol = static_cast<Protocol>(9);
  std::string out;
  append_event_json(Event{0, 1, s}, "h", &out);
  EXPECT_NE(out.find("\"action\":\"unknown\",\"protocol\":\"unknown\""), std::string::npos) << out;
}

}  // namespace
}  // namespace zagent

// zagent-replay --format zeek-script: the script's parts (package, driver, events),
// the Replay JSON of every event type as the Zeek package's records need it
// (docs/zeek.md), batching that keeps the script parseable, the golden for
// the testdata capture, and exact escaping of bytes Zeek must get back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "journal/event_fields.h"
#include "journal/hash_chain.h"
#include "journal/journal_writer.h"
#include "replay/zeek_json.h"
#include "replay/zeek_script.h"
#include "tests/support/any_event.h"
#include "tests/support/sample_events.h"
#include "tests/support/temp_dir.h"

namespace zagent::replay {
namespace {

using nlohmann::json;
using testing::run_command;

const std::string kReplay = ZAGENT_REPLAY_BINARY;
const std::string kScript = kReplay + " --format zeek-script";
const std::string kData = std::string(ZAGENT_SOURCE_DIR) + "/testdata/replay-basic";

// The script a writer makes of `events`.
std::string script_of(const std::vector<Event>& events, bool prelude) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  {
    ZeekScriptWriter w(f, prelude);
    for (const Event& e : events) w.add(e, "host-a", "boot-1");
    w.finish();
  }
  std::fclose(f);
  std::string s(buf, size);
  std::free(buf);
  return s;
}

// Undoes the Zeek string literal escapes the writer uses.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
    } else if (s[i + 1] == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else if (s[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += s[++i];
    }
  }
  return out;
}

// Every ZAgentReplay::add_batch("...") batch of a script, unescaped, split into lines.
std::vector<std::vector<std::string>> batches_of(const std::string& script) {
  std::vector<std::vector<std::string>> out;
  const std::string open = "ZAgentReplay::add_batch(\"";
  for (size_t at = script.find(open); at != std::string::npos; at = script.find(open, at + 1)) {
    if (script.compare(at - 1, 1, "\t") != 0) continue;  // the driver's own mentions
    const size_t begin = at + open.size();
    const size_t end = script.find("\");\n", begin);
    const std::string body = unescape(script.substr(begin, end - begin));
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1)
      lines.push_back(body.substr(start, nl - start));
    lines.push_back(body.substr(start));
    out.push_back(lines);
  }
  return out;
}

TEST(ZeekScript, HoldsThePackageTheDriverAndTheEventsInBatches) {
  testing::SampleEvents sample(5);
  const std::vector<Event> events = sample.make(2500);
  const std::string with = script_of(events, true);
  const std::string without = script_of(events, false);
  EXPECT_NE(with.find("# ---- zeek/types.zeek"), std::string::npos);
  EXPECT_NE(with.find("module ZAgent;"), std::string::npos);
  EXPECT_EQ(with.find("@load ./"), std::string::npos) << "package-relative loads must be gone";
  EXPECT_EQ(with.find("@load zagent\n"), std::string::npos);
  EXPECT_NE(without.find("\n@load zagent\n"), std::string::npos);
  EXPECT_EQ(without.find("module ZAgent;"), std::string::npos);
  EXPECT_NE(without.find("# ---- replay/driver.zeek"), std::string::npos);
  // Without the package both scripts are the same.
  EXPECT_EQ(with.substr(with.find("# ---- replay/driver.zeek")), without.substr(without.find("# ---- replay/driver.zeek")));

  const auto batches = batches_of(without);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 1000u);
  EXPECT_EQ(batches[2].size(), 500u);
  // Every line: kind, seconds, JSON with the same seconds, in journal order.
  uint64_t seq = 0;
  for (const auto& batch : batches) {
    for (const auto& line : batch) {
      const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
      const json j = json::parse(line.substr(t2 + 1));
      EXPECT_EQ(j["seq"].get<uint64_t>(), ++seq);
      EXPECT_EQ(line.substr(0, t1), event_type_name(events[seq - 1].type()));
      std::string seconds;
      append_seconds(events[seq - 1].ts, &seconds);
      EXPECT_EQ(line.substr(t1 + 1, t2 - t1 - 1), seconds);
      EXPECT_EQ(j["host"], "host-a");
      EXPECT_EQ(j["boot_id"], "boot-1");
    }
  }
}

TEST(ZeekScript, ManyBatchesAreSpreadOverHandlersAddedInOrder) {
  testing::SampleEvents sample(6);
  const auto events = sample.make(ZeekScriptWriter::kEventsPerBatch * ZeekScriptWriter::kBatchesPerHandler + 1);
  const std::string s = script_of(events, false);
  EXPECT_NE(s.find("event zeek_init() &priority=0\n\t{\n\tZAgentReplay::add_batch("), std::string::npos);
  EXPECT_NE(s.find("\t}\n\nevent zeek_init() &priority=-1\n\t{\n\tZAgentReplay::add_batch("), std::string::npos);
  EXPECT_EQ(s.find("&priority=-2"), std::string::npos);
  EXPECT_EQ(batches_of(s).size(), ZeekScriptWriter::kBatchesPerHandler + 1);
}

TEST(ZeekScript, ReplayJsonOfEveryTypeIsWhatThePackageDecodes) {
  ProcessExec exec;
  exec.pid = 7;
  exec.argv = {"a\"b", "tab\there", "\xff\xfe", std::string("nul\0x", 5)};
  exec.exe_sha256 = std::string(32, '\x0f');
  exec.exe_hash_status = HashStatus::Ok;
  SocketEvent sock;
  sock.protocol = Protocol::Udp;
  sock.local_addr = IpAddress::v4(0x7f000001);
  sock.local_port = 36843;
  sock.remote_port = 18053;
  SensorEvent sensor{SensorAction::EventsLost, "socket", "ring", {{"socket", 12}, {"socket", 18446744073709551615ull}}};
  const std::vector<Event> events = {
      {-1'500'000'000, 1, exec},
      {1'795'995'902'877'951'685, 2, sock},
      {1'795'995'902'000'000'007, 3, sensor},
      {1'795'995'902'000'000'008, 4, ProcessExit{9, 10, -1, 15, -1, "x"}},
  };
  const auto lines = batches_of(script_of(events, false)).at(0);
  ASSERT_EQ(lines.size(), 4u);
  auto json_of = [&](size_t i) { return lines[i].substr(lines[i].find('\t', lines[i].find('\t') + 1) + 1); };
  // Strings: quote, backslash and control bytes escaped, other bytes raw.
  EXPECT_NE(json_of(0).find(R"("argv":["a\"b","tab\u0009here",")" "\xff\xfe" R"(","nul\u0000x"])"),
            std::string::npos)
      << json_of(0);
  EXPECT_NE(json_of(0).find(R"("ts":-1.500000000,)"), std::string::npos);
  EXPECT_NE(json_of(0).find(R"("exe_sha256":"0f0f0f)"), std::string::npos);
  EXPECT_EQ(json_of(1),
            R"({"seq":2,"ts":1795995902.877951685,"host":"host-a","boot_id":"boot-1","action":"connect","protocol":"udp",)"
            R"("pid":0,"start_boot_ns":0,"uid":0,"comm":"","exe":"","local_addr":"127.0.0.1","local_port":"36843/udp",)"
            R"("remote_addr":"::","remote_port":"18053/udp","bytes_sent":0,"bytes_received":0})");
  EXPECT_EQ(json_of(2),
            R"({"seq":3,"ts":1795995902.000000007,"host":"host-a","boot_id":"boot-1","action":"events_lost",)"
            R"("sensor":"socket","message":"ring","counters":[{"name":"socket","value":12},)"
            R"({"name":"socket","value":18446744073709551615}]})");
  EXPECT_EQ(json_of(3),
            R"({"seq":4,"ts":1795995902.000000008,"host":"host-a","boot_id":"boot-1","pid":9,"start_boot_ns":10,)"
            R"("exit_code":-1,"signal":15,"duration_ns":-1,"comm":"x"})");
  // In the script itself every byte outside printable ASCII is \xNN.
  const std::string s = script_of(events, false);
  const std::string data = s.substr(s.find("\tZAgentReplay::add_batch(\""));
  for (unsigned char c : data) ASSERT_TRUE(c == '\n' || c == '\t' || (c >= 0x20 && c <= 0x7e)) << int(c);
  EXPECT_NE(data.find(R"(\xff\xfe)"), std::string::npos);
}

// Bytes past 0x7f as the code points U+0080..U+00FF (Latin-1 read as
// Unicode), in UTF-8: what those raw bytes of Replay JSON become when each
// is escaped \u00XX, so that a strict JSON parser can check the rest.
std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}
std::string raw_bytes_escaped(std::string_view json) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : json) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Checks each field of an event against its parsed Replay JSON, by kind as
// docs/zeek.md states them.
struct FieldCheck {
  const json& j;
  void num(const char* k, uint64_t v) { RC_ASSERT(j.at(k).get<uint64_t>() == v); }
  void num(const char* k, int64_t v) { RC_ASSERT(j.at(k).get<int64_t>() == v); }
  void num(const char* k, uint32_t v) { num(k, uint64_t{v}); }
  void num(const char* k, uint16_t v) { num(k, uint64_t{v}); }
  void num(const char* k, int32_t v) { num(k, int64_t{v}); }
  void str(const char* k, std::string_view v) { RC_ASSERT(j.at(k).get<std::string>() == latin1_to_utf8(v)); }
  void boolean(const char* k, bool v) { RC_ASSERT(j.at(k).get<bool>() == v); }
  void strings(const char* k, const std::vector<std::string>& v) {
    RC_ASSERT(j.at(k).size() == v.size());
    for (size_t i = 0; i < v.size(); ++i) RC_ASSERT(j.at(k)[i].get<std::string>() == latin1_to_utf8(v[i]));
  }
  void ip(const char* k, const IpAddress& a) { str(k, a.to_string()); }
  void port(const char* k, uint16_t p, Protocol proto) {
    const std::string want = proto == Protocol::Tcp   ? std::to_string(p) + "/tcp"
                             : proto == Protocol::Udp ? std::to_string(p) + "/udp"
                                                      : "0/unknown";
    RC_ASSERT(j.at(k).get<std::string>() == want);
  }
  void hash(const char* k, const std::string& bytes) {
    RC_ASSERT(j.at(k).get<std::string>() == to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
  }
  void counters(const char* k, const std::vector<Counter>& v) {
    RC_ASSERT(j.at(k).size() == v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      RC_ASSERT(j.at(k)[i].at("name").get<std::string>() == latin1_to_utf8(v[i].name));
      RC_ASSERT(j.at(k)[i].at("value").get<uint64_t>() == v[i].value);
    }
  }
};

// Any events, any bytes: each batch is one Zeek string literal that ends at
// its closing quote and holds only printable ASCII, and each of its lines
// gives back the event's type, time and every field.
RC_GTEST_PROP(ZeekScript, AnyEventsComeBackFromTheLiterals, ()) {
  std::vector<Event> events;
  const int n = *rc::gen::inRange(1, 40);
  for (int i = 0; i < n; ++i)
    events.push_back(Event{*rc::gen::arbitrary<int64_t>(), static_cast<uint64_t>(i + 1), testing::any_body()});
  const std::string script = script_of(events, false);
  const std::string open = "\tZAgentReplay::add_batch(\"";
  size_t at = script.find(open);
  RC_ASSERT(at != std::string::npos);
  // The literal as Zeek's lexer reads it: up to the first quote not escaped.
  size_t i = at + open.size();
  std::string body;
  for (; i < script.size() && script[i] != '"'; ++i) {
    const auto c = static_cast<unsigned char>(script[i]);
    RC_ASSERT(c >= 0x20 && c <= 0x7e);
    body += script[i];
    if (script[i] == '\\') body += script[++i];
  }
  RC_ASSERT(script.compare(i, 4, "\");\n") == 0);
  std::vector<std::string> lines;
  const std::string text = unescape(body);
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  lines.push_back(text.substr(start));
  RC_ASSERT(lines.size() == events.size());
  for (size_t k = 0; k < events.size(); ++k) {
    const std::string& line = lines[k];
    const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    RC_ASSERT(line.substr(0, t1) == std::string(event_type_name(events[k].type())));
    std::string seconds;
    append_seconds(events[k].ts, &seconds);
    RC_ASSERT(line.substr(t1 + 1, t2 - t1 - 1) == seconds);
    const json j = json::parse(raw_bytes_escaped(line.substr(t2 + 1)));
    RC_ASSERT(j.at("seq").get<uint64_t>() == events[k].seq);
    RC_ASSERT(j.at("host").get<std::string>() == "host-a");
    FieldCheck check{j};
    visit_fields(events[k].body, check);
  }
}

TEST(ZeekScript, TheTestdataScriptIsTheGolden) {
  const auto r = run_command(kScript + " --no-prelude " + kData + "/journal.zst");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, run_command("cat " + kData + "/expected/replay-no-prelude.zeek").out)
      << "regenerate with: zagent-replay --format zeek-script --no-prelude testdata/replay-basic/journal.zst > "
         "testdata/replay-basic/expected/replay-no-prelude.zeek (and say why in the commit)";
  // The same events, one line each, as --format json has them.
  size_t events = 0;
  for (const auto& b : batches_of(r.out)) events += b.size();
  EXPECT_EQ(events, 141u);
}

// --max-events: counted before anything is written, on files and on
// standard input alike; past it, exit 2 and a message that names the limit
// and the ways to cut the journal; the selection counts, not the journal.
TEST(ZeekScript, MoreEventsThanMaxEventsAreRefusedBeforeAnyOutput) {
  const std::string journal = kData + "/journal.zst";
  const auto whole = run_command(kScript + " " + journal);
  ASSERT_EQ(whole.status, 0);
  EXPECT_EQ(run_command(kScript + " --max-events 141 " + journal).out, whole.out);  // 141 events: at the limit
  EXPECT_EQ(run_command("cat " + journal + " | " + kScript + " --max-events 141 -").out, whole.out);

  for (const std::string& input : {journal, std::string("- < ") + journal}) {
    const auto refused = run_command(kScript + " --max-events 140 " + input + " 2>&1");
    EXPECT_EQ(refused.status, 2) << input;
    EXPECT_EQ(refused.out,
              "zagent-replay: more than 140 events to replay (--max-events): Zeek would parse them all as script "
              "text before the first packet, which takes about 2.5 minutes and 1.5 GB per million events. Replay a "
              "part of the journal with --since/--until (see `zagent info` for its time range), --type or --host, "
              "raise --max-events (0: no limit), or replay with the default --format zeek into a Zeek with the "
              "Zagent::Replay plugin, which has no limit\n")
        << input;
  }
  // A selection under the limit passes; --max-events 0 is no limit; JSON
  // is not for Zeek's parser and has none.
  const auto sockets = run_command(kReplay + " --format json --type socket " + journal + " | wc -l");
  const int socket_events = std::stoi(sockets.out);
  ASSERT_GT(socket_events, 0);
  ASSERT_LT(socket_events, 140);
  const auto some = run_command(kScript + " --type socket --max-events " + std::to_string(socket_events) + " " + journal);
  EXPECT_EQ(some.status, 0);
  size_t events = 0;
  for (const auto& b : batches_of(some.out)) events += b.size();
  EXPECT_EQ(events, static_cast<size_t>(socket_events));
  EXPECT_EQ(run_command(kScript + " --max-events 0 " + journal).out, whole.out);
  const auto json_lines = run_command(kReplay + " --format json --max-events 1 " + journal + " | wc -l");
  EXPECT_EQ(std::stoi(json_lines.out), 141);
}

}  // namespace
}  // namespace zagent::replay

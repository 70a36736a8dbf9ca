// zeek_agent: one row about the agent and its host.
//
//   SELECT hostname, uptime, events_recorded, events_lost FROM zeek_agent
//
// The columns up to `tables` are zeek-agent v2's zeek_agent table
// (src/tables/zeek_agent/zeek_agent.h), which its Zeek package reads into
// its hello record; then zagent's own figures about its journal. Zeek
// intervals are INTEGER ns, and Zeek sets TEXT holding a JSON array.
//
// Inside a running agent (QueryContext::agent_status set) uptime and the
// event counts are the agent's; otherwise (a `zagent query` process) uptime
// is this process's and the counts are those of the journals queried. The
// journal figures come from block trailers only (journal_figures.h), and in
// the agent also from the events not yet flushed.
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "tables/event_table.h"
#include "tables/snapshot/journal_figures.h"
#include "tables/snapshot_table.h"

#ifndef ZAGENT_VERSION
#error "ZAGENT_VERSION must be defined (tables/snapshot/CMakeLists.txt)"
#endif

namespace zagent::tables {
namespace {

int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// When this process started, for its uptime outside an agent.
const int64_t process_started = wall_now();

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

Value text_or_null(std::string s) { return s.empty() ? Value() : Value(std::move(s)); }

// A Zeek set as a JSON array (event_table.h's json_array), sorted.
std::string json_set(const std::set<std::string>& items) {
  return json_array(std::vector<std::string>(items.begin(), items.end()));
}

// A new random ID per process: "unique ID for agent process (reset on restart)".
const std::string& instance_id() {
  static const std::string id = [] {
    std::random_device random;
    char text[33];
    std::snprintf(text, sizeof text, "%08x%08x%08x%08x", random(), random(), random(), random());
    return std::string(text);
  }();
  return id;
}

// The interface of the default route: IPv4's, else IPv6's.
std::string default_interface() {
  std::ifstream route("/proc/net/route");
  std::string line;
  while (std::getline(route, line)) {
    std::istringstream fields(line);
    std::string name, destination;
    if (fields >> name >> destination && destination == "00000000") return name;
  }
  std::ifstream route6("/proc/net/ipv6_route");
  while (std::getline(route6, line)) {
    std::istringstream fields(line);
    std::string destination, prefix, field, name;
    fields >> destination >> prefix;
    for (int i = 0; i < 8 && fields >> field; ++i) name = field;  // the interface is the 10th field
    if (destination == std::string(32, '0') && prefix == "00" && !name.empty() && name != "lo") return name;
  }
  return "";
}

// "IP addresses of endpoint's primary network connection": those of the
// default route's interface, without link-local ones.
std::set<std::string> primary_addresses() {
  std::set<std::string> addresses;
  const std::string interface = default_interface();
  ifaddrs* list = nullptr;
  if (interface.empty() || ::getifaddrs(&list) != 0) return addresses;
  for (const ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || interface != a->ifa_name) continue;
    const int family = a->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    char host[NI_MAXHOST];
    const socklen_t size = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    if (::getnameinfo(a->ifa_addr, size, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    if (std::string_view(host).find('%') == std::string_view::npos) addresses.insert(host);  // not "fe80::1%eth0"
  }
  ::freeifaddrs(list);
  return addresses;
}

std::string os_name() {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.starts_with("PRETTY_NAME=")) continue;
      std::string value = line.substr(12);
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
        value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return "";
}

// zeek-agent v2's numeric version: major * 10^8 + minor * 10^6 + patch * 10^4.
int64_t version_number(const std::string& version) {
  int64_t major = 0, minor = 0, patch = 0;
  char dot1 = 0, dot2 = 0;
  std::istringstream in(version);
  in >> major >> dot1 >> minor >> dot2 >> patch;
  return major * 100'000'000 + minor * 1'000'000 + patch * 10'000;
}

class ZeekAgent final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "zeek_agent",
        "the agent and its host: zeek-agent v2's zeek_agent columns, then zagent's journal figures",
        {
            {"id", ColumnType::Text,
             "unique agent ID, stable across restarts: in a running agent its id for Zeek (the state "
             "directory's agent-id), otherwise the host's /etc/machine-id"},
            {"instance", ColumnType::Text, "unique ID of the agent process, new on each restart"},
            {"hostname", ColumnType::Text, "name of the host"},
            {"addresses", ColumnType::Text,
             "JSON array of the IP addresses of the interface of the default route (no link-local ones)"},
            {"platform", ColumnType::Text, "`Linux`"},
            {"os_name", ColumnType::Text, "name of the operating system (PRETTY_NAME of os-release)"},
            {"kernel_name", ColumnType::Text, "name of the OS kernel"},
            {"kernel_version", ColumnType::Text, "release of the OS kernel"},
            {"kernel_arch", ColumnType::Text, "the machine's architecture"},
            {"agent_version", ColumnType::Integer,
             "agent version as a number, major * 10^8 + minor * 10^6 + patch * 10^4 (as zeek-agent v2)"},
            {"broker", ColumnType::Text, "Broker version: null, zagent does not link Broker"},
            {"uptime", ColumnType::Integer, "how long the agent has been running, in ns"},
            {"tables", ColumnType::Text, "JSON array of the names of the tables available to queries, sorted"},
            {"events_recorded", ColumnType::Integer,
             "events recorded: by the running agent since it started, else in the journals queried; null when "
             "neither"},
            {"events_lost", ColumnType::Integer,
             "events the sensors lost: by the running agent since it started, else the sum of the EventsLost "
             "counters in the journals queried; null when neither"},
            {"journal_bytes", ColumnType::Integer,
             "bytes of the journals' segment files; null when no journal is queried"},
            {"oldest_event", ColumnType::Integer,
             "time of the oldest event in the journals (in the agent, also of those not yet on disk), "
             "ns since the Unix epoch; null when none"},
            {"newest_event", ColumnType::Integer,
             "time of the newest event in the journals (in the agent, also of those not yet on disk), "
             "ns since the Unix epoch; null when none"},
        },
        "SELECT hostname, uptime, events_recorded, events_lost, journal_bytes FROM zeek_agent",
        {{"addresses", ZeekType::AddrSet}, {"agent_version", ZeekType::Count}, {"uptime", ZeekType::Interval},
         {"tables", ZeekType::StringSet}, {"events_recorded", ZeekType::Count}, {"events_lost", ZeekType::Count},
         {"journal_bytes", ZeekType::Count}, {"oldest_event", ZeekType::Time}, {"newest_event", ZeekType::Time}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext& context) override {
    char hostname[256] = {};
    ::gethostname(hostname, sizeof hostname - 1);
    utsname uts{};
    const bool have_uname = ::uname(&uts) == 0;

    std::optional<AgentStatus> status;
    if (context.agent_status) status = context.agent_status();
    const bool have_journals = !context.journals.empty();
    JournalFigures journal = journal_figures(context.journals, !status);
    // Inside the agent the writer's unflushed events are recorded too.
    if (context.live_tail) {
      for (const Event& e : context.live_tail().events) {
        journal.oldest = journal.oldest ? std::min(*journal.oldest, e.ts) : e.ts;
        journal.newest = journal.newest ? std::max(*journal.newest, e.ts) : e.ts;
      }
    }

    Value recorded, lost;
    if (status) {
      recorded = static_cast<int64_t>(status->events_recorded);
      lost = static_cast<int64_t>(status->events_lost);
    } else if (have_journals) {
      recorded = static_cast<int64_t>(journal.events);
      lost = static_cast<int64_t>(journal.lost);
    }
    const auto optional_value = [](const std::optional<int64_t>& v) { return v ? Value(*v) : Value(); };

    return {Row{
        text_or_null(status && !status->agent_id.empty() ? status->agent_id : first_line("/etc/machine-id")),
        status && !status->instance_id.empty() ? status->instance_id : instance_id(),
        text_or_null(hostname),
        json_set(primary_addresses()),
        std::string("Linux"),
        text_or_null(os_name()),
        have_uname ? Value(std::string(uts.sysname)) : Value(),
        have_uname ? Value(std::string(uts.release)) : Value(),
        have_uname ? Value(std::string(uts.machine)) : Value(),
        version_number(ZAGENT_VERSION),
        Value(),
        wall_now() - (status ? status->started_ts : process_started),
        json_set(table_names()),
        recorded,
        lost,
        have_journals ? Value(static_cast<int64_t>(journal.bytes)) : Value(),
        optional_value(journal.oldest),
        optional_value(journal.newest),
    }};
  }

 private:
  static std::set<std::string> table_names() {
    std::set<std::string> names;
    for (const EventTable* table : event_tables()) names.insert(table->name);
    for (const SnapshotTableFactory make : snapshot_table_factories()) names.insert(make()->schema().name);
    return names;
  }
};

const SnapshotTableRegistration<ZeekAgent> registration;

}  // namespace
}  // namespace zagent::tables

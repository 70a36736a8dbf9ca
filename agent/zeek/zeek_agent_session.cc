#include "agent/zeek/zeek_agent_session.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "agent/zeek/agent_identity.h"
#include "agent/zeek/broker_json.h"
#include "journal/error.h"

namespace zagent::zeek {

namespace {

constexpr const char* kApi = "ZeekAgentAPI::";

enum class Mode { Snapshots, Differences, SnapshotPlusDifferences, Events };

const char* const kModeNames[] = {"ZeekAgent::Snapshots", "ZeekAgent::Differences",
                                  "ZeekAgent::SnapshotPlusDifferences", "ZeekAgent::Events"};

// zeek-agent's package version "v2.2.0-0" (or "2.4") as a number, 0 if none.
uint64_t package_version(const std::string& text) {
  unsigned major = 0, minor = 0, patch = 0, commits = 0;
  const char* s = text.c_str();
  if (*s == 'v') ++s;
  if (std::sscanf(s, "%u.%u.%u-%u", &major, &minor, &patch, &commits) < 2) return 0;
  return major * 100'000'000ull + minor * 1'000'000ull + patch * 10'000ull + commits;
}

// The oldest package zeek-agent v2 itself talks to (2.0.2-8).
constexpr uint64_t kMinPackageVersion = 200'020'008;
constexpr uint64_t kPackageWithoutBroker = 204'000'000;

// A row's identity for differences: its values' JSON text.
std::string row_key(const std::vector<BrokerData>& row) { return to_json(Vector{row}).dump(); }

bool topic_matches(const std::string& topic, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return topic.compare(0, p.size(), p) == 0; });
}

const std::string* string_arg(const ZeekEvent& e, size_t i) {
  return i < e.args.size() ? e.args[i].get<std::string>() : nullptr;
}

}  // namespace

struct ZeekAgentSession::ZeekInstance {
  int64_t last_seen_ns = 0;
  bool disabled = false;  // its package is too old: nothing more to or from it
};

struct ZeekAgentSession::Query {
  std::string instance;
  std::string id;  // Zeek's
  std::string sql;
  std::string event;
  BrokerData cookie;  // none or a string
  Mode mode = Mode::Snapshots;
  int64_t schedule_ns = 0;  // 0: once
  int64_t next_ns = 0;
  bool ran = false;
  std::vector<std::pair<std::string, std::vector<BrokerData>>> previous;  // sorted by key
};

ZeekAgentSession::ZeekAgentSession(SessionOptions options, QueryRunner& runner, Send send)
    : options_(std::move(options)), runner_(runner), send_(std::move(send)) {}

ZeekAgentSession::~ZeekAgentSession() = default;

std::vector<std::string> ZeekAgentSession::topics() const {
  std::vector<std::string> topics = {"/zeek-agent/query/host/" + options_.agent_id};
  std::vector<std::string> groups = options_.groups;
  for (const char* always : {"all", "linux"})
    if (std::find(groups.begin(), groups.end(), always) == groups.end()) groups.push_back(always);
  for (const std::string& g : groups) {
    topics.push_back("/zeek-agent/query/group/" + g);
    topics.push_back("/zeek-agent/query/group/" + options_.agent_id + "/" + g);
  }
  return topics;
}

size_t ZeekAgentSession::query_count() const { return queries_.size(); }

void ZeekAgentSession::connected(int64_t now_ns, HelloLayout layout) {
  instances_.clear();
  queries_.clear();
  layout_ = layout;
  hello_id_ = "agent_hello_" + random_uuid();
  next_hello_ns_ = now_ns;
  run_due(now_ns);
}

std::string ZeekAgentSession::hello_sql() const {
  return std::string("SELECT id, instance, hostname, addresses, platform, os_name, kernel_name, kernel_version, "
                     "kernel_arch, agent_version, ") +
         (layout_ == HelloLayout::WithBroker ? "broker, " : "") + "uptime, tables FROM zeek_agent";
}

BrokerData ZeekAgentSession::context(int64_t now_ns, const std::string& query_id, const BrokerData& change,
                                     const BrokerData& cookie) const {
  return Vector{{options_.agent_id, Timestamp{now_ns}, query_id.empty() ? BrokerData(None{}) : BrokerData(query_id),
                 change, cookie}};
}

void ZeekAgentSession::emit(const std::string& topic, const std::string& name, BrokerData ctx,
                            std::vector<BrokerData> args) {
  args.insert(args.begin(), std::move(ctx));
  send_(topic, ZeekEvent{name, std::move(args)});
}

void ZeekAgentSession::error(const std::string& instance, const std::string& query_id, const BrokerData& cookie,
                             const std::string& message, int64_t now_ns) {
  const std::string topic = instance.empty() ? "/zeek-agent/response/all/" + options_.agent_id
                                             : "/zeek-agent/response/" + instance + "/" + options_.agent_id;
  emit(topic, std::string(kApi) + "agent_error_v1", context(now_ns, query_id, None{}, cookie), {message});
}

void ZeekAgentSession::shutting_down(int64_t now_ns) {
  emit("/zeek-agent/response/all/" + options_.agent_id, std::string(kApi) + "agent_shutdown_v1",
       context(now_ns, "", None{}, None{}), {});
}

void ZeekAgentSession::received(const std::string& topic, const ZeekEvent& e, int64_t now_ns) {
  if (!topic_matches(topic, topics())) return;  // not for this agent
  const std::string* instance = string_arg(e, 0);
  if (!instance || instance->empty()) {
    error("", "", None{}, "event " + e.name + ": its first argument must be the Zeek instance's id (a string)",
          now_ns);
    return;
  }
  ZeekInstance& zeek = instances_[*instance];
  zeek.last_seen_ns = now_ns;
  if (zeek.disabled) return;
  const std::string name = e.name.rfind(kApi, 0) == 0 ? e.name.substr(strlen(kApi)) : "";
  if (name == "zeek_hello_v1") {
    zeek_hello(*instance, e, now_ns);
  } else if (name == "zeek_shutdown_v1") {
    drop_instance(*instance);
  } else if (name == "install_query_v1") {
    install(e, now_ns);
  } else if (name == "cancel_query_v1") {
    cancel(e);
  } else {
    error(*instance, "", None{}, "unknown event " + e.name, now_ns);
  }
}

void ZeekAgentSession::zeek_hello(const std::string& instance, const ZeekEvent& e, int64_t now_ns) {
  const Vector* info = e.args.size() == 2 ? e.args[1].get<Vector>() : nullptr;
  if (!info || info->items.size() < 3 || !info->items[2].is<std::string>()) {
    error(instance, "", None{}, "zeek_hello_v1: want (zeek_instance, [version_string, version_number, "
                                "package_version])", now_ns);
    return;
  }
  const std::string& text = *info->items[2].get<std::string>();
  const uint64_t version = package_version(text);
  if (version && version < kMinPackageVersion) {
    error(instance, "", None{}, "Zeek package version too old (" + text + "), want 2.0.2-8 or later: ignoring " +
                                "this Zeek", now_ns);
    drop_instance(instance);
    instances_[instance].disabled = true;  // after the drop, which forgets the instance
    return;
  }
  // The hello's record follows the package: a hello in the other layout was
  // dropped by that Zeek, so say it again now.
  const HelloLayout layout = version >= kPackageWithoutBroker ? HelloLayout::WithoutBroker : HelloLayout::WithBroker;
  if (version && layout != layout_) {
    layout_ = layout;
    next_hello_ns_ = now_ns;
  }
}

void ZeekAgentSession::drop_instance(const std::string& instance) {
  for (auto it = queries_.begin(); it != queries_.end();) {
    it = it->second->instance == instance ? queries_.erase(it) : std::next(it);
  }
  instances_.erase(instance);
}

void ZeekAgentSession::install(const ZeekEvent& e, int64_t now_ns) {
  const std::string& instance = *string_arg(e, 0);
  const std::string* id = string_arg(e, 1);
  const Vector* q = e.args.size() == 3 ? e.args[2].get<Vector>() : nullptr;
  if (!id || !q) {
    error(instance, id ? *id : "", None{}, "install_query_v1: want (zeek_instance, query_id, query record)", now_ns);
    return;
  }
  const std::string key = instance + "\n" + *id;
  if (queries_.count(key)) return;  // Zeek sends a query again to every agent that joins
  const std::string what = "query " + *id;
  BrokerData cookie = None{};
  if (q->items.size() > 4 && q->items[4].is<std::string>()) cookie = q->items[4];
  const auto refuse = [&](const std::string& why) { error(instance, *id, cookie, what + ": " + why, now_ns); };
  if (q->items.size() != 7) {
    return refuse("the query record has " + std::to_string(q->items.size()) +
                  " fields, want 7 (sql_stmt, schedule_, subscription, event_, cookie, requires_tables, "
                  "if_missing_tables)");
  }
  const std::vector<BrokerData>& f = q->items;
  auto query = std::make_unique<Query>();
  query->instance = instance;
  query->id = *id;
  query->cookie = cookie;
  if (!f[0].is<std::string>() || f[0].get<std::string>()->empty()) return refuse("sql_stmt must be a non-empty string");
  query->sql = *f[0].get<std::string>();
  if (const Timespan* s = f[1].get<Timespan>()) {
    if (s->ns < 0) return refuse("schedule_ must not be negative");
    if (s->ns > 0 && (s->ns < options_.min_schedule_ns || s->ns > options_.max_schedule_ns)) {
      return refuse("schedule_ " + format_timespan(*s) + " is outside " +
                    format_timespan(Timespan{options_.min_schedule_ns}) + " to " +
                    format_timespan(Timespan{options_.max_schedule_ns}));
    }
    query->schedule_ns = s->ns;
  } else if (!f[1].is<None>()) {
    return refuse("schedule_ must be an interval");
  }
  if (const EnumValue* m = f[2].get<EnumValue>()) {
    const auto it = std::find(std::begin(kModeNames), std::end(kModeNames), m->name);
    if (it == std::end(kModeNames)) return refuse("unknown subscription " + m->name);
    query->mode = static_cast<Mode>(it - std::begin(kModeNames));
  } else if (!f[2].is<None>()) {
    return refuse("subscription must be a ZeekAgent::SubscriptionType");
  }
  const Vector* event = f[3].get<Vector>();
  if (!event || event->items.empty() || !event->items[0].is<std::string>() ||
      event->items[0].get<std::string>()->empty()) {
    return refuse("event_ must be an event");
  }
  query->event = *event->items[0].get<std::string>();
  if (!f[4].is<None>() && !f[4].is<std::string>()) return refuse("cookie must be a string");
  std::vector<std::string> required, if_missing;
  for (const auto& [index, out] : {std::pair{5, &required}, std::pair{6, &if_missing}}) {
    if (f[index].is<None>()) continue;
    const Set* set = f[index].get<Set>();
    if (!set) return refuse(std::string(index == 5 ? "requires_tables" : "if_missing_tables") + " must be a set of strings");
    for (const BrokerData& t : set->items) {
      if (!t.is<std::string>()) return refuse(std::string(index == 5 ? "requires_tables" : "if_missing_tables") +
                                              " must be a set of strings");
      out->push_back(*t.get<std::string>());
    }
  }
  // As zeek-agent: a query whose tables condition fails is not installed,
  // and that is no error (the Zeek asked for it to be so).
  const std::set<std::string> tables = runner_.tables();
  for (const std::string& t : required)
    if (!tables.count(t)) return;
  if (!if_missing.empty() && std::all_of(if_missing.begin(), if_missing.end(),
                                         [&](const std::string& t) { return tables.count(t) > 0; })) {
    return;
  }
  if (queries_.size() >= options_.max_queries) {
    return refuse("too many queries installed (" + std::to_string(options_.max_queries) + ")");
  }
  query->next_ns = now_ns;
  Query& installed = *queries_.emplace(key, std::move(query)).first->second;
  if (run_query(installed, now_ns) && installed.schedule_ns == 0) queries_.erase(key);
}

void ZeekAgentSession::cancel(const ZeekEvent& e) {
  const std::string* id = string_arg(e, 1);
  if (e.args.size() != 2 || !id) {
    error(*string_arg(e, 0), "", None{}, "cancel_query_v1: want (zeek_instance, query_id)", 0);
    return;
  }
  queries_.erase(*string_arg(e, 0) + "\n" + *id);
}

bool ZeekAgentSession::run_query(Query& q, int64_t now_ns) {
  q.next_ns = now_ns + q.schedule_ns;
  QueryResult result;
  try {
    result = runner_.run(q.sql);
  } catch (const Error& e) {
    // It would fail the same way next time: say so once and drop it.
    error(q.instance, q.id, q.cookie,
          "query " + q.id + ": " + e.what() + (q.schedule_ns ? " (query cancelled)" : ""), now_ns);
    queries_.erase(q.instance + "\n" + q.id);
    return false;
  }
  std::vector<std::pair<std::string, std::vector<BrokerData>>> rows;
  rows.reserve(result.rows.size());
  uint64_t bytes = 0;
  for (auto& row : result.rows) {
    rows.emplace_back(row_key(row), std::move(row));
    bytes += rows.back().first.size();
  }
  if (bytes > options_.max_result_bytes) {
    error(q.instance, q.id, q.cookie,
          "query " + q.id + ": its result is " + std::to_string(bytes) + " bytes, more than the bound of " +
              std::to_string(options_.max_result_bytes) + (q.schedule_ns ? " (query cancelled)" : ""),
          now_ns);
    queries_.erase(q.instance + "\n" + q.id);
    return false;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::string topic = "/zeek-agent/response/" + q.instance + "/" + options_.agent_id;
  const auto send_rows = [&](const auto& which, const BrokerData& change) {
    for (const auto& [key, row] : which) emit(topic, q.event, context(now_ns, q.id, change, q.cookie), {Vector{row}});
  };
  const bool first = !q.ran;
  q.ran = true;
  if (q.mode == Mode::Snapshots || (q.mode == Mode::SnapshotPlusDifferences && first) || q.schedule_ns == 0) {
    send_rows(rows, None{});
  } else if (!first) {
    const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::vector<std::pair<std::string, std::vector<BrokerData>>> gone, added;
    std::set_difference(q.previous.begin(), q.previous.end(), rows.begin(), rows.end(), std::back_inserter(gone),
                        by_key);
    std::set_difference(rows.begin(), rows.end(), q.previous.begin(), q.previous.end(), std::back_inserter(added),
                        by_key);
    if (q.mode != Mode::Events) send_rows(gone, EnumValue{"ZeekAgent::Delete"});
    send_rows(added, EnumValue{"ZeekAgent::Add"});
  }
  if (q.schedule_ns && q.mode != Mode::Snapshots) q.previous = std::move(rows);
  return true;
}

int64_t ZeekAgentSession::run_due(int64_t now_ns) {
  if (!hello_id_.empty() && now_ns >= next_hello_ns_) {
    next_hello_ns_ = now_ns + options_.hello_interval_ns;
    try {
      QueryResult hello = runner_.run(hello_sql());
      for (auto& row : hello.rows) {
        emit("/zeek-agent/response/all/" + options_.agent_id, std::string(kApi) + "agent_hello_v1",
             context(now_ns, hello_id_, None{}, None{}), {Vector{std::move(row)}});
      }
    } catch (const Error& e) {
      error("", hello_id_, None{}, std::string("hello: ") + e.what(), now_ns);
    }
  }
  for (auto it = instances_.begin(); it != instances_.end();) {
    if (now_ns - it->second.last_seen_ns > options_.zeek_timeout_ns) {
      const std::string gone = (it++)->first;
      drop_instance(gone);
    } else {
      ++it;
    }
  }
  // Run what is due, oldest first; a query may cancel itself (an error).
  std::vector<Query*> due;
  for (auto& [key, q] : queries_)
    if (q->schedule_ns && q->next_ns <= now_ns) due.push_back(q.get());
  std::sort(due.begin(), due.end(), [](const Query* a, const Query* b) { return a->next_ns < b->next_ns; });
  for (Query* q : due) run_query(*q, now_ns);
  int64_t next = hello_id_.empty() ? now_ns + options_.hello_interval_ns : next_hello_ns_;
  for (const auto& [key, q] : queries_) next = std::min(next, q->next_ns);
  for (const auto& [id, z] : instances_) next = std::min(next, z.last_seen_ns + options_.zeek_timeout_ns + 1);
  return next;
}

}  // namespace zagent::zeek

#include "event_records.h"

#include <zeek/Event.h>
#include <zeek/EventRegistry.h>
#include <zeek/ID.h>
#include <zeek/IPAddr.h>
#include <zeek/Reporter.h>

#include <rapidjson/document.h>

#include <cstring>

#include "journal/event_fields.h"
#include "journal/hash_chain.h"
#include "replay/zeek_json.h"

namespace zagent::zeek_plugin {
namespace {

using zeek::TypeTag;

// By EventType: the package's event and record type.
constexpr const char* kHandlers[] = {"ZAgent::process_exec", "ZAgent::process_fork", "ZAgent::process_exit",
                                     "ZAgent::process_snapshot", "ZAgent::socket_event", "ZAgent::file_event",
                                     "ZAgent::login_event", "ZAgent::sensor_event"};
constexpr const char* kRecords[] = {"ZAgent::ProcessExec", "ZAgent::ProcessFork", "ZAgent::ProcessExit",
                                    "ZAgent::ProcessExec", "ZAgent::SocketEvent", "ZAgent::FileEvent",
                                    "ZAgent::LoginEvent", "ZAgent::SensorEvent"};
static_assert(std::size(kHandlers) == kEventTypeCount && std::size(kRecords) == kEventTypeCount);

// The Zeek type each visitor call needs (num: count or int).
struct Wanted {
  std::string name;
  TypeTag tag;
  TypeTag yield = zeek::TYPE_VOID;  // of a vector
};

// Collects the fields an event type carries, in visit order.
struct FieldList {
  std::vector<Wanted> fields{{"seq", zeek::TYPE_COUNT},
                             {"ts", zeek::TYPE_TIME},
                             {"host", zeek::TYPE_STRING},
                             {"boot_id", zeek::TYPE_STRING}};
  template <typename Int>
  void num(std::string_view k, Int) {
    fields.push_back({std::string(k), std::is_signed_v<Int> ? zeek::TYPE_INT : zeek::TYPE_COUNT});
  }
  void str(std::string_view k, std::string_view) { fields.push_back({std::string(k), zeek::TYPE_STRING}); }
  void hash(std::string_view k, const std::string&) { fields.push_back({std::string(k), zeek::TYPE_STRING}); }
  void boolean(std::string_view k, bool) { fields.push_back({std::string(k), zeek::TYPE_BOOL}); }
  void ip(std::string_view k, const IpAddress&) { fields.push_back({std::string(k), zeek::TYPE_ADDR}); }
  void port(std::string_view k, uint16_t, Protocol) { fields.push_back({std::string(k), zeek::TYPE_PORT}); }
  void strings(std::string_view k, const std::vector<std::string>&) {
    fields.push_back({std::string(k), zeek::TYPE_VECTOR, zeek::TYPE_STRING});
  }
  void counters(std::string_view k, const std::vector<Counter>&) {
    fields.push_back({std::string(k), zeek::TYPE_VECTOR, zeek::TYPE_RECORD});
  }
};

// A signed journal field may go to a count in the record only if the
// package says so; an unsigned one to an int likewise: both are numbers.
bool fits(const Wanted& w, const zeek::TypePtr& t) {
  const TypeTag tag = t->Tag();
  if (w.tag == zeek::TYPE_INT || w.tag == zeek::TYPE_COUNT) return tag == zeek::TYPE_INT || tag == zeek::TYPE_COUNT;
  if (tag != w.tag) return false;
  return w.tag != zeek::TYPE_VECTOR || t->AsVectorType()->Yield()->Tag() == w.yield;
}

std::string problem_with(const EventRecords::Kind& k, const std::vector<Wanted>& wanted) {
  if (!k.type) return "the package has no such record type";
  std::vector<bool> filled(k.type->NumFields());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const int f = k.offsets[i];
    if (f < 0) continue;
    if (!fits(wanted[i], k.type->GetFieldType(f))) return "field " + wanted[i].name + " has another type";
    filled[f] = true;
  }
  for (int f = 0; f < k.type->NumFields(); ++f) {
    const zeek::TypeDecl* d = k.type->FieldDecl(f);
    if (!filled[f] && !d->GetAttr(zeek::detail::ATTR_OPTIONAL) && !d->GetAttr(zeek::detail::ATTR_DEFAULT))
      return std::string("field ") + d->id + " is not in the replay stream";
  }
  return "";
}

zeek::StringValPtr string_val(std::string_view s) {
  return zeek::make_intrusive<zeek::StringVal>(static_cast<int>(s.size()), s.data());
}

// Fills a record from an event's fields, in visit order.
class Fill {
 public:
  Fill(zeek::RecordVal* rec, const EventRecords::Kind& k) : rec_(rec), k_(k) {}

  template <typename Int>
  void num(std::string_view, Int v) {
    const int f = next();
    if (f < 0) return;
    if (tag_ == zeek::TYPE_INT) rec_->Assign(f, static_cast<int64_t>(v));
    else rec_->Assign(f, static_cast<uint64_t>(v));
  }
  void str(std::string_view, std::string_view s) {
    if (const int f = next(); f >= 0) rec_->Assign(f, string_val(s));
  }
  void hash(std::string_view, const std::string& bytes) {
    if (const int f = next(); f >= 0)
      rec_->Assign(f, string_val(to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()})));
  }
  void boolean(std::string_view, bool v) {
    if (const int f = next(); f >= 0) rec_->Assign(f, v);
  }
  void ip(std::string_view, const IpAddress& a) {
    if (const int f = next(); f >= 0) {
      uint32_t words[4];
      std::memcpy(words, a.bytes.data(), sizeof words);
      rec_->Assign(f, zeek::make_intrusive<zeek::AddrVal>(zeek::IPAddr(IPv6, words, zeek::IPAddr::Network)));
    }
  }
  void port(std::string_view, uint16_t p, Protocol proto) {
    // As the Replay JSON: tcp or udp, else port 0 of protocol unknown.
    if (const int f = next(); f >= 0) {
      if (proto == Protocol::Tcp) rec_->Assign(f, zeek::val_mgr->Port(p, TRANSPORT_TCP));
      else if (proto == Protocol::Udp) rec_->Assign(f, zeek::val_mgr->Port(p, TRANSPORT_UDP));
      else rec_->Assign(f, zeek::val_mgr->Port(0, TRANSPORT_UNKNOWN));
    }
  }
  void strings(std::string_view, const std::vector<std::string>& v) {
    const int f = next();
    if (f < 0) return;
    auto vec = zeek::make_intrusive<zeek::VectorVal>(k_.type->GetFieldType<zeek::VectorType>(f));
    for (const std::string& s : v) vec->Append(string_val(s));
    rec_->Assign(f, std::move(vec));
  }
  void counters(std::string_view, const std::vector<Counter>& counters) {
    const int f = next();
    if (f < 0 || k_.counter_name < 0 || k_.counter_value < 0) return;
    auto vec = zeek::make_intrusive<zeek::VectorVal>(k_.type->GetFieldType<zeek::VectorType>(f));
    for (const Counter& c : counters) {
      auto r = zeek::make_intrusive<zeek::RecordVal>(k_.counter_type);
      r->Assign(k_.counter_name, string_val(c.name));
      r->Assign(k_.counter_value, c.value);
      vec->Append(std::move(r));
    }
    rec_->Assign(f, std::move(vec));
  }

 private:
  int next() {
    tag_ = k_.tags[i_];
    return k_.offsets[i_++];
  }

  zeek::RecordVal* rec_;
  const EventRecords::Kind& k_;
  size_t i_ = 4;  // after seq, ts, host, boot_id
  TypeTag tag_ = zeek::TYPE_VOID;
};

}  // namespace

double event_seconds(int64_t ns) {
  // Zeek's from_json (the live stream's decoding) parses with its rapidjson
  // and default flags, which is not always the nearest double: the same
  // parser gives a replayed event the very time a live one gets.
  static rapidjson::Document number;
  std::string text;
  replay::append_seconds(ns, &text);
  number.Parse(text.data(), text.size());
  return number.IsNumber() ? number.GetDouble() : 0;
}

void EventRecords::refresh_enabled() {
  const auto& types = zeek::id::find_val("ZAgent::event_types");
  zeek::TableVal* set = types && types->GetType()->Tag() == zeek::TYPE_TABLE ? types->AsTableVal() : nullptr;
  for (size_t t = 0; t < kEventTypeCount; ++t)
    enabled_[t] = set && set->Find(string_val(event_type_name(static_cast<EventType>(t))));
}

const EventRecords::Kind& EventRecords::kind(const Event& e) {
  std::optional<Kind>& slot = kinds_[static_cast<size_t>(e.type())];
  if (slot) return *slot;
  FieldList list;
  visit_fields(e.body, list);
  Kind k;
  const size_t t = static_cast<size_t>(e.type());
  k.handler = zeek::event_registry->Lookup(kHandlers[t]);
  const auto& type = zeek::id::find_type(kRecords[t]);
  if (type && type->Tag() == zeek::TYPE_RECORD) k.type = zeek::cast_intrusive<zeek::RecordType>(type);
  for (const Wanted& w : list.fields) {
    k.offsets.push_back(k.type ? k.type->FieldOffset(w.name.c_str()) : -1);
    k.tags.push_back(k.offsets.back() >= 0 ? k.type->GetFieldType(k.offsets.back())->Tag() : zeek::TYPE_VOID);
    if (w.yield == zeek::TYPE_RECORD && k.offsets.back() >= 0 && fits(w, k.type->GetFieldType(k.offsets.back()))) {
      k.counter_type = zeek::cast_intrusive<zeek::RecordType>(
          k.type->GetFieldType<zeek::VectorType>(k.offsets.back())->Yield());
      k.counter_name = k.counter_type->FieldOffset("name");
      k.counter_value = k.counter_type->FieldOffset("value");
    }
  }
  const std::string problem = problem_with(k, list.fields);
  k.usable = problem.empty();
  if (!k.usable)
    zeek::reporter->Warning("zagent-replay: %s does not fit the replay stream's %s events (%s): they are skipped; "
                            "is the zagent package of another version than zagent-replay?",
                            kRecords[t], std::string(event_type_name(e.type())).c_str(), problem.c_str());
  slot = std::move(k);
  return *slot;
}

bool EventRecords::raise(const Event& e, double seconds, const zeek::StringValPtr& host,
                         const zeek::StringValPtr& boot_id) {
  if (!enabled_[static_cast<size_t>(e.type())]) return false;
  const Kind& k = kind(e);
  if (!k.usable) {
    ++skipped_;
    return false;
  }
  if (!k.handler) return false;  // nobody handles it
  auto rec = zeek::make_intrusive<zeek::RecordVal>(k.type);
  if (k.offsets[0] >= 0) rec->Assign(k.offsets[0], e.seq);
  if (k.offsets[1] >= 0) rec->AssignTime(k.offsets[1], seconds);
  if (k.offsets[2] >= 0) rec->Assign(k.offsets[2], host);
  if (k.offsets[3] >= 0) rec->Assign(k.offsets[3], boot_id);
  Fill fill(rec.get(), k);
  visit_fields(e.body, fill);
  zeek::event_mgr.Dispatch(new zeek::Event(k.handler, zeek::Args{std::move(rec)}));
  return true;
}

}  // namespace zagent::zeek_plugin

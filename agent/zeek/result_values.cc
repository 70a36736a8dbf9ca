#include "agent/zeek/result_values.h"

#include <nlohmann/json.hpp>

#include <map>
#include <utility>

#include "agent/zeek/broker_json.h"

namespace zagent::zeek {

using tables::ZeekType;

namespace {

using TypeMap = std::map<std::pair<std::string, std::string>, ZeekType>;

const TypeMap& type_map() {
  static const TypeMap map = [] {
    TypeMap m;
    for (const tables::TableSchema& s : tables::QueryEngine::schemas())
      for (const auto& [column, type] : s.zeek_types) m[{s.name, column}] = type;
    return m;
  }();
  return map;
}

std::optional<Address> address(const std::string& text) {
  Address a;
  if (!parse_address(text, &a)) return std::nullopt;
  return a;
}

const std::string* text(const tables::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return s;
  if (const auto* b = std::get_if<tables::Blob>(&v)) return &b->bytes;
  return nullptr;
}

// A JSON array of strings or addresses as a set; nullopt if it is not one.
std::optional<Set> json_set(const std::string& s, bool addresses) {
  const nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  Set set;
  for (const auto& item : j) {
    if (!item.is_string()) return std::nullopt;
    if (!addresses) {
      set.items.emplace_back(item.get<std::string>());
    } else if (auto a = address(item.get<std::string>())) {
      set.items.emplace_back(*a);
    } else {
      return std::nullopt;
    }
  }
  return set;
}

BrokerData json_item(const nlohmann::json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>();
  return None{};
}

BrokerData typed(const tables::Value& v, ZeekType type) {
  const int64_t* i = std::get_if<int64_t>(&v);
  const std::string* s = text(v);
  switch (type) {
    case ZeekType::Count:
      if (i && *i >= 0) return static_cast<uint64_t>(*i);
      break;
    case ZeekType::Bool:
      if (i && (*i == 0 || *i == 1)) return *i == 1;
      break;
    case ZeekType::Interval:
      if (i) return Timespan{*i};
      break;
    case ZeekType::Time:
      if (i) return Timestamp{*i};
      break;
    case ZeekType::Addr:
      if (s) {
        if (auto a = address(*s)) return *a;
      }
      break;
    case ZeekType::StringSet:
    case ZeekType::AddrSet:
      if (s) {
        if (auto set = json_set(*s, type == ZeekType::AddrSet)) return std::move(*set);
      }
      break;
    case ZeekType::Record:
      if (s) {
        const nlohmann::json j = nlohmann::json::parse(*s, nullptr, false);
        if (j.is_array()) {
          Vector record;
          for (const auto& item : j) record.items.push_back(json_item(item));
          return record;
        }
      }
      break;
  }
  return None{};
}

}  // namespace

std::vector<std::optional<ZeekType>> zeek_types_of(const std::vector<tables::ColumnOrigin>& origins) {
  std::vector<std::optional<ZeekType>> types;
  types.reserve(origins.size());
  for (const tables::ColumnOrigin& o : origins) {
    const auto it = type_map().find({o.table, o.column});
    types.push_back(it == type_map().end() ? std::nullopt : std::optional(it->second));
  }
  return types;
}

BrokerData to_zeek_value(const tables::Value& v, std::optional<ZeekType> type) {
  if (tables::is_null(v)) return None{};
  if (type) return typed(v, *type);
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return *text(v);
}

}  // namespace zagent::zeek

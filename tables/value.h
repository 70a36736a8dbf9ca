// One SQL value as the tables produce and the query engine returns it.
// 64-bit integers stay 64-bit; text and blobs are byte strings (a host's
// paths need not be UTF-8) told apart by their type.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace zagent::tables {

struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;
using Row = std::vector<Value>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

}  // namespace zagent::tables

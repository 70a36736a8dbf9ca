#include "agent/zeek/broker_data.h"

namespace zagent::zeek {

namespace {
constexpr std::array<uint8_t, 12> kV4Mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

bool Address::is_v4() const { return std::equal(kV4Mapped.begin(), kV4Mapped.end(), bytes.begin()); }

Address Address::v4(uint32_t host_order) {
  Address a;
  std::copy(kV4Mapped.begin(), kV4Mapped.end(), a.bytes.begin());
  for (int i = 0; i < 4; ++i) a.bytes[12 + i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

bool Set::operator==(const Set& o) const { return items == o.items; }
bool Table::operator==(const Table& o) const { return entries == o.entries; }
bool Vector::operator==(const Vector& o) const { return items == o.items; }

const char* type_name(const BrokerData& d) {
  static constexpr const char* kNames[] = {"none",    "boolean",   "count",    "integer",    "real",
                                           "string",  "address",   "subnet",   "port",       "timestamp",
                                           "timespan", "enum-value", "set",    "table",      "vector"};
  static_assert(std::size(kNames) == std::variant_size_v<BrokerData::Value>);
  return kNames[d.value.index()];
}

}  // namespace zagent::zeek

// Broker's data model: the values that travel between Zeek and an agent,
// over either transport (docs/protocol.md, "Values"). A plain value type,
// independent of libbroker, so that the WebSocket path needs no Broker and
// the protocol code is the same over both transports.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace zagent::zeek {

struct BrokerData;

struct None {
  bool operator==(const None&) const = default;
};

// IPv4 is held v4-mapped (::ffff:a.b.c.d), as Broker holds it.
struct Address {
  std::array<uint8_t, 16> bytes{};
  bool is_v4() const;
  static Address v4(uint32_t host_order);
  bool operator==(const Address&) const = default;
  auto operator<=>(const Address&) const = default;
};

struct Subnet {
  Address prefix;
  uint8_t length = 0;  // of the prefix as written: 0-32 for IPv4, 0-128 for IPv6
  bool operator==(const Subnet&) const = default;
};

enum class PortProtocol : uint8_t { Unknown, Tcp, Udp, Icmp };

struct Port {
  uint16_t number = 0;
  PortProtocol protocol = PortProtocol::Unknown;
  bool operator==(const Port&) const = default;
};

struct Timestamp {  // ns since the epoch
  int64_t ns = 0;
  bool operator==(const Timestamp&) const = default;
};

struct Timespan {
  int64_t ns = 0;
  bool operator==(const Timespan&) const = default;
};

struct EnumValue {  // the full name, "ZeekAgent::Add"
  std::string name;
  bool operator==(const EnumValue&) const = default;
};

// Containers keep the order they were built or read in; Broker's sets and
// tables are ordered by value, which matters to no one here.
struct Set {
  std::vector<BrokerData> items;
  bool operator==(const Set&) const;
};

struct Table {
  std::vector<std::pair<BrokerData, BrokerData>> entries;
  bool operator==(const Table&) const;
};

struct Vector {
  std::vector<BrokerData> items;
  bool operator==(const Vector&) const;
};

struct BrokerData {
  using Value = std::variant<None, bool, uint64_t, int64_t, double, std::string, Address, Subnet, Port,
                             Timestamp, Timespan, EnumValue, Set, Table, Vector>;
  Value value;

  BrokerData() = default;
  template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, BrokerData>)
  BrokerData(T v) : value(std::move(v)) {}  // NOLINT: implicit, as a literal would be
  BrokerData(const char* s) : value(std::string(s)) {}
  BrokerData(int v) = delete;  // say count (uint64_t) or integer (int64_t)

  template <typename T>
  bool is() const { return std::holds_alternative<T>(value); }
  template <typename T>
  const T* get() const { return std::get_if<T>(&value); }
  bool operator==(const BrokerData&) const = default;
};

// The Broker type's name as Broker's JSON writes it: "count", "enum-value" ...
const char* type_name(const BrokerData& d);

}  // namespace zagent::zeek

#include "agent/zeek/native_broker_data.h"

#include <cstring>

namespace zagent::zeek {

namespace {

broker::address native_address(const Address& a) {
  broker::address out;
  out.bytes() = a.bytes;
  return out;
}

Address our_address(const broker::address& a) {
  Address out;
  out.bytes = a.bytes();
  return out;
}

broker::port::protocol native_protocol(PortProtocol p) {
  switch (p) {
    case PortProtocol::Tcp: return broker::port::protocol::tcp;
    case PortProtocol::Udp: return broker::port::protocol::udp;
    case PortProtocol::Icmp: return broker::port::protocol::icmp;
    case PortProtocol::Unknown: break;
  }
  return broker::port::protocol::unknown;
}

PortProtocol our_protocol(broker::port::protocol p) {
  switch (p) {
    case broker::port::protocol::tcp: return PortProtocol::Tcp;
    case broker::port::protocol::udp: return PortProtocol::Udp;
    case broker::port::protocol::icmp: return PortProtocol::Icmp;
    case broker::port::protocol::unknown: break;
  }
  return PortProtocol::Unknown;
}

template <class Native, class Items>
Native natives(const Items& items) {
  Native out;
  for (const BrokerData& x : items) out.insert(out.end(), to_native(x));
  return out;
}

struct ToNative {
  broker::data operator()(const None&) const { return {}; }
  broker::data operator()(bool b) const { return b; }
  broker::data operator()(uint64_t c) const { return broker::count{c}; }
  broker::data operator()(int64_t i) const { return broker::integer{i}; }
  broker::data operator()(double r) const { return broker::real{r}; }
  broker::data operator()(const std::string& s) const { return s; }
  broker::data operator()(const Address& a) const { return native_address(a); }
  // broker::subnet takes the length as written (0-32 for an IPv4 prefix).
  broker::data operator()(const Subnet& s) const { return broker::subnet(native_address(s.prefix), s.length); }
  broker::data operator()(const Port& p) const { return broker::port(p.number, native_protocol(p.protocol)); }
  broker::data operator()(const Timestamp& t) const { return broker::timestamp(broker::timespan(t.ns)); }
  broker::data operator()(const Timespan& t) const { return broker::timespan(t.ns); }
  broker::data operator()(const EnumValue& e) const { return broker::enum_value(e.name); }
  broker::data operator()(const Set& s) const { return natives<broker::set>(s.items); }
  broker::data operator()(const Vector& v) const { return natives<broker::vector>(v.items); }
  broker::data operator()(const Table& t) const {
    broker::table out;
    for (const auto& [k, v] : t.entries) out.emplace(to_native(k), to_native(v));
    return out;
  }
};

struct FromNative {
  BrokerData operator()(broker::none) const { return None{}; }
  BrokerData operator()(broker::boolean b) const { return bool{b}; }
  BrokerData operator()(broker::count c) const { return uint64_t{c}; }
  BrokerData operator()(broker::integer i) const { return int64_t{i}; }
  BrokerData operator()(broker::real r) const { return double{r}; }
  BrokerData operator()(const std::string& s) const { return s; }
  BrokerData operator()(const broker::address& a) const { return our_address(a); }
  BrokerData operator()(const broker::subnet& s) const { return Subnet{our_address(s.network()), s.length()}; }
  BrokerData operator()(const broker::port& p) const { return Port{p.number(), our_protocol(p.type())}; }
  BrokerData operator()(const broker::timestamp& t) const { return Timestamp{t.time_since_epoch().count()}; }
  BrokerData operator()(const broker::timespan& t) const { return Timespan{t.count()}; }
  BrokerData operator()(const broker::enum_value& e) const { return EnumValue{e.name}; }
  BrokerData operator()(const broker::set& s) const {
    Set out;
    for (const broker::data& x : s) out.items.push_back(from_native(x));
    return out;
  }
  BrokerData operator()(const broker::table& t) const {
    Table out;
    for (const auto& [k, v] : t) out.entries.emplace_back(from_native(k), from_native(v));
    return out;
  }
  BrokerData operator()(const broker::vector& v) const {
    Vector out;
    for (const broker::data& x : v) out.items.push_back(from_native(x));
    return out;
  }
};

}  // namespace

broker::data to_native(const BrokerData& d) { return std::visit(ToNative{}, d.value); }

BrokerData from_native(const broker::data& d) { return caf::visit(FromNative{}, d.get_data()); }

}  // namespace zagent::zeek

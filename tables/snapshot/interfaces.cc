// interfaces: the network interfaces and their IP addresses, from
// getifaddrs(3): one row per address, and one row with a null address for
// an interface that has none.
//
//   SELECT interface, address, mask FROM interfaces WHERE family = 'IPv4'
//
// zeek-agent v2 has no such table: the columns are zagent's, named after
// osquery's interface_addresses and interface_details.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

std::string address_text(const sockaddr* a) {
  if (!a) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (a->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text, sizeof text);
  } else if (a->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, text, sizeof text);
  }
  return text;
}

Value text_or_null(std::string s) { return s.empty() ? Value() : Value(std::move(s)); }

std::string flag_names(unsigned flags) {
  static const std::pair<unsigned, const char*> kFlags[] = {
      {IFF_UP, "UP"},
      {IFF_BROADCAST, "BROADCAST"},
      {IFF_LOOPBACK, "LOOPBACK"},
      {IFF_POINTOPOINT, "POINTOPOINT"},
      {IFF_RUNNING, "RUNNING"},
      {IFF_NOARP, "NOARP"},
      {IFF_PROMISC, "PROMISC"},
      {IFF_MULTICAST, "MULTICAST"},
  };
  std::string names;
  for (const auto& [bit, name] : kFlags) {
    if (!(flags & bit)) continue;
    if (!names.empty()) names += ',';
    names += name;
  }
  return names;
}

// The columns, in the schema's order.
enum : size_t { kInterface, kIfIndex, kFamily, kAddress, kMask, kBroadcast, kPointToPoint, kMac, kMtu, kFlags };

// What an interface has besides its addresses.
struct Link {
  unsigned flags = 0;
  std::string mac;
  bool has_address = false;
};

class Interfaces final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "interfaces",
        "the network interfaces and their IP addresses, one row per address (zagent's own table: zeek-agent v2 "
        "has none; names as osquery's interface_addresses)",
        {
            {"interface", ColumnType::Text, "interface name, as `eth0`"},
            {"ifindex", ColumnType::Integer, "interface index"},
            {"family", ColumnType::Text, "`IPv4` or `IPv6`; null for an interface without addresses"},
            {"address", ColumnType::Text, "IP address; null for an interface without addresses"},
            {"mask", ColumnType::Text, "network mask of the address"},
            {"broadcast", ColumnType::Text, "broadcast address, for IPv4 on broadcast links"},
            {"point_to_point", ColumnType::Text, "address of the other end, on point-to-point links"},
            {"mac", ColumnType::Text, "link-layer address, as `52:54:00:12:34:56`"},
            {"mtu", ColumnType::Integer, "maximum transmission unit in bytes"},
            {"flags", ColumnType::Text, "interface flags, comma-separated: UP, BROADCAST, LOOPBACK, ..."},
        },
        "SELECT interface, address FROM interfaces WHERE flags LIKE '%UP%' AND address IS NOT NULL",
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return {};

    // First each interface's link-layer facts, then a row per address.
    std::map<std::string, Link> links;
    for (const ifaddrs* a = list; a; a = a->ifa_next) {
      Link& link = links[a->ifa_name];
      link.flags = a->ifa_flags;
      if (a->ifa_addr && a->ifa_addr->sa_family == AF_PACKET) {
        const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
        link.mac.clear();
        for (size_t i = 0; i < ll->sll_halen && i < sizeof ll->sll_addr; ++i) {
          char byte[4];
          std::snprintf(byte, sizeof byte, "%02x", ll->sll_addr[i]);
          link.mac += (i ? ":" : "") + std::string(byte);
        }
      }
    }

    std::vector<Row> rows;
    const auto row_for = [&](const std::string& name, const Link& link) {
      std::ifstream mtu_file("/sys/class/net/" + name + "/mtu");
      int64_t mtu = 0;
      Row row(schema().columns.size());
      row[kInterface] = name;
      row[kIfIndex] = int64_t{::if_nametoindex(name.c_str())};
      row[kMac] = text_or_null(link.mac);
      row[kMtu] = mtu_file >> mtu ? Value(mtu) : Value();
      row[kFlags] = flag_names(link.flags);
      return row;
    };
    for (const ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6)) continue;
      Link& link = links[a->ifa_name];
      link.has_address = true;
      Row row = row_for(a->ifa_name, link);
      row[kFamily] = std::string(a->ifa_addr->sa_family == AF_INET ? "IPv4" : "IPv6");
      row[kAddress] = address_text(a->ifa_addr);
      row[kMask] = text_or_null(address_text(a->ifa_netmask));
      // ifa_broadaddr and ifa_dstaddr share storage (ifa_ifu): the flags say which it is.
      if (a->ifa_flags & IFF_POINTOPOINT)
        row[kPointToPoint] = text_or_null(address_text(a->ifa_dstaddr));
      else if (a->ifa_flags & IFF_BROADCAST)
        row[kBroadcast] = text_or_null(address_text(a->ifa_broadaddr));
      rows.push_back(std::move(row));
    }
    for (const auto& [name, link] : links) {
      if (!link.has_address) rows.push_back(row_for(name, link));
    }
    ::freeifaddrs(list);
    return rows;
  }
};

const SnapshotTableRegistration<Interfaces> registration;

}  // namespace
}  // namespace zagent::tables

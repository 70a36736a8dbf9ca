#include "agent/zeek/zeek_options.h"

#include <charconv>

namespace zagent::zeek {

TransportKind parse_transport(const std::string& name) {
  if (name == "websocket") return TransportKind::WebSocket;
  if (name == "broker") return TransportKind::Broker;
  throw Error("unknown transport '" + name + "' (websocket or broker)");
}

Destination parse_destination(const std::string& text, const ZeekOptions& defaults) {
  Destination d;
  d.transport = defaults.transport;
  d.endpoint.tls = defaults.tls;
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw Error("Zeek destination '" + text + "': want [IPv6]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      throw Error("Zeek destination '" + text + "': want host:port (an IPv6 address in brackets: [::1]:9997)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned number = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || number == 0 ||
      number > 65535) {
    throw Error("Zeek destination '" + text + "': want host:port with a port from 1 to 65535");
  }
  d.endpoint.host = host;
  d.endpoint.port = static_cast<uint16_t>(number);
  return d;
}

namespace {

// The transport and TLS keys, in [zeek] or in one [[zeek.destination]].
struct LinkKeys {
  const char* transport = "transport";
  const char* ssl = "ssl";
  const char* ca = "ssl_ca_file";
  const char* cert = "ssl_certificate";
  const char* key = "ssl_key";
  const char* verify = "ssl_verify";
};

}  // namespace

void read_zeek_config(ConfigReader& r, const toml::table& root, ZeekOptions* o) {
  std::vector<std::string> addresses;
  r.strings("zeek", "destinations", &addresses);
  r.strings("zeek", "groups", &o->groups);
  for (const std::string& g : o->groups) {
    if (g.empty() || g.find('/') != std::string::npos) {
      r.fail(*root.at_path("zeek.groups").node(), "zeek.groups: '" + g + "' is not a group name (no '/', not empty)");
    }
  }
  r.seconds("zeek", "hello_interval_seconds", &o->hello_interval_ns);
  r.seconds("zeek", "timeout_seconds", &o->timeout_ns);
  r.seconds("zeek", "reconnect_max_seconds", &o->reconnect_max_ns);
  if (o->hello_interval_ns < 1'000'000'000) {
    r.fail(*root.at_path("zeek.hello_interval_seconds").node(), "zeek.hello_interval_seconds must be at least 1");
  }
  r.string("zeek", "state_dir", &o->state_dir);
  const LinkKeys k;
  std::string transport;
  r.string("zeek", k.transport, &transport);
  if (!transport.empty()) {
    try {
      o->transport = parse_transport(transport);
    } catch (const Error& e) {
      r.fail(*root.at_path("zeek.transport").node(), std::string("zeek.transport: ") + e.what());
    }
  }
  r.boolean("zeek", k.ssl, &o->tls.enabled);
  r.string("zeek", k.ca, &o->tls.ca_file);
  r.string("zeek", k.cert, &o->tls.cert_file);
  r.string("zeek", k.key, &o->tls.key_file);
  r.boolean("zeek", k.verify, &o->tls.verify);
  for (const std::string& a : addresses) {
    try {
      o->destinations.push_back(parse_destination(a, *o));
    } catch (const Error& e) {
      r.fail(*root.at_path("zeek.destinations").node(), std::string("zeek.destinations: ") + e.what());
    }
  }
  const toml::array* more = r.tables("zeek", "destination");
  if (!more) return;
  for (const toml::node& node : *more) {
    const toml::table& t = *node.as_table();
    for (const auto& [key, value] : t) {
      const std::string name(key.str());
      if (name != "address" && name != k.transport && name != k.ssl && name != k.ca && name != k.cert &&
          name != k.key && name != k.verify) {
        r.fail(value, "unknown key 'zeek.destination." + name + "'");
      }
    }
    const auto* address = t.get("address");
    if (!address || !address->is_string()) r.fail(node, "zeek.destination needs an address = \"host:port\"");
    Destination d;
    try {
      d = parse_destination(*address->value<std::string>(), *o);
      if (const auto* v = t.get(k.transport)) {
        if (!v->is_string()) r.fail(*v, "zeek.destination.transport must be a string");
        d.transport = parse_transport(*v->value<std::string>());
      }
    } catch (const Error& e) {
      r.fail(node, std::string("zeek.destination: ") + e.what());
    }
    for (auto [name, out] : {std::pair{k.ca, &d.endpoint.tls.ca_file}, std::pair{k.cert, &d.endpoint.tls.cert_file},
                             std::pair{k.key, &d.endpoint.tls.key_file}}) {
      if (const auto* v = t.get(name)) {
        if (!v->is_string()) r.fail(*v, std::string("zeek.destination.") + name + " must be a string");
        *out = *v->value<std::string>();
      }
    }
    for (auto [name, out] : {std::pair{k.ssl, &d.endpoint.tls.enabled}, std::pair{k.verify, &d.endpoint.tls.verify}}) {
      if (const auto* v = t.get(name)) {
        if (!v->is_boolean()) r.fail(*v, std::string("zeek.destination.") + name + " must be true or false");
        *out = *v->value<bool>();
      }
    }
    o->destinations.push_back(d);
  }
}

}  // namespace zagent::zeek

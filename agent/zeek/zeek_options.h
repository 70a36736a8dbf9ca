// The agent's Zeek connections: `[zeek]` in the configuration file and the
// `zagent run --zeek` flags (docs/live.md, "Configuration").
//
//   [zeek]
//   destinations = ["zeek1.example.net:9997", "[2001:db8::5]:27759"]
//   groups = ["web"]              # besides "all" and "linux"
//   hello_interval_seconds = 60
//   timeout_seconds = 120         # a Zeek silent this long loses its queries
//   reconnect_max_seconds = 60    # backoff cap (from 1 s, doubling, with jitter)
//   state_dir = "/var/lib/zagent" # holds agent-id (0600)
//   transport = "websocket"       # or "broker"; the default of every destination
//   ssl = true                    # TLS; false for a plain ws:// Zeek
//   ssl_ca_file = ""              # "": the system's CAs
//   ssl_certificate = ""          # the agent's, if Zeek asks for one
//   ssl_key = ""
//   ssl_verify = true             # the Zeek's certificate and name
//
//   [[zeek.destination]]          # one more, with its own settings
//   address = "zeek2:27759"
//   ssl = false                   # any of transport and the ssl keys
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/recorder/config_reader.h"
#include "agent/zeek/transport.h"

namespace zagent::zeek {

enum class TransportKind { WebSocket, Broker };

struct Destination {
  Endpoint endpoint;
  TransportKind transport = TransportKind::WebSocket;
};

struct ZeekOptions {
  std::vector<Destination> destinations;  // none: no Zeek
  std::vector<std::string> groups;
  int64_t hello_interval_ns = 60'000'000'000;
  int64_t timeout_ns = 120'000'000'000;
  int64_t reconnect_max_ns = 60'000'000'000;
  std::string state_dir = "/var/lib/zagent";
  // The defaults of destinations given without their own settings.
  TransportKind transport = TransportKind::WebSocket;
  TlsOptions tls;
};

// Reads [zeek] (the ConfigReader then knows its keys). Throws Error naming
// file, line and key.
void read_zeek_config(ConfigReader& reader, const toml::table& root, ZeekOptions* options);

// "host:port", "[v6]:port" with the defaults' transport and TLS. Throws
// Error saying what is wrong with `text`.
Destination parse_destination(const std::string& text, const ZeekOptions& defaults);

TransportKind parse_transport(const std::string& name);  // "websocket" or "broker"

}  // namespace zagent::zeek

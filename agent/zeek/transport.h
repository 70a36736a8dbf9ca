// One connection to one Zeek, below the protocol (docs/live.md,
// "Transports"): subscribe to topics, publish and receive Zeek events.
// Blocking calls with timeouts, for the destination's own thread. Any call
// may throw Error when the link is gone; the caller then drops the
// transport and connects a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/zeek/zeek_event.h"

namespace zagent::zeek {

struct TlsOptions {
  bool enabled = true;
  std::string ca_file;    // "": the system's CAs
  std::string cert_file;  // the agent's own, when Zeek asks for one
  std::string key_file;
  bool verify = true;     // the peer's certificate and name
};

struct Endpoint {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  uint16_t port = 0;
  TlsOptions tls;
  std::string display() const;  // "host:port", "[v6]:port"
};

struct Received {
  std::string topic;
  ZeekEvent event;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Connects and subscribes to `topics`; returns what the peer said of
  // itself (its version). Throws Error naming the step that failed.
  virtual std::string connect(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) = 0;
  virtual void publish(const std::string& topic, const ZeekEvent& event) = 0;
  // The next event, or nullopt once `timeout` has passed without one.
  virtual std::optional<Received> receive(std::chrono::milliseconds timeout) = 0;
  // What the peer sent that was not an event it meant for us (an error
  // message, an undecodable value), to be logged and counted.
  std::function<void(const std::string&)> warn = [](const std::string&) {};
};

// Whether the version a WebSocket server put in its ack is Zeek 8's own
// server ("8.2.2"); Zeek 5-7's Broker says Broker's version ("2.8.0-dev").
bool zeek8_server(const std::string& ack_version);

// Broker's WebSocket JSON API (/v1/messages/json): Zeek 8's cluster
// WebSocket server and Zeek 5-7's Broker::listen_websocket.
std::unique_ptr<Transport> make_websocket_transport(const Endpoint& endpoint);

// Native Broker on Debian's libbroker 1.4: Broker 1.x-era peers (before
// Zeek 4) and python3-broker.
std::unique_ptr<Transport> make_broker_transport(const Endpoint& endpoint);

}  // namespace zagent::zeek

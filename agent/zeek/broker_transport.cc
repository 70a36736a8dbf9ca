// The native Broker transport, on Debian's libbroker 1.4 (CAF 0.17): one
// endpoint per connection that peers with Zeek's Broker::listen and
// exchanges the same Zeek events as the WebSocket transport
// (docs/live.md, "Transports"). Broker 1.4 speaks Broker's protocol before
// Broker 2 (Zeek 4), so it reaches Broker 1.x-era peers and tools built on
// python3-broker, not a current Zeek.
#include <broker/broker.hh>
#include <broker/endpoint.hh>
#include <broker/status_subscriber.hh>
#include <broker/subscriber.hh>
#include <broker/version.hh>
#include <broker/zeek.hh>

#include "agent/zeek/native_broker_data.h"
#include "agent/zeek/transport.h"
#include "journal/error.h"

namespace zagent::zeek {

namespace {

constexpr size_t kInboxMax = 1024;  // messages Broker may queue for us before it pushes back

// Broker's error code, and its message when it has one. CAF's OpenSSL
// module does not say why a handshake failed: a refused TLS peering is
// peer_unavailable, as is a closed port.
std::string describe(const broker::error& e) {
  if (e.category() != caf::atom("broker")) return caf::to_string(e);
  const auto code = static_cast<broker::ec>(e.code());
  std::string what = broker::to_string(code);
  // The context is (endpoint_info, message) when Broker gave one.
  const caf::message& context = e.context();
  if (context.size() == 2 && context.match_element<std::string>(1)) what += ": " + context.get_as<std::string>(1);
  if (code == broker::ec::peer_unavailable) what += " (nothing listens there, or the TLS handshake failed)";
  return what;
}

// CAF's OpenSSL module checks the peer's chain against the CA when one is
// given; without any certificate it falls back to anonymous ciphers, which
// authenticate no one. So a TLS destination with checks on and no CA file
// uses the system's CAs, and CAF never checks the peer's name
// (docs/live.md, "Known limits").
broker::configuration make_configuration(const TlsOptions& tls) {
  broker::broker_options options;
  options.disable_ssl = !tls.enabled;
  options.forward = false;           // an agent relays nothing between Zeeks
  options.ignore_broker_conf = true;  // a broker.conf in the working directory is not ours
  broker::configuration config(options);
  config.set("scheduler.max-threads", 2);
  if (tls.enabled) {
    config.openssl_certificate = tls.cert_file;
    config.openssl_key = tls.key_file;
    if (tls.verify && !tls.ca_file.empty()) {
      config.openssl_cafile = tls.ca_file;
    } else if (tls.verify) {
      config.openssl_capath = "/etc/ssl/certs";
    }
  }
  return config;
}

class BrokerTransport : public Transport {
 public:
  explicit BrokerTransport(Endpoint endpoint)
      : endpoint_(std::move(endpoint)),
        broker_(make_configuration(endpoint_.tls)),
        status_(broker_.make_status_subscriber(true)) {}

  ~BrokerTransport() override { broker_.shutdown(); }

  std::string connect(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) override {
    std::vector<broker::topic> filter(topics.begin(), topics.end());
    inbox_.emplace(broker_.make_subscriber(std::move(filter), kInboxMax));
    // No retry: a failed attempt is reported, and ZeekLink owns the backoff.
    broker_.peer_nosync(endpoint_.host, endpoint_.port, broker::timeout::seconds(0));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) throw Error("Broker peering: timed out");
      const broker::status_variant s = status_.get(std::chrono::duration_cast<std::chrono::milliseconds>(left));
      if (const auto* e = caf::get_if<broker::error>(&s)) throw Error("Broker peering: " + describe(*e));
      if (const auto* st = caf::get_if<broker::status>(&s); st && st->code() == broker::sc::peer_added) {
        return "Broker " + broker::version::string();
      }
    }
  }

  void publish(const std::string& topic, const ZeekEvent& event) override {
    check_peer();
    broker_.publish(topic, to_native(encode_event(event)));
  }

  std::optional<Received> receive(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      check_peer();
      // Short waits, so that a lost peer is seen within 50 ms.
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const auto wait = std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(50));
      if (auto message = inbox_->get(wait)) {
        const std::string topic = broker::get_topic(*message).string();
        try {
          return Received{topic, decode_event(from_native(broker::get_data(*message)))};
        } catch (const Error& e) {
          warn("undecodable message on " + topic + ": " + e.what());
          continue;
        }
      }
      if (left.count() <= 0) return std::nullopt;
    }
  }

 private:
  // Throws once Broker has said the peer is gone.
  void check_peer() {
    for (const broker::status_variant& s : status_.poll()) {
      if (const auto* e = caf::get_if<broker::error>(&s)) throw Error("Broker: " + describe(*e));
      if (const auto* st = caf::get_if<broker::status>(&s)) {
        if (st->code() == broker::sc::peer_lost || st->code() == broker::sc::peer_removed) {
          throw Error(std::string("Broker: ") + broker::to_string(st->code()));
        }
      }
    }
  }

  Endpoint endpoint_;
  broker::endpoint broker_;
  broker::status_subscriber status_;
  std::optional<broker::subscriber> inbox_;
};

}  // namespace

std::unique_ptr<Transport> make_broker_transport(const Endpoint& endpoint) {
  return std::make_unique<BrokerTransport>(endpoint);
}

}  // namespace zagent::zeek

// Broker's WebSocket JSON API, client side, on Boost.Beast: the topics
// array, then the server's ack; then data-message objects both ways
// (docs/protocol.md, "WebSocket"). Asynchronous operations driven by one
// io_context on the caller's thread, so that every step has a deadline.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <deque>

#include "agent/zeek/broker_json.h"
#include "agent/zeek/transport.h"
#include "journal/error.h"

namespace zagent::zeek {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string Endpoint::display() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool zeek8_server(const std::string& ack_version) { return std::atoi(ack_version.c_str()) >= 8; }

namespace {

constexpr const char* kPath = "/v1/messages/json";
constexpr size_t kInboxMax = 1024;  // messages read ahead; then reading waits for the caller
constexpr auto kWriteTimeout = std::chrono::seconds(30);
// Zeek 8's own server queues 32 messages per client: a burst of 8, then
// one per ms.
constexpr double kZeekServerBurst = 8;
constexpr auto kZeekServerInterval = std::chrono::microseconds(1000);

// Zeek 5-7's Broker drops a WebSocket client ("lost connection to client";
// zeek/broker issue 458, open) when a frame is split across its reads while
// it has stopped reading for backpressure: its framing layer then asks for
// the rest of the frame, overriding the stop, and the next message overflows
// the full buffer. It reads at most 2048 bytes at a time, so a frame split
// across reads is routine once two are queued. Frames of exactly 2048 bytes
// (2040 of text: a 4-byte length and a 4-byte mask precede it) never split:
// each read takes one whole frame. So to Broker's server (its ack names a
// Broker version, below 8) every message is padded with spaces, which JSON
// ignores, to that size; seen on 7.0.11: 2,000 messages at once to a slow
// handler are taken in full padded, and the client dropped after 6 unpadded.
// A message longer than that cannot be padded; it goes as it is.
constexpr size_t kBrokerServerText = 2040;

using PlainStream = websocket::stream<beast::tcp_stream>;
using TlsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

template <class Stream>
class WebSocketTransport : public Transport {
 public:
  explicit WebSocketTransport(Endpoint endpoint) : endpoint_(std::move(endpoint)), ws_(make_stream()) {}

  // A close frame, so that Zeek sees a client that left rather than a lost
  // connection; at most a second, and no error if it fails. Not over TLS:
  // there Beast's close also shuts TLS down, and against the test's Python
  // servers that stopped the agent's exit for 10 s (cause not found).
  ~WebSocketTransport() override {
    if (tls() || !ws_.is_open() || read_error_) return;
    bool done = false;
    ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    try {
      wait(done, Clock::now() + std::chrono::seconds(1), "closing");
    } catch (const Error&) {
    }
  }

  std::string connect(const std::vector<std::string>& topics, std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    const std::string where = (tls() ? "wss://" : "ws://") + endpoint_.display() + kPath;
    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type addresses;
    beast::error_code ec;
    bool done = false;
    resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e, addresses = std::move(r), done = true;
                           });
    wait(done, deadline, where + ": resolving " + endpoint_.host);
    check(ec, where + ": resolving " + endpoint_.host);
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_at(deadline);
    done = false;
    tcp_layer.async_connect(addresses, [&](beast::error_code e, const tcp::endpoint&) { ec = e, done = true; });
    wait(done, deadline, where + ": connecting");
    check(ec, where + ": connecting");
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto& tls_layer = ws_.next_layer();
      if (!SSL_set_tlsext_host_name(tls_layer.native_handle(), endpoint_.host.c_str())) {
        throw Error(where + ": cannot set the TLS server name");
      }
      bool wrong_name = false;
      if (endpoint_.tls.verify) {
        tls_layer.set_verify_callback([&wrong_name, name = ssl::host_name_verification(endpoint_.host)](
                                          bool preverified, ssl::verify_context& ctx) mutable {
          if (!preverified) return false;
          if (name(preverified, ctx)) return true;
          wrong_name = true;
          return false;
        });
      }
      done = false;
      tls_layer.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e, done = true; });
      wait(done, deadline, where + ": TLS handshake");
      if (ec) {
        // Say which check failed: OpenSSL's error only says that one did.
        std::string why = ec.message();
        if (wrong_name) {
          why += " (the certificate does not name " + endpoint_.host + ")";
        } else if (const long result = SSL_get_verify_result(tls_layer.native_handle()); result != X509_V_OK) {
          why += std::string(" (") + X509_verify_cert_error_string(result) + ")";
        }
        throw Error(where + ": TLS handshake: " + why);
      }
    }
    tcp_layer.expires_never();  // the websocket stream keeps its own timeouts from here on
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.handshake_timeout = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now()) +
                          std::chrono::seconds(1);
    t.idle_timeout = std::chrono::seconds(60);  // a silent peer is pinged, then given up
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "zagent"); }));
    done = false;
    ws_.async_handshake(endpoint_.display(), kPath, [&](beast::error_code e) { ec = e, done = true; });
    wait(done, deadline, where + ": WebSocket handshake");
    check(ec, where + ": WebSocket handshake");
    ws_.text(true);
    ws_.auto_fragment(false);  // one message, one frame (see kBrokerServerText)
    write(json(topics).dump(), deadline);
    // The first message is the server's answer to the subscription.
    const json ack = read_json(deadline, where + ": waiting for the ack");
    const std::string type = ack.value("type", "");
    if (type == "error") {
      throw Error(where + ": the server refused the subscription: " + ack.value("code", "?") + " (" +
                  ack.value("context", "") + ")");
    }
    if (type != "ack") throw Error(where + ": want an ack, got " + ack.dump().substr(0, 200));
    const std::string version = ack.value("version", "");
    broker_server_ = !zeek8_server(version);
    tokens_ = kZeekServerBurst;
    return version;
  }

  void publish(const std::string& topic, const ZeekEvent& event) override {
    json message = to_json(encode_event(event));
    message["type"] = "data-message";
    message["topic"] = topic;
    std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
    if (broker_server_) {
      if (text.size() < kBrokerServerText) text.append(kBrokerServerText - text.size(), ' ');
    } else {
      pace();
    }
    write(text, Clock::now() + kWriteTimeout);
  }

  std::optional<Received> receive(std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      while (!inbox_.empty()) {
        std::string text = std::move(inbox_.front());
        inbox_.pop_front();
        if (auto r = decode(text)) return r;
      }
      arm_read();
      ioc_.restart();
      while (inbox_.empty() && !read_error_ && Clock::now() < deadline) ioc_.run_one_until(deadline);
      if (read_error_) throw Error(endpoint_.display() + ": " + read_error_.message());
      if (inbox_.empty()) return std::nullopt;
    }
  }

 private:
  bool tls() const { return std::is_same_v<Stream, TlsStream>; }

  Stream make_stream() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tls_ctx_.emplace(ssl::context::tls_client);
      ssl::context& c = *tls_ctx_;
      c.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      const TlsOptions& o = endpoint_.tls;
      beast::error_code ec;
      if (o.ca_file.empty()) {
        c.set_default_verify_paths(ec);
      } else {
        c.load_verify_file(o.ca_file, ec);
      }
      check(ec, "TLS CA " + (o.ca_file.empty() ? std::string("(system)") : o.ca_file));
      if (!o.cert_file.empty()) {
        c.use_certificate_chain_file(o.cert_file, ec);
        check(ec, "TLS certificate " + o.cert_file);
        c.use_private_key_file(o.key_file.empty() ? o.cert_file : o.key_file, ssl::context::pem, ec);
        check(ec, "TLS key " + (o.key_file.empty() ? o.cert_file : o.key_file));
      }
      c.set_verify_mode(o.verify ? ssl::verify_peer : ssl::verify_none);
      return Stream(ioc_, c);
    } else {
      return Stream(ioc_);
    }
  }

  // A token bucket: kZeekServerBurst tokens, one back every
  // kZeekServerInterval; while waiting for one, reads go on (pings are
  // answered).
  void pace() {
    const auto now = Clock::now();
    tokens_ = std::min(kZeekServerBurst,
                       tokens_ + std::chrono::duration<double>(now - refilled_) / kZeekServerInterval);
    refilled_ = now;
    if (tokens_ < 1) {
      const auto wait = std::chrono::duration_cast<Clock::duration>((1 - tokens_) * kZeekServerInterval);
      arm_read();
      ioc_.restart();
      ioc_.run_for(wait);
      tokens_ = 1;
      refilled_ = Clock::now();
    }
    tokens_ -= 1;
  }

  static void check(const beast::error_code& ec, const std::string& what) {
    if (ec) throw Error(what + ": " + ec.message());
  }

  // Runs the loop until `done` or the deadline; at the deadline the socket
  // is closed (the pending operation then ends with an error).
  void wait(bool& done, Clock::time_point deadline, const std::string& what) {
    ioc_.restart();
    while (!done) {
      if (Clock::now() >= deadline) {
        beast::get_lowest_layer(ws_).socket().close();
        throw Error(what + ": timed out");
      }
      ioc_.run_one_until(deadline);
    }
  }

  void write(const std::string& text, Clock::time_point deadline) {
    if (read_error_) throw Error(endpoint_.display() + ": " + read_error_.message());
    bool done = false;
    beast::error_code ec;
    ws_.async_write(net::buffer(text), [&](beast::error_code e, size_t) { ec = e, done = true; });
    wait(done, deadline, endpoint_.display() + ": sending");
    check(ec, endpoint_.display() + ": sending");
  }

  // One read outstanding at a time; what it reads goes to the inbox.
  void arm_read() {
    if (reading_ || read_error_ || inbox_.size() >= kInboxMax) return;
    reading_ = true;
    ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
      reading_ = false;
      if (ec) {
        read_error_ = ec;
        return;
      }
      inbox_.push_back(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      arm_read();
    });
  }

  json read_json(Clock::time_point deadline, const std::string& what) {
    arm_read();
    ioc_.restart();
    while (inbox_.empty() && !read_error_) {
      if (Clock::now() >= deadline) {
        beast::get_lowest_layer(ws_).socket().close();
        throw Error(what + ": timed out");
      }
      ioc_.run_one_until(deadline);
    }
    if (read_error_) throw Error(what + ": " + read_error_.message());
    std::string text = std::move(inbox_.front());
    inbox_.pop_front();
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) throw Error(what + ": not JSON: " + text.substr(0, 200));
    return j;
  }

  std::optional<Received> decode(const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      warn("not a JSON object: " + text.substr(0, 200));
      return std::nullopt;
    }
    const std::string type = j.value("type", "");
    if (type == "error") {
      warn("the server says: " + j.value("code", "?") + " (" + j.value("context", "") + ")");
      return std::nullopt;
    }
    if (type != "data-message" || !j.contains("topic") || !j["topic"].is_string()) {
      warn("not a data message: " + text.substr(0, 200));
      return std::nullopt;
    }
    try {
      return Received{j["topic"].get<std::string>(), decode_event(from_json(j))};
    } catch (const Error& e) {
      warn(std::string("a message on ") + j["topic"].get<std::string>() + " that is not a Zeek event: " + e.what());
      return std::nullopt;
    }
  }

  Endpoint endpoint_;
  net::io_context ioc_;
  std::optional<ssl::context> tls_ctx_;
  Stream ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> inbox_;
  bool reading_ = false;
  bool broker_server_ = false;  // Zeek 5-7: pad every message to kBrokerServerText
  double tokens_ = kZeekServerBurst;
  Clock::time_point refilled_ = Clock::now();
  beast::error_code read_error_;
};

}  // namespace

std::unique_ptr<Transport> make_websocket_transport(const Endpoint& endpoint) {
  if (endpoint.tls.enabled) return std::make_unique<WebSocketTransport<TlsStream>>(endpoint);
  return std::make_unique<WebSocketTransport<PlainStream>>(endpoint);
}

}  // namespace zagent::zeek

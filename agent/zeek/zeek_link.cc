#include "agent/zeek/zeek_link.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "agent/zeek/engine_query_runner.h"
#include "journal/error.h"

namespace zagent::zeek {

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr int64_t kFirstBackoffNs = 1'000'000'000;
// A link that stayed up this long starts its next backoff from the first step.
constexpr int64_t kStableNs = 30'000'000'000;

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Only Zeek 8.2 runs zeek-agent's package 2.4.
HelloLayout layout_for(const std::string& version) {
  return zeek8_server(version) ? HelloLayout::WithoutBroker : HelloLayout::WithBroker;
}

}  // namespace

ZeekLink::ZeekLink(Destination destination, SessionOptions session, StreamOptions stream,
                   tables::QueryContext context, tables::QueryLimits limits, int64_t reconnect_max_ns)
    : destination_(std::move(destination)),
      session_options_(std::move(session)),
      stream_options_(std::move(stream)),
      context_(std::move(context)),
      limits_(limits),
      reconnect_max_ns_(std::max(reconnect_max_ns, kFirstBackoffNs)) {
  status_.since_ns = wall_ns();
  thread_ = std::thread([this] { run(); });
}

ZeekLink::~ZeekLink() {
  stop_ = true;
  wake_.notify_all();
  thread_.join();
}

LinkStatus ZeekLink::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

std::string ZeekLink::status_line() const {
  const LinkStatus s = status();
  const time_t since = static_cast<time_t>(s.since_ns / 1'000'000'000);
  tm t{};
  localtime_r(&since, &t);
  char when[16];
  std::strftime(when, sizeof when, "%H:%M:%S", &t);
  std::string line = destination_.endpoint.display() + " ";
  switch (s.state) {
    case LinkStatus::State::Connecting: line += "connecting"; break;
    case LinkStatus::State::Connected: line += std::string("connected since ") + when; break;
    case LinkStatus::State::Waiting: line += std::string("down since ") + when; break;
  }
  if (s.state != LinkStatus::State::Connected && !s.last_error.empty()) line += " (" + s.last_error + ")";
  return line;
}

void ZeekLink::set_state(LinkStatus::State state, const std::string& error) {
  std::lock_guard lock(mu_);
  status_.state = state;
  status_.since_ns = wall_ns();
  if (!error.empty()) status_.last_error = error;
  if (state == LinkStatus::State::Connected) ++status_.connects;
}

void ZeekLink::run() {
  std::mt19937_64 random(std::random_device{}());
  int64_t backoff = kFirstBackoffNs;
  while (!stop_) {
    set_state(LinkStatus::State::Connecting);
    const int64_t started = wall_ns();
    std::string error;
    try {
      serve_once();
    } catch (const Error& e) {
      error = e.what();
    } catch (const std::exception& e) {  // Boost or the standard library under it
      error = e.what();
    }
    if (stop_) break;
    set_state(LinkStatus::State::Waiting, error);
    log("zeek " + destination_.endpoint.display() + ": " + error);
    if (wall_ns() - started > kStableNs) backoff = kFirstBackoffNs;
    std::uniform_real_distribution<double> jitter(0.75, 1.25);
    const auto wait = std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(backoff) * jitter(random)));
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, wait, [this] { return stop_.load(); });
    backoff = std::min(backoff * 2, reconnect_max_ns_);
  }
}

void ZeekLink::serve_once() {
  std::unique_ptr<Transport> transport = destination_.transport == TransportKind::Broker
                                             ? make_broker_transport(destination_.endpoint)
                                             : make_websocket_transport(destination_.endpoint);
  transport->warn = [this](const std::string& what) {
    {
      std::lock_guard lock(mu_);
      ++status_.warnings;
    }
    log("zeek " + destination_.endpoint.display() + ": " + what);
  };
  EngineQueryRunner runner(context_, limits_);
  uint64_t pending = 0;  // events of the current call not yet sent
  const auto send = [&](const std::string& topic, const ZeekEvent& e) {
    ++pending;
    transport->publish(topic, e);
    --pending;
    std::lock_guard lock(mu_);
    ++status_.events_sent;
  };
  ZeekAgentSession session(session_options_, runner, send);
  EventStream stream(stream_options_, send, &runner);
  std::vector<std::string> topics = session.topics();
  topics.push_back(stream.topic());
  const std::string version = transport->connect(topics, kConnectTimeout);
  set_state(LinkStatus::State::Connected);
  log("zeek " + destination_.endpoint.display() + ": connected (" + version + ")");
  try {
    session.connected(wall_ns(), layout_for(version));
    stream.connected(wall_ns());
    while (!stop_) {
      const int64_t now = wall_ns();
      const int64_t next = std::min(session.run_due(now), stream.run_due(now));
      // Wake at least every 200 ms to see a stop, every 20 ms while a
      // subscriber waits for host events (the writer's tail is read then).
      const int64_t most = stream.subscriber_count() ? 20 : 200;
      const auto wait = std::chrono::milliseconds(std::clamp<int64_t>((next - now) / 1'000'000, 0, most));
      if (auto r = transport->receive(wait)) {
        {
          std::lock_guard lock(mu_);
          ++status_.events_received;
        }
        if (r->topic != stream.topic() || !stream.received(r->event, wall_ns())) {
          session.received(r->topic, r->event, wall_ns());
        }
      }
      stream.pump();
    }
    session.shutting_down(wall_ns());
  } catch (...) {
    std::lock_guard lock(mu_);
    status_.dropped += pending;
    throw;
  }
}

}  // namespace zagent::zeek

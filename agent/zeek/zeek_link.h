// One Zeek destination's connection, on its own thread: connect, say
// hello, serve the zeek-agent protocol (zeek_agent_session.h) and the
// host event stream (event_stream.h), and when
// the link fails, reconnect after a capped exponential backoff with jitter
// (1 s, 2 s, 4 s ... up to the cap, each +-25%). The recorder never waits
// for it: queries run on this thread, on its own query engine.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "agent/zeek/event_stream.h"
#include "agent/zeek/zeek_agent_session.h"
#include "agent/zeek/zeek_options.h"
#include "tables/query_context.h"
#include "tables/query_engine.h"

namespace zagent::zeek {

struct LinkStatus {
  enum class State { Connecting, Connected, Waiting } state = State::Connecting;
  int64_t since_ns = 0;     // of the state
  std::string last_error;   // of the last failed attempt or lost link
  uint64_t connects = 0;
  uint64_t events_sent = 0;
  uint64_t events_received = 0;
  uint64_t dropped = 0;     // events that could not be sent (the link failed under them)
  uint64_t warnings = 0;    // messages from Zeek that were not for us or did not decode
};

class ZeekLink {
 public:
  ZeekLink(Destination destination, SessionOptions session, StreamOptions stream, tables::QueryContext context,
           tables::QueryLimits limits, int64_t reconnect_max_ns);
  ~ZeekLink();  // stops: agent_shutdown_v1 if connected, then closes
  ZeekLink(const ZeekLink&) = delete;
  ZeekLink& operator=(const ZeekLink&) = delete;

  const Destination& destination() const { return destination_; }
  LinkStatus status() const;
  // "zeek1:9997 connected since 12:00:01", "... waiting 4s (last error: ...)".
  std::string status_line() const;

  // Logs a line (stderr in `zagent run`); called from the link's thread.
  std::function<void(const std::string&)> log = [](const std::string&) {};

 private:
  void run();
  void serve_once();
  void set_state(LinkStatus::State state, const std::string& error = "");

  Destination destination_;
  SessionOptions session_options_;
  StreamOptions stream_options_;
  tables::QueryContext context_;
  tables::QueryLimits limits_;
  int64_t reconnect_max_ns_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  LinkStatus status_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace zagent::zeek

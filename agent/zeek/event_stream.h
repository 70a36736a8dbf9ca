// zagent's host event stream, agent side, transport-free like the
// zeek-agent session (docs/protocol.md, "zagent's host event stream"):
// subscribers subscribe by name, the agent sends the journal's events after
// each one's acknowledged seq, at most a window ahead, and keeps every
// acknowledgement on disk (subscriber_positions.h), so that the stream
// resumes right after it on the next subscribe, whatever happened between.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "agent/zeek/query_runner.h"
#include "agent/zeek/stream_filter.h"
#include "agent/zeek/subscriber_positions.h"
#include "agent/zeek/zeek_event.h"
#include "tables/query_context.h"

namespace zagent::zeek {

struct StreamOptions {
  std::string agent_id;
  std::string journal_dir;
  std::string state_dir;
  uint64_t max_window = 10'000;    // seqs in flight unacknowledged, at most
  uint64_t batch_events = 1'000;   // events in one events_v1
  std::string hostname;            // in the hello
  int64_t hello_interval_ns = 60'000'000'000;
  // The writer's events not on disk yet, so that the stream need not wait
  // for the next block; may be empty (disk only).
  std::function<tables::LiveTail()> live_tail;
  // The seq the writer gives next (UINT64_MAX: unknown), asked before the
  // tail is copied; may be empty.
  std::function<uint64_t()> next_seq;
  // Told of every gap sent, to record it in the journal (a sensor event);
  // may be empty.
  std::function<void(const std::string& subscriber, uint64_t first, uint64_t last)> gap_sent;
};

class EventStream {
 public:
  using Send = std::function<void(const std::string& topic, const ZeekEvent& event)>;

  // `runner` evaluates subscribers' filters (stream_filter.h); without one
  // a subscription with filters is refused.
  EventStream(StreamOptions options, Send send, QueryRunner* runner = nullptr);

  // The topic the agent subscribes to for the stream's requests.
  std::string topic() const;
  // Where the agent says hello to the Zeek side of the stream.
  std::string hello_topic() const;
  // Where a subscriber's batches, gaps and errors go.
  std::string subscriber_topic(const std::string& subscriber) const;

  // ZAgent::subscribe_v1, ack_v1 and unsubscribe_v1; false for any other
  // event. Bad input gets agent_error_v1 and changes nothing.
  bool received(const ZeekEvent& event, int64_t now_ns);

  // A new connection: ZAgent::hello_v1 with a new session id, so that the
  // Zeek side subscribes (again).
  void connected(int64_t now_ns);

  // The hello again when due, for a Zeek that missed it; when to call
  // next, at the latest.
  int64_t run_due(int64_t now_ns);

  // Sends what the windows allow from what the journal holds now.
  void pump();

  // The connection is gone: subscribers subscribe again on the next one.
  void disconnected() { subscribers_.clear(); }

  size_t subscriber_count() const { return subscribers_.size(); }

 private:
  struct Subscriber {
    uint32_t type_mask = ~0u;
    uint64_t window = 0;
    std::optional<uint64_t> sent;   // the last seq sent: the acknowledged one, or beyond
    // The seqs of the events sent and not acknowledged, wanted or not:
    // the window counts events, not seqs, which jump by the writer's
    // reserve after a crash.
    std::deque<uint64_t> unacked;
    StreamFilter filter;
  };

  void subscribe(const ZeekEvent& e, int64_t now_ns);
  void ack(const ZeekEvent& e, int64_t now_ns);
  void unsubscribe(const ZeekEvent& e, int64_t now_ns);
  void error(const std::string& subscriber, const std::string& message, int64_t now_ns);
  uint64_t in_flight(const Subscriber& s) const;

  StreamOptions options_;
  Send send_;
  QueryRunner* runner_;
  SubscriberPositions positions_;
  std::string session_;  // this connection's, in every hello
  int64_t next_hello_ns_ = 0;
  std::map<std::string, Subscriber> subscribers_;
};

}  // namespace zagent::zeek

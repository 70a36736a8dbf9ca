#include "agent/zeek/event_stream.h"

#include <cstdint>

#include "agent/zeek/agent_identity.h"
#include "agent/zeek/stream_batch.h"
#include "journal/error.h"
#include "journal/event.h"

namespace zagent::zeek {

namespace {

constexpr const char* kSubscribe = "ZAgent::subscribe_v1";
constexpr const char* kAck = "ZAgent::ack_v1";
constexpr const char* kUnsubscribe = "ZAgent::unsubscribe_v1";

// The argument at `i` as a T, or an Error naming the event and argument.
template <typename T>
const T& arg(const ZeekEvent& e, size_t i, const char* what) {
  const T* v = i < e.args.size() ? e.args[i].get<T>() : nullptr;
  if (!v) throw Error(e.name + ": argument " + std::to_string(i + 1) + " must be " + what);
  return *v;
}

void want_args(const ZeekEvent& e, size_t n) {
  if (e.args.size() != n) {
    throw Error(e.name + ": want " + std::to_string(n) + " arguments, got " + std::to_string(e.args.size()));
  }
}

}  // namespace

EventStream::EventStream(StreamOptions options, Send send, QueryRunner* runner)
    : options_(std::move(options)), send_(std::move(send)), runner_(runner), positions_(options_.state_dir) {}

std::string EventStream::topic() const { return "/zagent/stream/host/" + options_.agent_id; }

std::string EventStream::hello_topic() const { return "/zagent/hello/" + options_.agent_id; }

void EventStream::connected(int64_t now_ns) {
  session_ = random_uuid();
  next_hello_ns_ = now_ns;
  run_due(now_ns);
}

int64_t EventStream::run_due(int64_t now_ns) {
  if (!session_.empty() && now_ns >= next_hello_ns_) {
    send_(hello_topic(), ZeekEvent{"ZAgent::hello_v1", {options_.agent_id, session_, options_.hostname}});
    next_hello_ns_ = now_ns + options_.hello_interval_ns;
  }
  return session_.empty() ? INT64_MAX : next_hello_ns_;
}

std::string EventStream::subscriber_topic(const std::string& subscriber) const {
  return "/zagent/stream/" + subscriber + "/" + options_.agent_id;
}

bool EventStream::received(const ZeekEvent& e, int64_t now_ns) {
  if (e.name != kSubscribe && e.name != kAck && e.name != kUnsubscribe) return false;
  // The subscriber's name first, so that an error goes to its topic.
  const std::string* name = e.args.empty() ? nullptr : e.args[0].get<std::string>();
  bool named = false;  // a name fit for a topic
  try {
    if (!name) throw Error(e.name + ": argument 1 must be the subscriber's name (a string)");
    SubscriberPositions::check_name(*name);
    named = true;
    if (e.name == kSubscribe) subscribe(e, now_ns);
    if (e.name == kAck) ack(e, now_ns);
    if (e.name == kUnsubscribe) unsubscribe(e, now_ns);
  } catch (const Error& x) {
    error(named ? *name : "", x.what(), now_ns);
  }
  return true;
}

void EventStream::subscribe(const ZeekEvent& e, int64_t) {
  if (e.args.size() != 4) want_args(e, 3);
  const std::string& name = arg<std::string>(e, 0, "a string");
  const Set& kinds = arg<Set>(e, 1, "the event kinds (a set of strings)");
  const uint64_t window = arg<uint64_t>(e, 2, "the window (a count)");
  Subscriber s;
  if (!kinds.items.empty()) {
    s.type_mask = 0;
    for (const BrokerData& k : kinds.items) {
      const std::string* text = k.get<std::string>();
      EventType type;
      if (!text || !parse_event_type(*text, &type)) {
        throw Error(e.name + ": unknown event kind " + (text ? "'" + *text + "'" : std::string("(not a string)")));
      }
      s.type_mask |= 1u << static_cast<unsigned>(type);
    }
  }
  if (window == 0) throw Error(e.name + ": the window must be at least 1");
  if (e.args.size() == 4) {
    const Table& filters = arg<Table>(e, 3, "the filters (a table of kind to SQL condition)");
    if (!filters.entries.empty() && !runner_) throw Error(e.name + ": filters are not served here");
    try {
      if (runner_) s.filter = StreamFilter::parse(filters, *runner_);
    } catch (const Error& x) {
      throw Error(e.name + ": " + x.what());
    }
  }
  s.window = std::min(window, options_.max_window);
  s.sent = positions_.acknowledged(name);  // resume right after what was processed
  subscribers_[name] = s;
}

void EventStream::ack(const ZeekEvent& e, int64_t) {
  want_args(e, 2);
  const std::string& name = arg<std::string>(e, 0, "a string");
  const uint64_t seq = arg<uint64_t>(e, 1, "the seq processed (a count)");
  const auto it = subscribers_.find(name);
  if (it == subscribers_.end()) throw Error(e.name + ": no subscriber '" + name + "' on this connection");
  Subscriber& s = it->second;
  if (!s.sent || seq > *s.sent) {
    throw Error(e.name + ": seq " + std::to_string(seq) + " was not sent yet (sent up to " +
                (s.sent ? std::to_string(*s.sent) : std::string("none")) + ")");
  }
  positions_.acknowledge(name, seq);  // throws going backwards
  while (!s.unacked.empty() && s.unacked.front() <= seq) s.unacked.pop_front();
}

void EventStream::unsubscribe(const ZeekEvent& e, int64_t) {
  want_args(e, 1);
  const std::string& name = arg<std::string>(e, 0, "a string");
  positions_.forget(name);
  subscribers_.erase(name);
}

uint64_t EventStream::in_flight(const Subscriber& s) const { return s.unacked.size(); }

void EventStream::pump() {
  std::vector<std::string> failed;
  for (auto& [name, s] : subscribers_) {
    while (in_flight(s) < s.window) {
      StreamRequest r;
      r.after = s.sent;
      r.type_mask = s.type_mask;
      r.max_events = options_.batch_events;
      r.max_examined = s.window - in_flight(s);
      // Caught up with the writer: nothing to read, on disk or off.
      if (options_.next_seq && s.sent) {
        const uint64_t next = options_.next_seq();
        if (next != UINT64_MAX && *s.sent + 1 >= next) break;
      }
      tables::LiveTail tail;
      if (options_.live_tail) {
        tail = options_.live_tail();  // before the disk is read (stream_batch.h)
        r.tail = &tail;
      }
      std::optional<StreamBatch> b = read_stream_batch(options_.journal_dir, r, [](const Damage&) {});
      if (!b) break;
      if (!s.filter.empty()) {
        try {
          s.filter.apply(&*b, *runner_);
        } catch (const Error& x) {
          // It would fail the same way next time: say so and stop this
          // subscription (its position stays).
          error(name, std::string("filter: ") + x.what() + " (unsubscribed; subscribe again)", 0);
          failed.push_back(name);
          break;
        }
      }
      if (b->gap) {
        send_(subscriber_topic(name), ZeekEvent{"ZAgent::gap_v1", {options_.agent_id, name, b->gap->first,
                                                                      b->gap->second}});
        if (options_.gap_sent) options_.gap_sent(name, b->gap->first, b->gap->second);
      }
      send_(subscriber_topic(name), ZeekEvent{"ZAgent::events_v1", {options_.agent_id, name, b->first_seq,
                                                                       b->last_seq, b->lines}});
      s.sent = b->last_seq;
      s.unacked.insert(s.unacked.end(), b->seqs.begin(), b->seqs.end());
    }
  }
  for (const std::string& name : failed) subscribers_.erase(name);
}

void EventStream::error(const std::string& subscriber, const std::string& message, int64_t) {
  // ZAgent's own error event, not zeek-agent's agent_error_v1: a Zeek that
  // runs the zagent package alone cannot declare that one (its types are
  // the zeek-agent package's) and would drop it unseen.
  const std::string topic = subscriber.empty() ? "/zagent/stream/all/" + options_.agent_id
                                               : subscriber_topic(subscriber);
  send_(topic, ZeekEvent{"ZAgent::error_v1", {options_.agent_id, subscriber, message}});
}

}  // namespace zagent::zeek

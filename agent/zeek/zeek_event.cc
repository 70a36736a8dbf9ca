#include "agent/zeek/zeek_event.h"

#include "journal/error.h"

namespace zagent::zeek {

BrokerData encode_event(const ZeekEvent& e) {
  return Vector{{uint64_t{1}, uint64_t{1}, Vector{{e.name, Vector{e.args}}}}};
}

ZeekEvent decode_event(const BrokerData& d) {
  const Vector* outer = d.get<Vector>();
  if (!outer || outer->items.size() != 3) throw Error("not a Zeek message: want [format, type, content]");
  const uint64_t* format = outer->items[0].get<uint64_t>();
  const uint64_t* type = outer->items[1].get<uint64_t>();
  if (!format || *format != 1) throw Error("Zeek message format is not 1");
  if (!type || *type != 1) throw Error("Zeek message is not an event (type 1)");
  const Vector* content = outer->items[2].get<Vector>();
  if (!content || content->items.size() < 2 || content->items.size() > 3) {
    throw Error("Zeek event must be [name, args] or [name, args, metadata]");
  }
  const std::string* name = content->items[0].get<std::string>();
  const Vector* args = content->items[1].get<Vector>();
  if (!name) throw Error("Zeek event's name is not a string");
  if (!args) throw Error("Zeek event " + *name + ": its arguments are not a vector");
  return ZeekEvent{*name, args->items};
}

}  // namespace zagent::zeek

// sensor_events: the agent's own health: start and stop, sensors attached
// or degraded, events lost, clock jumps, journal rotation, recovery,
// retention and paused writes. A quiet host and a blind sensor look
// different here.
//
//   SELECT time, action, sensor, message, counters FROM sensor_events
//    WHERE action IN ('events_lost', 'sensor_degraded');
#include "journal/event_json.h"
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using S = fb::SensorColumns;
constexpr auto cols = columns_of<EventType::SensorEvent, &fb::Block::sensor>;

const EventTable table{
    "sensor_events",
    "The agent's own health: agent_start, agent_stop, sensor_attached, sensor_degraded, "
    "events_lost, clock_jump, journal_rotated, journal_recovered, retention_deleted, "
    "write_paused, write_resumed, stream_gap.",
    "SELECT time, action, sensor, message, counters FROM sensor_events WHERE action = 'events_lost'",
    type_bit(EventType::SensorEvent),
    {
        {{"action", ColumnType::Text, "what happened (see the summary)"}, name_of<cols, &S::action, SensorAction>},
        {{"sensor", ColumnType::Text, "the sensor it concerns, empty for the agent"}, text_of<cols, &S::sensor>},
        {{"message", ColumnType::Text, "a human-readable explanation"}, text_of<cols, &S::message>},
        {{"counters", ColumnType::Text,
          "the event's counters as a JSON object ({\"socket\": 12}); json_extract() reads one"},
         [](const BlockRows& r, Cell& c) {
           const S* x = cols(r);
           if (!x) return c.null();
           std::string out = "{";
           const uint32_t n = column_value(x->counter_count(), r.row());
           for (uint32_t i = 0; i < n; ++i) {
             if (i) out += ',';
             append_json_string(r.string(column_value(x->counter_name(), r.run_first() + i)), &out);
             out += ':' + std::to_string(column_value(x->counter_value(), r.run_first() + i));
           }
           c.text(out + "}");
         }},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

// What the tables of one query engine read besides the live host: the
// journals behind the event tables and, inside a running agent, the events
// not yet on disk and the agent's own figures.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "journal/event.h"

namespace zagent::tables {

// The writer's events not yet in a block on disk, copied at one instant.
// Every event on disk at that instant has seq < boundary; the events here
// have seq >= boundary. So reading the disk up to boundary and then these
// gives each event once, whatever the writer flushes meanwhile.
struct LiveTail {
  std::vector<Event> events;
  uint64_t boundary = 0;
  std::string host;     // this host's name and boot id, for the common columns
  std::string boot_id;
  // The segment file the writer appends to: its last block may be half
  // written, which is not damage.
  std::string segment;
};

// A running agent's own figures, for the zeek_agent table.
struct AgentStatus {
  int64_t started_ts = 0;  // ns since the epoch
  uint64_t events_recorded = 0;
  uint64_t events_lost = 0;
  // The agent's identity to Zeek (agent/zeek/agent_identity.h); "" when it
  // has none (no Zeek configured): then the host's machine id.
  std::string agent_id;
  std::string instance_id;
};

struct QueryContext {
  // Journal directories or segment files read by the event tables.
  std::vector<std::string> journals;
  // Set inside a running agent.
  std::function<LiveTail()> live_tail;
  std::function<AgentStatus()> agent_status;
};

}  // namespace zagent::tables

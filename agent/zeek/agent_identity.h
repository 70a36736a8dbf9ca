// Who the agent is to Zeek: an agent id made once and kept in the state
// directory, so that Zeek knows the host again after a restart, and an
// instance id new at every start (zeek-agent's `id` and `instance`).
#pragma once

#include <string>

namespace zagent::zeek {

struct AgentIdentity {
  std::string agent_id;
  std::string instance_id;
};

// Reads `state_dir`/agent-id, or creates it (0600; the directory 0700)
// with a new random UUID, written whole or not at all. A file that is not
// a UUID is an Error naming it: the agent never takes a new identity
// silently.
AgentIdentity load_agent_identity(const std::string& state_dir);

std::string random_uuid();  // RFC 4122 version 4, lower-case text

}  // namespace zagent::zeek

// The stable names of the events' enum values ("connect", "write_open",
// "events_lost", ...), as JSON lines, SQL columns and Zeek show them.
#pragma once

#include <string_view>

#include "journal/event.h"

namespace zagent {

// A value past the known names (a newer writer's) is "unknown".
std::string_view name(HashStatus s);
std::string_view name(Protocol p);
std::string_view name(SocketAction a);
std::string_view name(FileAction a);
std::string_view name(LoginAction a);
std::string_view name(SensorAction a);

}  // namespace zagent

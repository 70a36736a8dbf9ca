// The zagent package's log lines (zeek/logs.zeek's ProcessInfo, SocketInfo,
// FileInfo, LoginInfo and SensorInfo) built in C++ from its event records,
// field by field by the same rules as the script: the package calls these
// when this plugin is loaded, live and in replay, as it does process_uid.
// Building a line in script costs about 3.8 us an event, more than the
// replay and Log::write together (docs/performance.md, "Replay through
// Zeek"); built here, the same line costs a fraction of that.
//
// Each takes the event's record as the package declares it (ZAgent::
// ProcessExec, ...) and returns the line's record. The field offsets of
// both types are looked up by name once; a package whose records lack a
// field these need is of another version than the plugin, which Zeek is
// told once, fatally, naming the field.
#pragma once

#include <zeek/Val.h>

#include <string_view>

namespace zagent::zeek_plugin {

// exec and snapshot (a ProcessExec), fork (ProcessFork) or exit (ProcessExit).
zeek::RecordValPtr process_info(const zeek::RecordVal& e, std::string_view action);
zeek::RecordValPtr socket_info(const zeek::RecordVal& e);
zeek::RecordValPtr file_info(const zeek::RecordVal& e);
zeek::RecordValPtr login_info(const zeek::RecordVal& e);
zeek::RecordValPtr sensor_info(const zeek::RecordVal& e);

// Whether a BiF's argument is a record; when not, says so to Zeek's reporter.
bool is_record(const zeek::Val* v);

}  // namespace zagent::zeek_plugin

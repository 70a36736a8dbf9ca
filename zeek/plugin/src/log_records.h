// The zagent package's log lines (zeek/logs.zeek's ProcessInfo, SocketInfo,
// FileInfo, LoginInfo and SensorInfo) built in C++ from its event records,
// field by field by the same rules as the script: the package calls these
// when this plugin is loaded, live and in replay, as it does process_uid.
// In script, building the lines of 1M replayed events took 3.8 s, more
// than the replay itself; built here, a 1M-event replay takes about a
// quarter less time with jemalloc, a tenth with glibc's malloc
// (docs/performance.md, "Replay through Zeek").
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

// file_events: changes to files under the watched paths: create, open for
// writing, unlink, rename and chmod.
//
//   SELECT time, exe, action, path, new_path FROM file_events
//    WHERE path LIKE '/etc/%' ORDER BY time;
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using F = FileEvent;

const EventTable table{
    "file_events",
    "File events under the watched paths: create, write_open, unlink, rename, chmod.",
    "SELECT time, exe, action, path, new_path FROM file_events WHERE path LIKE '/etc/%'",
    type_bit(EventType::FileEvent),
    {
        {{"action", ColumnType::Text, "'create', 'write_open', 'unlink', 'rename' or 'chmod'"},
         name_of<F, &F::action>},
        {{"pid", ColumnType::Integer, "process id of the caller"}, int_of<F, &F::pid>},
        {{"start_boot_ns", ColumnType::Integer, "when that process started, ns since boot"},
         int_of<F, &F::start_boot_ns>},
        {{"uid", ColumnType::Integer, "the caller's user id"}, int_of<F, &F::uid>},
        {{"comm", ColumnType::Text, "the caller's short command name"}, text_of<F, &F::comm>},
        {{"exe", ColumnType::Text, "the caller's executable"}, text_of<F, &F::exe>},
        {{"path", ColumnType::Text, "the file's absolute path (for rename, the old one)"}, text_of<F, &F::path>},
        {{"new_path", ColumnType::Text, "the new path of a rename, else empty"}, text_of<F, &F::new_path>},
        {{"mode", ColumnType::Integer, "the mode given to create or chmod, else 0"}, int_of<F, &F::mode>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

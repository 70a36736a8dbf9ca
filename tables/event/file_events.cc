// file_events: changes to files under the watched paths: create, open for
// writing, unlink, rename and chmod.
//
//   SELECT time, exe, action, path, new_path FROM file_events
//    WHERE path LIKE '/etc/%' ORDER BY time;
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using F = fb::FileColumns;
constexpr auto cols = columns_of<EventType::FileEvent, &fb::Block::file>;

const EventTable table{
    "file_events",
    "File events under the watched paths: create, write_open, unlink, rename, chmod.",
    "SELECT time, exe, action, path, new_path FROM file_events WHERE path LIKE '/etc/%'",
    type_bit(EventType::FileEvent),
    {
        {{"action", ColumnType::Text, "'create', 'write_open', 'unlink', 'rename' or 'chmod'"},
         name_of<cols, &F::action, FileAction>},
        {{"pid", ColumnType::Integer, "process id of the caller"}, int_of<cols, &F::pid>},
        {{"start_boot_ns", ColumnType::Integer, "when that process started, ns since boot"},
         int_of<cols, &F::start_boot_ns>},
        {{"uid", ColumnType::Integer, "the caller's user id"}, int_of<cols, &F::uid>},
        {{"comm", ColumnType::Text, "the caller's short command name"}, text_of<cols, &F::comm>},
        {{"exe", ColumnType::Text, "the caller's executable"}, text_of<cols, &F::exe>},
        {{"path", ColumnType::Text, "the file's absolute path (for rename, the old one)"}, text_of<cols, &F::path>},
        {{"new_path", ColumnType::Text, "the new path of a rename, else empty"}, text_of<cols, &F::new_path>},
        {{"mode", ColumnType::Integer, "the mode given to create or chmod, else 0"}, int_of<cols, &F::mode>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

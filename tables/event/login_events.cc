// login_events: user sessions starting and ending, from utmp and wtmp.
//
//   SELECT time, action, user, tty, remote_host FROM login_events;
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using L = fb::LoginColumns;
constexpr auto cols = columns_of<EventType::LoginEvent, &fb::Block::login>;

const EventTable table{
    "login_events",
    "User sessions starting and ending (utmp/wtmp).",
    "SELECT time, action, user, tty, remote_host FROM login_events",
    type_bit(EventType::LoginEvent),
    {
        {{"action", ColumnType::Text, "'start' or 'end'"}, name_of<cols, &L::action, LoginAction>},
        {{"user", ColumnType::Text, "user name"}, text_of<cols, &L::user>},
        {{"tty", ColumnType::Text, "terminal line (pts/0, tty1)"}, text_of<cols, &L::tty>},
        {{"remote_host", ColumnType::Text, "remote host name as recorded, empty for local logins"},
         text_of<cols, &L::remote_host>},
        {{"remote_addr", ColumnType::Text, "remote address, :: when none"}, ip_of<cols, &L::remote_addr>},
        {{"pid", ColumnType::Integer, "process id of the login process"}, int_of<cols, &L::pid>},
        {{"session_id", ColumnType::Integer, "session id"}, int_of<cols, &L::session_id>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

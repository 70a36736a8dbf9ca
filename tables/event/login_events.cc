// login_events: user sessions starting and ending, from utmp and wtmp.
//
//   SELECT time, action, user, tty, remote_host FROM login_events;
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using L = LoginEvent;

const EventTable table{
    "login_events",
    "User sessions starting and ending (utmp/wtmp).",
    "SELECT time, action, user, tty, remote_host FROM login_events",
    type_bit(EventType::LoginEvent),
    {
        {{"action", ColumnType::Text, "'start' or 'end'"}, name_of<L, &L::action>},
        {{"user", ColumnType::Text, "user name"}, text_of<L, &L::user>},
        {{"tty", ColumnType::Text, "terminal line (pts/0, tty1)"}, text_of<L, &L::tty>},
        {{"remote_host", ColumnType::Text, "remote host name as recorded, empty for local logins"},
         text_of<L, &L::remote_host>},
        {{"remote_addr", ColumnType::Text, "remote address, :: when none"}, ip_of<L, &L::remote_addr>},
        {{"pid", ColumnType::Integer, "process id of the login process"}, int_of<L, &L::pid>},
        {{"session_id", ColumnType::Integer, "session id"}, int_of<L, &L::session_id>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

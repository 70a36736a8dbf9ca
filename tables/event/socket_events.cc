// socket_events: TCP connect, accept, listen and close, UDP sends to a new
// peer, and the sockets that existed when a segment started ('existing').
//
//   SELECT time, pid, exe, remote_addr, remote_port FROM socket_events
//    WHERE action = 'connect' AND remote_port = 443;
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

using S = fb::SocketColumns;
constexpr auto cols = columns_of<EventType::SocketEvent, &fb::Block::socket>;

const EventTable table{
    "socket_events",
    "Socket events: TCP connect, accept, listen and close, UDP send to a new peer, and "
    "'existing' for the sockets open when a journal segment started.",
    "SELECT time, pid, exe, remote_addr, remote_port FROM socket_events WHERE action = 'connect'",
    type_bit(EventType::SocketEvent),
    {
        {{"action", ColumnType::Text, "'connect', 'accept', 'listen', 'close', 'send' or 'existing'"},
         name_of<cols, &S::action, SocketAction>},
        {{"protocol", ColumnType::Text, "'tcp' or 'udp'"}, name_of<cols, &S::protocol, Protocol>},
        {{"pid", ColumnType::Integer, "process id of the socket's owner"}, int_of<cols, &S::pid>},
        {{"start_boot_ns", ColumnType::Integer, "when that process started, ns since boot"},
         int_of<cols, &S::start_boot_ns>},
        {{"uid", ColumnType::Integer, "the owner's user id"}, int_of<cols, &S::uid>},
        {{"comm", ColumnType::Text, "the owner's short command name"}, text_of<cols, &S::comm>},
        {{"exe", ColumnType::Text, "the owner's executable"}, text_of<cols, &S::exe>},
        {{"local_addr", ColumnType::Text, "local address (IPv4 as a.b.c.d)"}, ip_of<cols, &S::local_addr>},
        {{"local_port", ColumnType::Integer, "local port"}, int_of<cols, &S::local_port>},
        {{"remote_addr", ColumnType::Text, "remote address"}, ip_of<cols, &S::remote_addr>},
        {{"remote_port", ColumnType::Integer, "remote port"}, int_of<cols, &S::remote_port>},
        {{"bytes_sent", ColumnType::Integer, "bytes sent, at TCP close"}, int_of<cols, &S::bytes_sent>},
        {{"bytes_received", ColumnType::Integer, "bytes received, at TCP close"},
         int_of<cols, &S::bytes_received>},
    }};

const EventTableRegistration registration(table);

}  // namespace
}  // namespace zagent::tables

##! zagent: host events (process, socket, file, login, sensor) as Zeek
##! events, live from an agent or replayed from a journal; their logs; and
##! the process at each end of a connection in conn.log. See docs/zeek.md.
##!
##! Everything lives in module ZAgent (the public zeek-agent package uses
##! ZeekAgent and ZeekAgentAPI), so both packages can be loaded together.

@load ./types
@load ./events
@load ./decode
@load ./logs
@load ./conn
@load ./live
@load ./live_cluster

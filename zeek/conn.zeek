##! conn.log gets the process at each end of a connection.
##!
##! A socket event names a process and a 5-tuple seen from the host: local
##! address and port, remote address and port, the protocol in the ports.
##! The package keeps recent socket events by that tuple. When Zeek removes
##! a connection, the originator's process is the one whose socket has
##! local = (orig_h, orig_p) and remote = (resp_h, resp_p); the responder's
##! is the one with the tuple the other way round. So on loopback, where
##! both ends are local processes, the connecting side is the originator
##! and the accepting side the responder, as Zeek sees them.
##!
##! The join happens when the connection is removed, not when it starts:
##! under replay a socket event runs at the next packet after its recorded
##! time, and live it arrives with the agent's latency, so neither is
##! reliably there at new_connection. A socket event that arrives after its
##! connection was removed is not matched. docs/zeek.md ("conn.log") has
##! the rules, the order the replay must keep, and the limits.

@load base/protocols/conn
@load ./types
@load ./events

module ZAgent;

export {
	redef record Conn::Info += {
		## The host (agent) whose process owns the originator's socket.
		zagent_orig_host: string &log &optional;
		## That process (see :zeek:see:`ZAgent::process_uid`).
		zagent_orig_puid: string &log &optional;
		## Its process id.
		zagent_orig_pid: count &log &optional;
		## Its executable.
		zagent_orig_exe: string &log &optional;
		## Its arguments, when zagent saw it start (exec or snapshot).
		zagent_orig_argv: vector of string &log &optional;
		## Its (real) user id.
		zagent_orig_user_id: count &log &optional;

		## The same for the responder.
		zagent_resp_host: string &log &optional;
		zagent_resp_puid: string &log &optional;
		zagent_resp_pid: count &log &optional;
		zagent_resp_exe: string &log &optional;
		zagent_resp_argv: vector of string &log &optional;
		zagent_resp_user_id: count &log &optional;
	};

	## The process zagent saw at one end of a connection.
	type ConnProcess: record {
		host: string;
		boot_id: string;
		puid: string;
		pid: count;
		start_boot_ns: count;
		user_id: count;
		exe: string &optional;
		argv: vector of string &optional;
		socket_ts: time;             ##< The time of the socket event that matched.
		socket_action: string;       ##< Its action (connect, accept, send, close, existing, listen).
	};

	## Returns the process at the originator's (*is_orig* = T) or the
	## responder's end of *c*, from the socket events seen so far: an empty
	## vector when there is none, else one element. conn.log uses it when
	## the connection is removed; other scripts may call it any time.
	global connection_process: function(c: connection, is_orig: bool): vector of ConnProcess;

	## How long the sockets of a closed socket stay known, and a process
	## after its exit. Longer than Zeek's inactivity timeouts (TCP 5 min,
	## UDP 1 min), so that a connection is removed before its sockets are
	## forgotten.
	const socket_linger = 10 min &redef;

	## State not touched for this long is dropped: sockets and processes
	## whose close or exit zagent never saw (lost events).
	const state_expiry = 1 day &redef;

	## At most this many socket events are kept per 5-tuple (ports are
	## reused); the newest stay.
	const max_sockets_per_tuple = 8 &redef;
}

# What a socket event tells about its process.
type SocketSeen: record {
	ts: time;
	action: string;
	host: string;
	boot_id: string;
	pid: count;
	start_boot_ns: count;
	uid: count;
	exe: string;
};

# What exec, snapshot and fork events tell about a process.
type ProcessSeen: record {
	exe: string;
	argv: vector of string;
};

# Socket events by (local addr, local port, remote addr, remote port), oldest first.
global sockets: table[addr, port, addr, port] of vector of SocketSeen &read_expire=state_expiry;

# Listening (or bound, peerless) sockets by (local addr, local port): the
# fallback for a responder whose accept or send zagent did not see, e.g. a
# UDP server that never replied. Few, and removed at their close.
global listeners: table[addr, port] of SocketSeen;

# Processes by (host, boot_id, pid, start tick), for exe and argv. The
# start is compared in ticks (see ZAgent::start_tick_ns) so that a process
# known from a snapshot is found for its eBPF-recorded sockets.
global processes: table[string, string, count, count] of ProcessSeen &read_expire=state_expiry;

global forget_sockets: event(la: addr, lp: port, ra: addr, rp: port, upto: time);
global forget_listener: event(la: addr, lp: port, upto: time);
global forget_process: event(host: string, boot_id: string, pid: count, start_tick: count);

# --- Remembering -------------------------------------------------------
#
# Only while ZAgent::enrich_conn is on: the state serves conn.log alone,
# and it is most of what replay costs in time and memory.

event ZAgent::process_exec(e: ProcessExec)
	{
	if ( enrich_conn && "process_exec" in event_types )
		processes[e$host, e$boot_id, e$pid, e$start_boot_ns / start_tick_ns] =
			ProcessSeen($exe=e$exe, $argv=e$argv);
	}

event ZAgent::process_snapshot(e: ProcessExec)
	{
	if ( enrich_conn && "process_snapshot" in event_types )
		processes[e$host, e$boot_id, e$pid, e$start_boot_ns / start_tick_ns] =
			ProcessSeen($exe=e$exe, $argv=e$argv);
	}

event ZAgent::process_fork(e: ProcessFork)
	{
	if ( ! enrich_conn || "process_fork" !in event_types )
		return;

	# A child runs its parent's program until it execs. Its exec may have
	# been seen already (events in one batch share a time), so only fill in.
	local child_tick = e$start_boot_ns / start_tick_ns;
	local parent_tick = e$parent_start_boot_ns / start_tick_ns;

	if ( [e$host, e$boot_id, e$pid, child_tick] in processes )
		return;

	if ( [e$host, e$boot_id, e$ppid, parent_tick] !in processes )
		return;

	local parent = processes[e$host, e$boot_id, e$ppid, parent_tick];
	processes[e$host, e$boot_id, e$pid, child_tick] = ProcessSeen($exe=parent$exe, $argv=parent$argv);
	}

event ZAgent::process_exit(e: ProcessExit)
	{
	# Keep an exited process a while: its connections end after it does
	# (a short-lived client exits before Zeek removes its connection).
	if ( enrich_conn && "process_exit" in event_types )
		schedule socket_linger { ZAgent::forget_process(e$host, e$boot_id, e$pid,
		                                                e$start_boot_ns / start_tick_ns) };
	}

function remember_socket(la: addr, lp: port, ra: addr, rp: port, seen: SocketSeen)
	{
	# One lookup for a new tuple, two for a known one: this runs for most
	# replayed events.
	if ( [la, lp, ra, rp] !in sockets )
		{
		sockets[la, lp, ra, rp] = vector(seen);
		return;
		}

	# Vectors are shared by assignment: this appends to the table's vector.
	local seen_here = sockets[la, lp, ra, rp];
	seen_here += seen;

	if ( |seen_here| > max_sockets_per_tuple )
		sockets[la, lp, ra, rp] = seen_here[|seen_here| - max_sockets_per_tuple:];
	}

event ZAgent::socket_event(e: SocketEvent)
	{
	# pid 0: a snapshot socket whose owner the sensor did not find; it
	# names no process.
	if ( ! enrich_conn || "socket" !in event_types || e$pid == 0 )
		return;

	local seen = SocketSeen($ts=e$ts, $action=e$action, $host=e$host, $boot_id=e$boot_id,
	                        $pid=e$pid, $start_boot_ns=e$start_boot_ns, $uid=e$uid, $exe=e$exe);

	local peerless = unspecified(e$remote_addr) && port_to_count(e$remote_port) == 0;

	if ( peerless )
		{
		if ( e$action == "close" )
			schedule socket_linger { ZAgent::forget_listener(e$local_addr, e$local_port, e$ts) };
		else
			listeners[e$local_addr, e$local_port] = seen;

		return;
		}

	remember_socket(e$local_addr, e$local_port, e$remote_addr, e$remote_port, seen);

	if ( e$action == "close" )
		schedule socket_linger { ZAgent::forget_sockets(e$local_addr, e$local_port,
		                                                e$remote_addr, e$remote_port, e$ts) };
	}

# --- Forgetting --------------------------------------------------------
#
# While Zeek terminates it fires every pending timer, these included,
# before it removes the connections still open: forgetting then would hide
# their sockets from them. So nothing is forgotten once Zeek terminates.

event ZAgent::forget_sockets(la: addr, lp: port, ra: addr, rp: port, upto: time)
	{
	if ( zeek_is_terminating() || [la, lp, ra, rp] !in sockets )
		return;

	# Keep what came after the close: the tuple reused by a new socket.
	local kept: vector of SocketSeen = vector();
	local all_seen = sockets[la, lp, ra, rp];

	for ( i in all_seen )
		if ( all_seen[i]$ts > upto )
			kept += all_seen[i];

	if ( |kept| == 0 )
		delete sockets[la, lp, ra, rp];
	else
		sockets[la, lp, ra, rp] = kept;
	}

event ZAgent::forget_listener(la: addr, lp: port, upto: time)
	{
	if ( zeek_is_terminating() || [la, lp] !in listeners )
		return;

	# A newer listen on the same address and port stays.
	if ( listeners[la, lp]$ts <= upto )
		delete listeners[la, lp];
	}

event ZAgent::forget_process(host: string, boot_id: string, pid: count, start_tick: count)
	{
	if ( zeek_is_terminating() || [host, boot_id, pid, start_tick] !in processes )
		return;

	delete processes[host, boot_id, pid, start_tick];
	}

# --- Matching ----------------------------------------------------------

# The socket event of *candidates* that belongs to a connection spanning
# [start, stop]: its time lies within match_window of that span (connect
# and accept near the start, close near the end, existing in between),
# and among those the one closest to the start wins, so a port reused by a
# later connection does not claim an earlier one.
function closest_socket(candidates: vector of SocketSeen, start: time, stop: time): vector of SocketSeen
	{
	local best: vector of SocketSeen = vector();
	local best_gap = 0 secs;

	for ( i in candidates )
		{
		local s = candidates[i];

		if ( s$ts < start - match_window || s$ts > stop + match_window )
			next;

		local gap = s$ts >= start ? s$ts - start : start - s$ts;

		if ( |best| == 0 || gap < best_gap )
			{
			best = vector(s);
			best_gap = gap;
			}
		}

	return best;
	}

# The socket with local (la, lp) and remote (ra, rp) for a connection
# spanning [start, stop]. A socket that sent from an unbound address (UDP
# sendto) is recorded with local 0.0.0.0 or ::, so those are tried next.
function find_socket(la: addr, lp: port, ra: addr, rp: port, start: time, stop: time): vector of SocketSeen
	{
	local local_addrs = vector(la, 0.0.0.0, [::]);

	for ( i in local_addrs )
		{
		local a = local_addrs[i];

		if ( [a, lp, ra, rp] !in sockets )
			next;

		local found = closest_socket(sockets[a, lp, ra, rp], start, stop);

		if ( |found| > 0 )
			return found;
		}

	local none: vector of SocketSeen = vector();
	return none;
	}

# A socket listening on (la, lp), or on any address at lp, since before
# the connection ended.
function find_listener(la: addr, lp: port, stop: time): vector of SocketSeen
	{
	local local_addrs = vector(la, 0.0.0.0, [::]);
	local found: vector of SocketSeen = vector();

	for ( i in local_addrs )
		{
		local a = local_addrs[i];

		if ( [a, lp] in listeners && listeners[a, lp]$ts <= stop + match_window )
			{
			found += listeners[a, lp];
			break;
			}
		}

	return found;
	}

function describe_process(s: SocketSeen): ConnProcess
	{
	local p = ConnProcess($host=s$host, $boot_id=s$boot_id,
	                      $puid=process_uid(s$host, s$boot_id, s$pid, s$start_boot_ns),
	                      $pid=s$pid, $start_boot_ns=s$start_boot_ns, $user_id=s$uid,
	                      $socket_ts=s$ts, $socket_action=s$action);

	if ( s$exe != "" )
		p$exe = s$exe;

	local tick = s$start_boot_ns / start_tick_ns;

	if ( [s$host, s$boot_id, s$pid, tick] in processes )
		{
		local known = processes[s$host, s$boot_id, s$pid, tick];

		if ( ! p?$exe && known$exe != "" )
			p$exe = known$exe;

		if ( |known$argv| > 0 )
			p$argv = known$argv;
		}

	return p;
	}

function connection_process(c: connection, is_orig: bool): vector of ConnProcess
	{
	local id = c$id;
	local start = c$start_time;
	local stop = c$start_time + c$duration;
	local found: vector of SocketSeen = vector();

	if ( is_orig )
		found = find_socket(id$orig_h, id$orig_p, id$resp_h, id$resp_p, start, stop);
	else
		{
		found = find_socket(id$resp_h, id$resp_p, id$orig_h, id$orig_p, start, stop);

		if ( |found| == 0 )
			found = find_listener(id$resp_h, id$resp_p, stop);
		}

	local result: vector of ConnProcess = vector();

	if ( |found| > 0 )
		result += describe_process(found[0]);

	return result;
	}

# After base/protocols/conn fills c$conn (priority 5) and before it writes
# conn.log (priority -5).
event connection_state_remove(c: connection) &priority=-3
	{
	if ( ! enrich_conn || ! c?$conn )
		return;

	local orig = connection_process(c, T);

	if ( |orig| > 0 )
		{
		local o = orig[0];
		c$conn$zagent_orig_host = o$host;
		c$conn$zagent_orig_puid = o$puid;
		c$conn$zagent_orig_pid = o$pid;
		c$conn$zagent_orig_user_id = o$user_id;

		if ( o?$exe )
			c$conn$zagent_orig_exe = o$exe;

		if ( o?$argv )
			c$conn$zagent_orig_argv = o$argv;
		}

	local resp = connection_process(c, F);

	if ( |resp| > 0 )
		{
		local r = resp[0];
		c$conn$zagent_resp_host = r$host;
		c$conn$zagent_resp_puid = r$puid;
		c$conn$zagent_resp_pid = r$pid;
		c$conn$zagent_resp_user_id = r$user_id;

		if ( r?$exe )
			c$conn$zagent_resp_exe = r$exe;

		if ( r?$argv )
			c$conn$zagent_resp_argv = r$argv;
		}
	}

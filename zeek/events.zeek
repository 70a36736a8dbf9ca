##! The events of zagent's host events, one per event type, and the
##! package's options.
##!
##! The live agent raises these over Broker and ``zagent-replay``'s driver
##! raises them from decoded JSON, each when its recorded time is due; the
##! handlers in this package log them and remember sockets and processes
##! for conn.log. Handlers must use the record's ``ts``, never
##! ``network_time()``: under replay an event runs at the next packet after
##! its time, or at termination.

@load ./types

module ZAgent;

export {
	## A process executed a program.
	global process_exec: event(e: ProcessExec);

	## A process was created by fork/clone.
	global process_fork: event(e: ProcessFork);

	## A process ended.
	global process_exit: event(e: ProcessExit);

	## A process that already existed when a journal segment started. Every
	## segment opens with one per process, so a segment stands on its own.
	global process_snapshot: event(e: ProcessExec);

	## A socket was connected, accepted, listened on, closed, sent a first
	## UDP datagram to a peer, or existed when the segment started
	## (``e$action``).
	global socket_event: event(e: SocketEvent);

	## A watched path was created, opened for writing, unlinked, renamed or
	## chmod-ed (``e$action``).
	global file_event: event(e: FileEvent);

	## A user session started or ended (``e$action``).
	global login_event: event(e: LoginEvent);

	## The agent or the journal reported on itself (``e$action``).
	global sensor_event: event(e: SensorEvent);

	## The event types this Zeek processes, by the names ``zagent cat``
	## and ``zagent-replay --type`` use. A type left out is neither logged
	## nor used for conn.log; the replay driver skips it without decoding,
	## and a live subscription can leave it out.
	option event_types: set[string] = {
		"process_exec", "process_fork", "process_exit", "process_snapshot",
		"socket", "file", "login", "sensor"
	};

	## Whether the logs include the snapshots that open every journal
	## segment: ``process_snapshot`` events in zagent-process.log and
	## ``existing`` sockets in zagent-socket.log. They are used for
	## conn.log either way.
	option log_snapshots: bool = T;

	## Whether conn.log gets the zagent_orig_* and zagent_resp_* fields.
	option enrich_conn: bool = T;

	## How far a socket event's time may lie outside a connection's time
	## span (first packet to last) and still name its process. It absorbs
	## clock skew between the host and the packet capture; see
	## docs/zeek.md, "conn.log".
	option match_window: interval = 5 min;

	## Returns whether an event type (``process_exec``, ..., ``sensor``)
	## is in :zeek:see:`ZAgent::event_types`.
	global is_enabled: function(kind: string): bool;

	## The precision at which process start times are compared: one clock
	## tick of procfs (USER_HZ, 100 per second on Linux). Process snapshots
	## and the fallback sensor read a start from procfs in ticks, rounded
	## down, where the eBPF sensors have ns; compared in ticks, both name the
	## same process.
	const start_tick_ns = 10000000;

	## A short, stable name for a process, like Zeek's connection uid:
	## "P" and 17 hex digits of an MD5 over (host, boot_id, pid, start
	## tick). It is the same live and in replay, for a snapshot and for the
	## eBPF events of the same process, and links zagent-process.log,
	## zagent-socket.log, zagent-file.log and conn.log.
	global process_uid: function(host: string, boot_id: string, pid: count,
	                             start_boot_ns: count): string;
}

function is_enabled(kind: string): bool
	{
	return kind in event_types;
	}

# Replay calls this for most events: the Zagent::Replay plugin, when
# loaded, makes the same string natively, in less than half the time.
@ifdef ( ZAgentReplay::process_uid )
function process_uid(host: string, boot_id: string, pid: count,
                     start_boot_ns: count): string
	{
	return ZAgentReplay::process_uid(host, boot_id, pid, start_boot_ns / start_tick_ns);
	}
@else
function process_uid(host: string, boot_id: string, pid: count,
                     start_boot_ns: count): string
	{
	# The separator keeps ("ab", "c") and ("a", "bc") apart.
	local digest = md5_hash(fmt("%s|%s|%d|%d", host, boot_id, pid,
	                            start_boot_ns / start_tick_ns));
	return "P" + digest[:17];
	}
@endif

# Whether an address means "no address": the journal stores an unset
# address as 16 zero bytes (printed "::"), and the kernel's "any" IPv4
# address is 0.0.0.0. (Zeek treats ::ffff:0.0.0.0 as 0.0.0.0.)
function unspecified(a: addr): bool
	{
	return a == 0.0.0.0 || a == [::];
	}

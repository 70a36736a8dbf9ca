##! The record types of zagent's host events.
##!
##! One record type per event type, one record per event. The same records
##! arrive from a live agent (over Broker) and from ``zagent-replay`` (one
##! JSON object each, decoded with ``from_json(s, ZAgent::<Type>)``), so a
##! script written against them works in both modes. docs/zeek.md gives the
##! JSON form of every field ("Replay JSON").
##!
##! The fields mirror the journal's schema (schemas/events.fbs) and the JSON
##! of ``zagent cat`` (docs/json-format.md), with Zeek types where Zeek has
##! one: ``ts`` is a ``time``, addresses are ``addr``, ports are ``port``
##! (which carries the transport protocol), argv is a ``vector of string``.
##! Values are kept as recorded: an unset value stays what the journal
##! stores (0, "" or 4294967295); the logs, not the events, turn those into
##! unset log fields.
##!
##! Every field is required and in a fixed order: a live sender sends a
##! record as the list of its field values in this order. New fields are
##! only ever appended, as ``&optional``, so older senders stay valid.
##!
##! Actions, protocols and hash states are strings with the names
##! ``zagent cat`` prints, not enums: a journal written by a newer agent may
##! hold a value this package does not know ("unknown"), and an enum would
##! make ``from_json`` reject the whole event.

module ZAgent;

export {
	## One counter of a sensor event. A vector of these, not a table,
	## because ``from_json`` in Zeek 6 and 7 cannot build tables, and
	## because the journal keeps counters in order and does not
	## deduplicate their names.
	type SensorCounter: record {
		name: string;   ##< The counter's name, e.g. ``process_exec`` or ``jump_ns``.
		value: count;   ##< Unsigned; a signed quantity (``jump_ns``) is two's complement.
	};

	## A process that executed a program (``process_exec``), or that
	## already existed when its journal segment started
	## (``process_snapshot``: same fields).
	type ProcessExec: record {
		seq: count;                  ##< Per-host sequence number, strictly increasing in a journal.
		ts: time;                    ##< When it happened, on the host's clock.
		host: string;                ##< The host's name ("" when unknown).
		boot_id: string;             ##< The host's boot id (per journal segment; "" when unknown).
		pid: count;                  ##< Process id.
		ppid: count;                 ##< Parent's process id.
		start_boot_ns: count;        ##< Task start, ns since boot: (host, boot_id, pid, start_boot_ns) names the process.
		parent_start_boot_ns: count; ##< The parent's start_boot_ns.
		uid: count;                  ##< Real user id.
		gid: count;                  ##< Real group id.
		euid: count;                 ##< Effective user id.
		egid: count;                 ##< Effective group id.
		login_uid: count;            ##< Audit login uid; 4294967295 means unset.
		session_id: count;           ##< Audit session id; 4294967295 means unset.
		exe: string;                 ##< Path of the executable ("" when unreadable).
		argv: vector of string;      ##< Arguments, argv[0] first.
		argv_truncated: bool;        ##< T when argv was cut short.
		cwd: string;                 ##< Working directory.
		comm: string;                ##< The kernel's task name.
		tty: string;                 ##< Controlling terminal, "" when none.
		cgroup_id: count;            ##< cgroup v2 id.
		container_id: string;        ##< Container id, "" when none.
		exe_sha256: string;          ##< Lowercase hex SHA-256 of the executable, "" when not computed.
		exe_hash_status: string;     ##< One of not_computed, ok, missing, unreadable, too_large.
	};

	## A process created by fork/clone (``process_fork``).
	type ProcessFork: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		pid: count;                  ##< The child.
		ppid: count;                 ##< The parent.
		start_boot_ns: count;        ##< The child's start.
		parent_start_boot_ns: count; ##< The parent's start.
		uid: count;
		comm: string;
	};

	## A process that ended (``process_exit``).
	type ProcessExit: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		pid: count;
		start_boot_ns: count;
		exit_code: int;              ##< Exit status.
		signal: int;                 ##< The terminating signal, 0 for a normal exit.
		duration_ns: int;            ##< From start to exit; -1 when unknown.
		comm: string;
	};

	## A socket event (``socket``): connect, accept, listen, close, send (a
	## UDP datagram to a peer not seen before on that socket) or existing
	## (open when the segment started).
	type SocketEvent: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		action: string;              ##< connect, accept, listen, close, send, existing (or unknown).
		protocol: string;            ##< tcp or udp (or unknown); the ports carry it too.
		pid: count;                  ##< The owning process; 0 when unknown.
		start_boot_ns: count;        ##< Of the process.
		uid: count;
		comm: string;
		exe: string;
		local_addr: addr;            ##< :: or 0.0.0.0 when unbound or bound to any address.
		local_port: port;            ##< 0 when not yet bound.
		remote_addr: addr;           ##< :: or 0.0.0.0 when there is no peer (listen).
		remote_port: port;           ##< 0 when there is no peer.
		bytes_sent: count;           ##< At close, where the kernel has it; otherwise 0.
		bytes_received: count;       ##< At close, where the kernel has it; otherwise 0.
	};

	## A file event on a watched path (``file``).
	type FileEvent: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		action: string;              ##< create, write_open, unlink, rename, chmod (or unknown).
		pid: count;
		start_boot_ns: count;
		uid: count;
		comm: string;
		exe: string;
		path: string;
		new_path: string;            ##< The target of a rename; otherwise "".
		mode: count;                 ##< For create and chmod (420 is 0644); otherwise 0.
	};

	## A user session starting or ending (``login``), from utmp/wtmp.
	type LoginEvent: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		action: string;              ##< start or end (or unknown).
		user: string;
		tty: string;
		remote_host: string;         ##< The remote host as recorded, as text.
		remote_addr: addr;           ##< :: when none.
		pid: count;
		session_id: count;
	};

	## The agent's and the journal's own health (``sensor``): lets a
	## responder tell a quiet host from a blind sensor.
	type SensorEvent: record {
		seq: count;
		ts: time;
		host: string;
		boot_id: string;
		action: string;              ##< agent_start, agent_stop, sensor_attached, sensor_degraded, events_lost, clock_jump, journal_rotated, journal_recovered, retention_deleted, write_paused, write_resumed, stream_gap (or unknown).
		sensor: string;              ##< Which sensor; the journal writer uses "journal".
		message: string;             ##< Free text.
		counters: vector of SensorCounter; ##< In stored order; names may repeat.
	};
}

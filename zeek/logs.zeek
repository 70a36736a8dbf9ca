##! The five zagent logs: zagent-process.log, zagent-socket.log,
##! zagent-file.log, zagent-login.log and zagent-sensor.log.
##!
##! Each line is one host event, stamped with the event's recorded ``ts``
##! (the host's clock), never ``network_time()``: under replay an event runs
##! at the next packet after its time or at termination, and live it runs
##! when it arrives. Values the journal stores as "none" (0, "" or
##! 4294967295) are left unset, so they show as ``-`` in ASCII logs and are
##! absent in JSON logs.
##!
##! Unix user and group ids are ``user_id``, ``group_id``, ...: in Zeek logs
##! a field called ``uid`` is a connection's unique id, and tools pivot on it.

@load base/frameworks/logging
@load ./types
@load ./events

module ZAgent;

export {
	redef enum Log::ID += { PROCESS_LOG, SOCKET_LOG, FILE_LOG, LOGIN_LOG, SENSOR_LOG };

	## Policy hooks of the five streams (see :zeek:see:`Log::PolicyHook`).
	global log_policy_process: Log::PolicyHook;
	global log_policy_socket: Log::PolicyHook;
	global log_policy_file: Log::PolicyHook;
	global log_policy_login: Log::PolicyHook;
	global log_policy_sensor: Log::PolicyHook;

	## A line of zagent-process.log: one exec, fork, exit or snapshot.
	type ProcessInfo: record {
		ts: time                       &log; ##< The event's recorded time.
		host: string                   &log; ##< The host's name.
		seq: count                     &log; ##< The event's sequence number on that host.
		boot_id: string                &log &optional; ##< The host's boot id.
		puid: string                   &log; ##< The process (see :zeek:see:`ZAgent::process_uid`).
		action: string                 &log; ##< exec, fork, exit or snapshot.
		pid: count                     &log;
		ppid: count                    &log &optional;
		parent_puid: string            &log &optional; ##< The parent process, when its start is known.
		start_boot_ns: count           &log; ##< Task start, ns since boot.
		user_id: count                 &log &optional; ##< Real uid (exec, snapshot, fork).
		group_id: count                &log &optional; ##< Real gid.
		effective_user_id: count       &log &optional;
		effective_group_id: count      &log &optional;
		login_user_id: count           &log &optional; ##< Audit login uid, when set.
		session_id: count              &log &optional; ##< Audit session id, when set.
		exe: string                    &log &optional;
		argv: vector of string         &log &optional;
		argv_truncated: bool           &log &optional; ##< Present (T) only when argv was cut short.
		cwd: string                    &log &optional;
		comm: string                   &log &optional;
		tty: string                    &log &optional;
		cgroup_id: count               &log &optional;
		container_id: string           &log &optional;
		exe_sha256: string             &log &optional;
		exe_hash_status: string        &log &optional;
		exit_code: int                 &log &optional; ##< exit only.
		signal: int                    &log &optional; ##< exit only; set when a signal ended it.
		duration: interval             &log &optional; ##< exit only; from start to exit, when known.
	};

	## A line of zagent-socket.log.
	type SocketInfo: record {
		ts: time                       &log;
		host: string                   &log;
		seq: count                     &log;
		puid: string                   &log &optional; ##< The owning process, when known.
		action: string                 &log; ##< connect, accept, listen, close, send or existing.
		proto: transport_proto         &log; ##< From the ports.
		local_h: addr                  &log;
		local_p: port                  &log;
		remote_h: addr                 &log &optional; ##< Unset when there is no peer.
		remote_p: port                 &log &optional;
		pid: count                     &log &optional; ##< Unset when the owner is unknown.
		user_id: count                 &log &optional; ##< The owner's uid, when the owner is known.
		comm: string                   &log &optional;
		exe: string                    &log &optional;
		bytes_sent: count              &log &optional; ##< close only.
		bytes_received: count          &log &optional; ##< close only.
	};

	## A line of zagent-file.log.
	type FileInfo: record {
		ts: time                       &log;
		host: string                   &log;
		seq: count                     &log;
		puid: string                   &log;
		action: string                 &log; ##< create, write_open, unlink, rename or chmod.
		path: string                   &log;
		new_path: string               &log &optional; ##< rename only.
		mode: string                   &log &optional; ##< create and chmod, in octal ("0644").
		pid: count                     &log;
		user_id: count                 &log;
		comm: string                   &log &optional;
		exe: string                    &log &optional;
	};

	## A line of zagent-login.log.
	type LoginInfo: record {
		ts: time                       &log;
		host: string                   &log;
		seq: count                     &log;
		action: string                 &log; ##< start or end.
		user: string                   &log &optional;
		tty: string                    &log &optional;
		remote_host: string            &log &optional;
		remote_addr: addr              &log &optional;
		pid: count                     &log &optional;
		session_id: count              &log &optional;
	};

	## A line of zagent-sensor.log.
	type SensorInfo: record {
		ts: time                       &log;
		host: string                   &log;
		seq: count                     &log;
		boot_id: string                &log &optional;
		action: string                 &log;
		sensor: string                 &log &optional;
		message: string                &log &optional;
		counter_names: vector of string &log &optional; ##< Counter names, in stored order ...
		counter_values: vector of count &log &optional; ##< ... and their values, in the same order.
	};

	## Raised for every line written, as Zeek's logs do.
	global log_process: event(rec: ProcessInfo);
	global log_socket: event(rec: SocketInfo);
	global log_file: event(rec: FileInfo);
	global log_login: event(rec: LoginInfo);
	global log_sensor: event(rec: SensorInfo);
}

# The journal's "none" for 32-bit ids (login_uid, session_id).
const unset_u32 = 4294967295;

event zeek_init() &priority=5
	{
	Log::create_stream(PROCESS_LOG, Log::Stream($columns=ProcessInfo, $ev=log_process,
	                   $path="zagent-process", $policy=log_policy_process));
	Log::create_stream(SOCKET_LOG, Log::Stream($columns=SocketInfo, $ev=log_socket,
	                   $path="zagent-socket", $policy=log_policy_socket));
	Log::create_stream(FILE_LOG, Log::Stream($columns=FileInfo, $ev=log_file,
	                   $path="zagent-file", $policy=log_policy_file));
	Log::create_stream(LOGIN_LOG, Log::Stream($columns=LoginInfo, $ev=log_login,
	                   $path="zagent-login", $policy=log_policy_login));
	Log::create_stream(SENSOR_LOG, Log::Stream($columns=SensorInfo, $ev=log_sensor,
	                   $path="zagent-sensor", $policy=log_policy_sensor));
	}

# How each line is made from its event. The Zagent::Replay plugin, when
# loaded, makes the very same lines natively (zeek/plugin/src/
# log_records.h): in script, they cost more than the replay and Log::write
# together.
@ifdef ( ZAgentReplay::process_info )
function exec_info(e: ProcessExec, action: string): ProcessInfo
	{
	return ZAgentReplay::process_info(e, action) as ProcessInfo;
	}

function fork_info(e: ProcessFork): ProcessInfo
	{
	return ZAgentReplay::process_info(e, "fork") as ProcessInfo;
	}

function exit_info(e: ProcessExit): ProcessInfo
	{
	return ZAgentReplay::process_info(e, "exit") as ProcessInfo;
	}

function socket_info(e: SocketEvent): SocketInfo
	{
	return ZAgentReplay::socket_info(e) as SocketInfo;
	}

function file_info(e: FileEvent): FileInfo
	{
	return ZAgentReplay::file_info(e) as FileInfo;
	}

function login_info(e: LoginEvent): LoginInfo
	{
	return ZAgentReplay::login_info(e) as LoginInfo;
	}

function sensor_info(e: SensorEvent): SensorInfo
	{
	return ZAgentReplay::sensor_info(e) as SensorInfo;
	}
@else
# A mode as the octal digits chmod takes, at least four: 420 -> "0644".
function octal_mode(mode: count): string
	{
	# Permission bits, nearly all of them: one fmt, not one per digit.
	if ( mode < 4096 )
		return fmt("%d%d%d%d", mode / 512, mode / 64 % 8, mode / 8 % 8, mode % 8);

	local digits = "";
	local rest = mode;

	while ( rest > 0 || ( |digits| < 4 ) )
		{
		digits = fmt("%d", rest % 8) + digits;
		rest = rest / 8;
		}

	return digits;
	}

# The fields exec and snapshot share.
function exec_info(e: ProcessExec, action: string): ProcessInfo
	{
	local rec = ProcessInfo($ts=e$ts, $host=e$host, $seq=e$seq,
	                        $puid=process_uid(e$host, e$boot_id, e$pid, e$start_boot_ns),
	                        $action=action, $pid=e$pid, $start_boot_ns=e$start_boot_ns);

	if ( e$boot_id != "" )
		rec$boot_id = e$boot_id;

	rec$ppid = e$ppid;

	# A parent start of 0 means the sensor did not know the parent.
	if ( e$parent_start_boot_ns != 0 )
		rec$parent_puid = process_uid(e$host, e$boot_id, e$ppid, e$parent_start_boot_ns);

	rec$user_id = e$uid;
	rec$group_id = e$gid;
	rec$effective_user_id = e$euid;
	rec$effective_group_id = e$egid;

	if ( e$login_uid != unset_u32 )
		rec$login_user_id = e$login_uid;

	if ( e$session_id != unset_u32 )
		rec$session_id = e$session_id;

	if ( e$exe != "" )
		rec$exe = e$exe;

	if ( |e$argv| > 0 )
		rec$argv = e$argv;

	if ( e$argv_truncated )
		rec$argv_truncated = T;

	if ( e$cwd != "" )
		rec$cwd = e$cwd;

	if ( e$comm != "" )
		rec$comm = e$comm;

	if ( e$tty != "" )
		rec$tty = e$tty;

	if ( e$cgroup_id != 0 )
		rec$cgroup_id = e$cgroup_id;

	if ( e$container_id != "" )
		rec$container_id = e$container_id;

	if ( e$exe_sha256 != "" )
		rec$exe_sha256 = e$exe_sha256;

	rec$exe_hash_status = e$exe_hash_status;
	return rec;
	}

function fork_info(e: ProcessFork): ProcessInfo
	{
	local rec = ProcessInfo($ts=e$ts, $host=e$host, $seq=e$seq,
	                        $puid=process_uid(e$host, e$boot_id, e$pid, e$start_boot_ns),
	                        $action="fork", $pid=e$pid, $start_boot_ns=e$start_boot_ns);

	if ( e$boot_id != "" )
		rec$boot_id = e$boot_id;

	rec$ppid = e$ppid;

	if ( e$parent_start_boot_ns != 0 )
		rec$parent_puid = process_uid(e$host, e$boot_id, e$ppid, e$parent_start_boot_ns);

	rec$user_id = e$uid;

	if ( e$comm != "" )
		rec$comm = e$comm;
	return rec;
	}

function exit_info(e: ProcessExit): ProcessInfo
	{
	local rec = ProcessInfo($ts=e$ts, $host=e$host, $seq=e$seq,
	                        $puid=process_uid(e$host, e$boot_id, e$pid, e$start_boot_ns),
	                        $action="exit", $pid=e$pid, $start_boot_ns=e$start_boot_ns);

	if ( e$boot_id != "" )
		rec$boot_id = e$boot_id;

	if ( e$comm != "" )
		rec$comm = e$comm;

	rec$exit_code = e$exit_code;

	if ( e$signal != 0 )
		rec$signal = e$signal;

	# -1 means the sensor did not know when the process started.
	if ( e$duration_ns >= 0 )
		rec$duration = double_to_interval(int_to_double(e$duration_ns) / 1e9);
	return rec;
	}

function socket_info(e: SocketEvent): SocketInfo
	{
	local rec = SocketInfo($ts=e$ts, $host=e$host, $seq=e$seq, $action=e$action,
	                       $proto=get_port_transport_proto(e$local_port),
	                       $local_h=e$local_addr, $local_p=e$local_port);

	# pid 0: the sensor could not tell which process owns the socket
	# (a snapshot socket whose owner was not found).
	if ( e$pid != 0 )
		{
		rec$pid = e$pid;
		rec$puid = process_uid(e$host, e$boot_id, e$pid, e$start_boot_ns);
		rec$user_id = e$uid;
		}

	if ( ! unspecified(e$remote_addr) || port_to_count(e$remote_port) != 0 )
		{
		rec$remote_h = e$remote_addr;
		rec$remote_p = e$remote_port;
		}

	if ( e$comm != "" )
		rec$comm = e$comm;

	if ( e$exe != "" )
		rec$exe = e$exe;

	if ( e$action == "close" )
		{
		rec$bytes_sent = e$bytes_sent;
		rec$bytes_received = e$bytes_received;
		}
	return rec;
	}

function file_info(e: FileEvent): FileInfo
	{
	local rec = FileInfo($ts=e$ts, $host=e$host, $seq=e$seq,
	                     $puid=process_uid(e$host, e$boot_id, e$pid, e$start_boot_ns),
	                     $action=e$action, $path=e$path, $pid=e$pid, $user_id=e$uid);

	if ( e$new_path != "" )
		rec$new_path = e$new_path;

	if ( e$action == "create" || e$action == "chmod" )
		rec$mode = octal_mode(e$mode);

	if ( e$comm != "" )
		rec$comm = e$comm;

	if ( e$exe != "" )
		rec$exe = e$exe;
	return rec;
	}

function login_info(e: LoginEvent): LoginInfo
	{
	local rec = LoginInfo($ts=e$ts, $host=e$host, $seq=e$seq, $action=e$action);

	if ( e$user != "" )
		rec$user = e$user;

	if ( e$tty != "" )
		rec$tty = e$tty;

	if ( e$remote_host != "" )
		rec$remote_host = e$remote_host;

	if ( ! unspecified(e$remote_addr) )
		rec$remote_addr = e$remote_addr;

	if ( e$pid != 0 )
		rec$pid = e$pid;

	if ( e$session_id != 0 && e$session_id != unset_u32 )
		rec$session_id = e$session_id;
	return rec;
	}

function sensor_info(e: SensorEvent): SensorInfo
	{
	local rec = SensorInfo($ts=e$ts, $host=e$host, $seq=e$seq, $action=e$action);

	if ( e$boot_id != "" )
		rec$boot_id = e$boot_id;

	if ( e$sensor != "" )
		rec$sensor = e$sensor;

	if ( e$message != "" )
		rec$message = e$message;

	if ( |e$counters| > 0 )
		{
		local names: vector of string = vector();
		local values: vector of count = vector();

		for ( i in e$counters )
			{
			names += e$counters[i]$name;
			values += e$counters[i]$value;
			}

		rec$counter_names = names;
		rec$counter_values = values;
		}
	return rec;
	}
@endif

event ZAgent::process_exec(e: ProcessExec)
	{
	if ( "process_exec" !in event_types )
		return;

	Log::write(PROCESS_LOG, exec_info(e, "exec"));
	}

event ZAgent::process_snapshot(e: ProcessExec)
	{
	if ( "process_snapshot" !in event_types || ! log_snapshots )
		return;

	Log::write(PROCESS_LOG, exec_info(e, "snapshot"));
	}

event ZAgent::process_fork(e: ProcessFork)
	{
	if ( "process_fork" !in event_types )
		return;

	Log::write(PROCESS_LOG, fork_info(e));
	}

event ZAgent::process_exit(e: ProcessExit)
	{
	if ( "process_exit" !in event_types )
		return;

	Log::write(PROCESS_LOG, exit_info(e));
	}

event ZAgent::socket_event(e: SocketEvent)
	{
	if ( "socket" !in event_types )
		return;

	if ( e$action == "existing" && ! log_snapshots )
		return;

	Log::write(SOCKET_LOG, socket_info(e));
	}

event ZAgent::file_event(e: FileEvent)
	{
	if ( "file" !in event_types )
		return;

	Log::write(FILE_LOG, file_info(e));
	}

event ZAgent::login_event(e: LoginEvent)
	{
	if ( "login" !in event_types )
		return;

	Log::write(LOGIN_LOG, login_info(e));
	}

event ZAgent::sensor_event(e: SensorEvent)
	{
	if ( "sensor" !in event_types )
		return;

	Log::write(SENSOR_LOG, sensor_info(e));
	}

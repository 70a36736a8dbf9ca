##! One event line, its kind and its JSON (docs/zeek.md, "Replay JSON"),
##! raised as the package's event: the one decoding path of zagent-replay's
##! driver and of the live host event stream, so that a replayed event and
##! a live one carry the same record.

module ZAgent;

export {
	## Raises the event ``json`` holds as the package's event of ``kind``
	## (``process_exec``, ``socket``, ...) when that kind is enabled.
	## Returns F when the JSON does not decode as the kind's record (the
	## caller reports it); T otherwise, also for a disabled or unknown kind.
	global raise_json: function(kind: string, json: string): bool;
}

function raise_json(kind: string, json: string): bool
	{
	if ( ! is_enabled(kind) )
		return T;
	local r: from_json_result;
	switch ( kind ) {
	case "process_exec":
		r = from_json(json, ProcessExec);
		if ( r$valid ) event process_exec(r$v as ProcessExec);
		break;
	case "process_snapshot":
		r = from_json(json, ProcessExec);
		if ( r$valid ) event process_snapshot(r$v as ProcessExec);
		break;
	case "process_fork":
		r = from_json(json, ProcessFork);
		if ( r$valid ) event process_fork(r$v as ProcessFork);
		break;
	case "process_exit":
		r = from_json(json, ProcessExit);
		if ( r$valid ) event process_exit(r$v as ProcessExit);
		break;
	case "socket":
		r = from_json(json, SocketEvent);
		if ( r$valid ) event socket_event(r$v as SocketEvent);
		break;
	case "file":
		r = from_json(json, FileEvent);
		if ( r$valid ) event file_event(r$v as FileEvent);
		break;
	case "login":
		r = from_json(json, LoginEvent);
		if ( r$valid ) event login_event(r$v as LoginEvent);
		break;
	case "sensor":
		r = from_json(json, SensorEvent);
		if ( r$valid ) event sensor_event(r$v as SensorEvent);
		break;
	default:
		return T;
	}
	return r$valid;
	}

##! bench/replay-zeek's ceiling: Zeek alone writing N lines (default
##! 500000) shaped like zagent-file.log's, in a loop in zeek_init: no
##! events, no packets, no replay. What the logging framework and its
##! ASCII writer can take on this machine bounds any replay that writes
##! one line per event.
##!
##!   zeek -b bench/zeek-log-ceiling.zeek ZAgentCeiling::lines=500000

module ZAgentCeiling;

export {
	redef enum Log::ID += { LOG };
	const lines = 500000 &redef;

	type Info: record {
		ts: time &log;
		host: string &log;
		seq: count &log;
		puid: string &log;
		action: string &log;
		path: string &log;
		new_path: string &log &optional;
		mode: string &log &optional;
		pid: count &log;
		user_id: count &log;
		comm: string &log &optional;
		exe: string &log &optional;
	};
}

event zeek_init()
	{
	Log::create_stream(LOG, Log::Stream($columns=Info, $path="zagent-ceiling"));
	local t = double_to_time(1796001941.0);
	local n = 0;

	while ( n < lines )
		{
		Log::write(LOG, Info($ts=t, $host="host-1", $seq=n, $puid="P59e02d22fba03e586",
		                     $action="write_open", $path="/etc/hosts", $pid=1234 + n % 20,
		                     $user_id=1000, $comm="bash", $exe="/usr/bin/bash"));
		++n;
		}
	}

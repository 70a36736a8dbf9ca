##! Live host events in a Zeek cluster. Agents connect to the manager (the
##! one node that runs the WebSocket server and subscribes them, see
##! live.zeek); it raises and logs every host event once. A worker sees the
##! connections, so conn.log's zagent fields are filled there: the manager
##! relays the events the conn.log enrichment needs (sockets and processes)
##! to every worker, which remembers them but logs none of them (the
##! manager does). Which worker sees which connection depends on the
##! cluster's load balancing, so every worker gets every relayed event.
##! docs/live.md, "A Zeek cluster", gives the topics and costs.

@load base/frameworks/cluster
@load base/misc/version
@load ./events
@load ./decode
@load ./logs
@load ./live

module ZAgent;

export {
	## The event types the manager relays to the workers: those conn.log's
	## enrichment uses. Each costs one more message per batch and worker.
	option live_relay_types: set[string] = {
		"process_exec", "process_fork", "process_exit", "process_snapshot", "socket"
	};

	## Manager to workers: LINES (as in ``events_v1``, already past the
	## manager's exactly-once check) for conn.log.
	global relay_v1: event(agent_id: string, lines: string);
}

hook live_lines_raised(agent_id: string, lines: vector of string)
	{
	if ( ! Cluster::is_enabled() )
		return;
	local relayed: vector of string;
	for ( _, line in lines )
		if ( split_string1(line, /\t/)[0] in live_relay_types )
			relayed += line;
	if ( |relayed| == 0 )
		return;
@if ( Version::number >= 80000 )
	Cluster::publish(Cluster::worker_topic, relay_v1, agent_id, join_string_vec(relayed, "\n"));
@else
	Broker::publish(Cluster::worker_topic, relay_v1, agent_id, join_string_vec(relayed, "\n"));
@endif
	}

event relay_v1(agent_id: string, lines: string)
	{
	if ( ! live || takes_agents() )
		return;
	for ( _, line in split_string(lines, /\n/) )
		{
		local fields = split_string_n(line, /\t/, F, 2);
		if ( |fields| == 3 )
			raise_json(fields[0], fields[2]);
		}
	}

# A worker raises relayed events for conn.log only: the manager logs them.
hook log_policy_process(rec: ProcessInfo, id: Log::ID, filter: Log::Filter)
	{
	if ( live && ! takes_agents() )
		break;
	}

hook log_policy_socket(rec: SocketInfo, id: Log::ID, filter: Log::Filter)
	{
	if ( live && ! takes_agents() )
		break;
	}

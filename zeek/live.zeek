##! Live host events: with ``redef ZAgent::live = T;`` this Zeek runs a
##! WebSocket server for agents (unless the zeek-agent package already runs
##! one), subscribes every agent that says hello to its host event stream,
##! raises each streamed event as the package's event (through
##! :zeek:see:`ZAgent::raise_json`, as replay does) exactly once, and
##! acknowledges what it raised. The protocol is docs/protocol.md, "zagent's
##! host event stream"; the deployment docs/live.md.
##!
##! Exactly once: the agent keeps this Zeek's acknowledged ``seq`` on disk
##! and resumes after it; this script keeps the highest ``seq`` it raised per
##! agent and drops anything at or below it, so a batch sent again after a
##! lost acknowledgement is raised once. What Zeek raised but could not
##! acknowledge before it died (at most :zeek:see:`ZAgent::live_ack_interval`
##! or half a window of events) comes again after its restart.
##!
##! Everything the stream says about itself (subscriptions, gaps, errors,
##! lines that do not decode) goes to zagent-live.log.

@load base/frameworks/logging
@load base/frameworks/broker
@load base/frameworks/cluster
@load base/misc/version
@load ./events
@load ./decode

module ZAgent;

export {
	## Whether this Zeek takes live host events from agents.
	option live = F;

	## The name under which this Zeek subscribes, the same across its
	## restarts: the agent keeps the acknowledged position under it. Two
	## Zeeks that take the same agents' events need two names.
	option live_subscriber = "zeek";

	## Whether to start the WebSocket server agents connect to (Zeek 5-7:
	## ``Broker::listen_websocket``). It is not started when the public
	## zeek-agent package is loaded: that package runs one, and both
	## packages' agents share it. On Zeek 8 the server belongs to the
	## cluster backend: load ``frameworks/cluster/websocket/server`` (one
	## Zeek) or set ``UseWebSocket`` (zeekctl) instead; docs/live.md.
@if ( Version::number >= 80000 )
	option live_listen = F;
@else
	option live_listen = T;
@endif

	## Where the WebSocket server listens (Zeek 8: ``Cluster::listen_websocket``,
	## which needs a cluster backend; Zeek 5-7: ``Broker::listen_websocket``,
	## TLS unless ``Broker::disable_ssl``).
	option live_address = "127.0.0.1";
@if ( Version::number >= 80000 )
	option live_port = 27759/tcp;
@else
	option live_port = 9997/tcp;
@endif

	## The most ``seq`` numbers in flight unacknowledged per agent (the
	## agent caps it at 10,000). This Zeek acknowledges when half of it is
	## raised, and at least every :zeek:see:`ZAgent::live_ack_interval`.
	option live_window: count = 10000;

	## Per event type, an SQL condition over that type's event table
	## (docs/tables.md) that the agent applies before it sends: only the
	## events it selects come, e.g. ``["socket"] = "remote_port = 443"``,
	## ``["process_exec"] = "exe LIKE '/usr/bin/%'"``. One condition, no
	## ``;``. Types without one come whole.
	option live_filters: table[string] of string = table();

	## How long raised events may wait for their acknowledgement.
	option live_ack_interval: interval = 1 sec;

	## Whether this node takes agents (and logs their events): one Zeek
	## alone, or a cluster's manager (live_cluster.zeek).
	global takes_agents: function(): bool;

	## Called with the lines of each batch raised (past the exactly-once
	## check), in a cluster only: live_cluster.zeek relays them to the
	## workers.
	global live_lines_raised: hook(agent_id: string, lines: vector of string);

	## A gap: events ``first_seq`` to ``last_seq`` of the agent were
	## deleted by the agent's retention before this Zeek had them.
	global live_gap: event(agent_id: string, first_seq: count, last_seq: count);

	redef enum Log::ID += { LIVE_LOG };
	global log_policy_live: Log::PolicyHook;

	## A line of zagent-live.log.
	type LiveInfo: record {
		ts: time             &log;
		agent_id: string     &log;
		host: string         &log &optional; ##< The agent's host name, from its hello.
		action: string       &log; ##< subscribed, gap, error, undecodable, out_of_order.
		first_seq: count     &log &optional;
		last_seq: count      &log &optional;
		message: string      &log &optional;
	};

	# The wire events (docs/protocol.md), agent to Zeek...
	global hello_v1: event(agent_id: string, session: string, hostname: string);
	global events_v1: event(agent_id: string, subscriber: string, first_seq: count,
	                        last_seq: count, lines: string);
	global gap_v1: event(agent_id: string, subscriber: string, first_seq: count, last_seq: count);
	global error_v1: event(agent_id: string, subscriber: string, message: string);
	# ... and Zeek to agent.
	global subscribe_v1: event(subscriber: string, kinds: set[string], window: count,
	                           filters: table[string] of string);
	global ack_v1: event(subscriber: string, seq: count);
	global unsubscribe_v1: event(subscriber: string);
}

type AgentState: record {
	session: string;        # the connection the subscription was sent on
	host: string;
	raised: count &optional;  # the highest seq raised (or past by a gap)
	acked: count &optional;   # the highest seq acknowledged
	resubscribed: count &optional;  # raised when a lost batch made us subscribe again
};

global agents: table[string] of AgentState;

function takes_agents(): bool
	{
	return ! Cluster::is_enabled() || Cluster::local_node_type() == Cluster::MANAGER;
	}

function stream_topic(agent_id: string): string
	{
	return "/zagent/stream/host/" + agent_id;
	}

function live_log(agent_id: string, action: string, first: count, last: count, message: string)
	{
	local info = LiveInfo($ts=current_time(), $agent_id=agent_id, $action=action);
	if ( agent_id in agents )
		info$host = agents[agent_id]$host;
	if ( first > 0 || last > 0 )
		{
		info$first_seq = first;
		info$last_seq = last;
		}
	if ( message != "" )
		info$message = message;
	Log::write(LIVE_LOG, info);
	}

function send_subscribe(agent_id: string)
	{
@if ( Version::number >= 80000 )
	Cluster::publish(stream_topic(agent_id), subscribe_v1, live_subscriber, event_types, live_window,
	                 live_filters);
@else
	Broker::publish(stream_topic(agent_id), subscribe_v1, live_subscriber, event_types, live_window,
	                live_filters);
@endif
	}

function send_ack(agent_id: string)
	{
	local a = agents[agent_id];
	if ( ! a?$raised || (a?$acked && a$acked >= a$raised) )
		return;
@if ( Version::number >= 80000 )
	Cluster::publish(stream_topic(agent_id), ack_v1, live_subscriber, a$raised);
@else
	Broker::publish(stream_topic(agent_id), ack_v1, live_subscriber, a$raised);
@endif
	a$acked = a$raised;
	}

global ack_due: event();

event ZAgent::ack_due()
	{
	for ( agent_id in agents )
		send_ack(agent_id);
	schedule live_ack_interval { ZAgent::ack_due() };
	}

event hello_v1(agent_id: string, session: string, hostname: string)
	{
	# The agent says hello on every connection and again now and then;
	# a new connection (a restart of either side, a network drop) has
	# lost its subscription.
	if ( agent_id in agents && agents[agent_id]$session == session )
		return;
	if ( agent_id in agents )
		{
		agents[agent_id]$session = session;
		agents[agent_id]$host = hostname;
		}
	else
		agents[agent_id] = AgentState($session=session, $host=hostname);
	send_subscribe(agent_id);
	live_log(agent_id, "subscribed", 0, 0, fmt("as %s", live_subscriber));
	}

# The seq of a line's JSON, which starts with it (docs/json-format.md:
# the common fields first, seq the first of them).
function line_seq(json: string): count
	{
	local head = split_string1(json, /,/)[0];
	if ( head[:7] != "{\"seq\":" )
		return 0;  # no seq: the caller reports the line
	return to_count(head[7:]);
	}

event events_v1(agent_id: string, subscriber: string, first_seq: count, last_seq: count,
                lines: string)
	{
	if ( subscriber != live_subscriber || agent_id !in agents )
		return;
	local a = agents[agent_id];
	if ( a?$raised && last_seq <= a$raised )
		return;  # all of it raised already
	if ( a?$raised && first_seq > a$raised + 1 )
		{
		# The old subscription's batches still on the way after we
		# subscribed again: wait for the new one's.
		if ( a?$resubscribed && a$resubscribed == a$raised )
			return;
		a$resubscribed = a$raised;
		# Batches follow one another seq by seq, and a gap comes before
		# its batch: something was lost on the way. Start again from
		# the acknowledged position.
		live_log(agent_id, "out_of_order", a$raised + 1, first_seq - 1,
		         "batch did not follow the last one raised; subscribing again");
		send_ack(agent_id);
		send_subscribe(agent_id);
		return;
		}
	local check_seq = a?$raised && first_seq <= a$raised;
	local relay = Cluster::is_enabled();
	local raised: vector of string;
	if ( lines != "" )
		{
		for ( _, line in split_string(lines, /\n/) )
			{
			local fields = split_string_n(line, /\t/, F, 2);
			if ( |fields| != 3 )
				{
				live_log(agent_id, "undecodable", 0, 0, "not KIND<TAB>SECONDS<TAB>JSON: " + line[:200]);
				next;
				}
			if ( check_seq )
				{
				local seq = line_seq(fields[2]);
				if ( seq == 0 )
					{
					live_log(agent_id, "undecodable", 0, 0, "no seq first: " + line[:200]);
					next;
					}
				if ( seq <= a$raised )
					next;
				}
			if ( ! raise_json(fields[0], fields[2]) )
				live_log(agent_id, "undecodable", 0, 0, fields[0] + ": " + fields[2][:200]);
			else if ( relay )
				raised += line;
			}
		}
	if ( relay )
		hook live_lines_raised(agent_id, raised);
	a$raised = last_seq;
	if ( ! a?$acked || a$raised - a$acked >= live_window / 2 )
		send_ack(agent_id);
	}

event gap_v1(agent_id: string, subscriber: string, first_seq: count, last_seq: count)
	{
	if ( subscriber != live_subscriber || agent_id !in agents )
		return;
	live_log(agent_id, "gap", first_seq, last_seq, "deleted by the agent's retention before this Zeek had them");
	event live_gap(agent_id, first_seq, last_seq);
	# The batch after it starts after the gap: nothing before it can come.
	local a = agents[agent_id];
	if ( ! a?$raised || a$raised < last_seq )
		a$raised = last_seq;
	}

event error_v1(agent_id: string, subscriber: string, message: string)
	{
	if ( subscriber != live_subscriber && subscriber != "" )
		return;
	live_log(agent_id, "error", 0, 0, message);
	}

event zeek_init() &priority=-20
	{
	Log::create_stream(LIVE_LOG, [$columns=LiveInfo, $path="zagent-live",
	                              $policy=log_policy_live]);
	if ( ! live || ! takes_agents() )
		return;
	# The zeek-agent package runs the server already when it is loaded.
	if ( live_listen && "ZeekAgent::hello_interval" !in global_ids() )
		{
@if ( Version::number >= 80000 )
		Cluster::listen_websocket([$listen_addr=to_addr(live_address), $listen_port=live_port]);
@else
		Broker::listen_websocket(live_address, live_port);
@endif
		}
@if ( Version::number >= 80000 )
	Cluster::subscribe("/zagent/hello/");
	Cluster::subscribe("/zagent/stream/" + live_subscriber + "/");
	Cluster::subscribe("/zagent/stream/all/");
@else
	Broker::subscribe("/zagent/hello/");
	Broker::subscribe("/zagent/stream/" + live_subscriber + "/");
	Broker::subscribe("/zagent/stream/all/");
@endif
	schedule live_ack_interval { ZAgent::ack_due() };
	}

event zeek_done()
	{
	# What was raised is processed: say so, so that a restart does not
	# raise it again.
	for ( agent_id in agents )
		send_ack(agent_id);
	}

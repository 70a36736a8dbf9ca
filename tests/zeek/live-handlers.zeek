##! The live script's handlers driven by hand, without an agent: the wire
##! events raised as if they had arrived, and after each step the seqs the
##! package has raised as events (tests/zeek/live_handlers.py checks them).
##!
##!   zeek -b zeek/__load__.zeek tests/zeek/live-handlers.zeek

redef ZAgent::live = T;
redef ZAgent::live_listen = F;

global raised: vector of count;

event ZAgent::process_exec(e: ZAgent::ProcessExec)
	{
	raised += e$seq;
	}

function line(seq: count): string
	{
	return fmt("process_exec\t1796001940.000000000\t{\"seq\":%d,\"ts\":1796001940.000000000,\"host\":\"vm\",\"boot_id\":\"b\",\"pid\":%d,\"ppid\":1,\"start_boot_ns\":1,\"parent_start_boot_ns\":1,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":0,\"exe\":\"/bin/true\",\"argv\":[\"true\"],\"argv_truncated\":false,\"cwd\":\"/\",\"comm\":\"true\",\"tty\":\"\",\"cgroup_id\":0,\"container_id\":\"\",\"exe_sha256\":\"\",\"exe_hash_status\":\"not_computed\"}", seq, 1000 + seq);
	}

function lines(first: count, last: count): string
	{
	local v: vector of string;
	local s = first;
	while ( s <= last )
		{
		v += line(s);
		++s;
		}
	return join_string_vec(v, "\n");
	}

global step = 0;
global check: event();

# Events run in the order they are raised: a batch's handler raises its
# events after this was queued, so the check waits one more turn.
event later(n: count)
	{
	if ( n == 0 )
		event check();
	else
		event later(n - 1);
	}

event check()
	{
	++step;
	switch ( step ) {
	case 1:
		# Subscribed on the hello; a batch 1-3 raised.
		print "after 1-3", raised;
		event ZAgent::hello_v1("agent-a", "session-1", "host-a");  # the same session again: nothing
		event ZAgent::events_v1("agent-a", "zeek", 2, 5, lines(2, 5));  # sent again after a lost ack, and more
		break;
	case 2:
		print "after 2-5 again", raised;
		event ZAgent::events_v1("agent-a", "other", 6, 6, lines(6, 6));  # another subscriber's: not ours
		event ZAgent::events_v1("agent-a", "zeek", 1, 5, lines(1, 5));  # all raised already
		break;
	case 3:
		print "after others and repeats", raised;
		event ZAgent::gap_v1("agent-a", "zeek", 6, 9);
		event ZAgent::events_v1("agent-a", "zeek", 10, 11, lines(10, 11));  # right after the gap
		break;
	case 4:
		print "after the gap", raised;
		event ZAgent::events_v1("agent-a", "zeek", 20, 21, lines(20, 21));  # does not follow 11: lost on the way
		event ZAgent::events_v1("agent-a", "zeek", 22, 23, lines(22, 23));  # still the old subscription's: dropped quietly
		break;
	case 5:
		print "after an out-of-order batch", raised;
		event ZAgent::hello_v1("agent-a", "session-2", "host-a");  # a new connection: subscribed again
		event ZAgent::events_v1("agent-a", "zeek", 10, 13, lines(10, 13));  # resumed from its ack
		event ZAgent::events_v1("agent-b", "zeek", 1, 1, lines(1, 1));  # an agent that never said hello
		break;
	case 6:
		print "after the new session", raised;
		return;
	}
	event later(1);
	}

event zeek_init() &priority=-30
	{
	event ZAgent::hello_v1("agent-a", "session-1", "host-a");
	event ZAgent::events_v1("agent-a", "zeek", 1, 3, lines(1, 3));
	event later(1);
	}

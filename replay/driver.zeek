##! zagent-replay's driver: raises the recorded events the rest of the
##! generated script adds (``ZAgentReplay::add_batch``), each as the zagent
##! package's event, at its recorded time against Zeek's network time.
##!
##! - Nothing is raised before network time is known (``network_time_init``,
##!   at the first packet); then every event up to it is raised at once, in
##!   journal order.
##! - After that one timer is pending at a time, for the next event: a timer
##!   fires at the first packet at or after its time, and raises every event
##!   due by then, in journal order (equal times keep journal order).
##! - When the packets end (``net_done``), everything not yet raised is
##!   raised, in order: while Zeek terminates ``schedule`` does nothing, and
##!   connections still open are logged after ``net_done``, so their
##!   processes can still be found. Without packets at all (no ``-r``, or
##!   an empty capture) that is every event.
##!
##! Each line is "KIND<TAB>SECONDS<TAB>JSON", with the JSON of
##! docs/zeek.md ("Replay JSON"); a line is decoded only when it is next.

module ZAgentReplay;

export {
	## Appends a batch of events, lines in journal order. (Not ``add``:
	## that is a Zeek keyword.)
	global add_batch: function(batch: string);
	## The pending timer's event.
	global wake: event();
}

global batches: vector of string;
global next_batch = 0;
global lines: vector of string;
global next_line = 0;

global have_current = F;
global current_kind = "";
global current_json = "";
global current_ts: time;

function add_batch(batch: string)
	{
	batches += batch;
	}

# Moves to the next line; F when there is none.
function advance(): bool
	{
	while ( T )
		{
		if ( next_line < |lines| )
			{
			local fields = split_string_n(lines[next_line], /\t/, F, 2);
			++next_line;
			if ( |fields| != 3 )
				next;
			current_kind = fields[0];
			current_ts = double_to_time(to_double(fields[1]));
			current_json = fields[2];
			return T;
			}
		if ( next_batch >= |batches| )
			return F;
		lines = split_string(batches[next_batch], /\n/);
		batches[next_batch] = "";  # what is split is not kept twice
		++next_batch;
		next_line = 0;
		}
	return F;
	}

function invalid(kind: string, json: string)
	{
	Reporter::warning(fmt("zagent-replay: a %s event does not decode: %s", kind, json));
	}

# Raises the current line as the package's event (the package's decoding,
# shared with the live stream).
function raise_current()
	{
	if ( ! ZAgent::raise_json(current_kind, current_json) )
		invalid(current_kind, current_json);
	}

function drain()
	{
	# Without packets (``zeek -`` alone, or an empty capture) network time
	# never starts: nothing has been read yet, and everything is raised here.
	if ( ! have_current )
		have_current = advance();
	while ( have_current )
		{
		raise_current();
		have_current = advance();
		}
	}

event ZAgentReplay::wake()
	{
	if ( zeek_is_terminating() )
		{
		drain();
		return;
		}
	while ( have_current && current_ts <= network_time() )
		{
		raise_current();
		have_current = advance();
		}
	if ( have_current )
		schedule current_ts - network_time() { ZAgentReplay::wake() };
	}

event network_time_init()
	{
	have_current = advance();
	event ZAgentReplay::wake();
	}

event net_done(t: time)
	{
	drain();
	}

##! zagent-replay's driver for the replay stream: the Zagent::Replay plugin
##! (zeek/plugin/) reads the events from Zeek's standard input while Zeek
##! runs and raises each, as the zagent package's event, when this driver
##! says it is due against network time:
##!
##! - Nothing is raised before network time is known (``network_time_init``,
##!   at the first packet); then every event up to it, in journal order,
##!   before that packet's own events.
##! - After that one timer is pending at a time, for the next event: a timer
##!   fires at the first packet at or after its time, and every event due by
##!   then is raised, in journal order (equal times keep journal order),
##!   before that packet's events.
##! - When the packets end (``net_done``), everything not yet raised is
##!   raised, in order, before Zeek removes the connections still open, so
##!   that these still find their processes. Without packets at all (no
##!   ``-r``, or an empty capture) that is every event.
##!
##! The plugin runs each event's handlers as it raises it (the events do
##! not wait in Zeek's queue), so Zeek holds one frame of events at a time
##! whatever the journal's size.

module ZAgentReplay;

export {
	## The pending timer's event.
	global wake: event();
}

function raise_and_wait()
	{
	ZAgentReplay::raise_due(network_time());
	if ( ZAgentReplay::pending() )
		schedule ZAgentReplay::next_time() - network_time() { ZAgentReplay::wake() };
	}

event ZAgentReplay::wake()
	{
	# While Zeek terminates, schedule does nothing (and pending timers fire
	# early): raise the rest now.
	if ( zeek_is_terminating() )
		ZAgentReplay::raise_due(double_to_time(1e18));
	else
		raise_and_wait();
	}

event network_time_init()
	{
	raise_and_wait();
	}

event net_done(t: time)
	{
	ZAgentReplay::raise_due(double_to_time(1e18));
	}

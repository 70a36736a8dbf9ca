"""The zagent package and the public zeek-agent package
(zeek-packages/zeek-agent-v2, its release for Zeek 5-7) in one Zeek:

- both load, in either order, with Zeek's default scripts, and run next to
  testdata/replay-basic/trace.pcap without a word on stderr or in
  reporter.log (no redefinition, no clash, no warning);
- they share no global name: every identifier the one package defines is
  absent from the other (read from Zeek's own list, `global_ids()`);
- a replay with zeek-agent loaded writes the same zagent logs and conn.log
  fields as without it. (zeek-agent writes zeek-agent.log only when an
  agent says hello: the live side, tested with zagent run.)

zeek-agent-v2 comes from ZEEK_AGENT_V2 (its checkout: the directory with
zkg.meta), else from zkg's installed packages (@load zeek-agent-v2).

    ZEEK_AGENT_V2=/path/to/zeek-agent-v2 python3 tests/zeek/with_zeek_agent.py BUILD_DIR

Exits 77 (skipped, for ctest) without zeek, or without zeek-agent-v2.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replaycheck as rc  # noqa: E402
from zeektest import ROOT, Expectations, Failure, logs, main, need_zeek, run_zeek, skip  # noqa: E402

DATA = os.path.join(ROOT, "testdata", "replay-basic")
PACKAGE = os.path.join(ROOT, "zeek")

# zeek-agent listens for agents at zeek_init (on Zeek 5+ WebSocket only, 9997):
# ephemeral ports here, so that parallel tests do not collide. Listening
# keeps Zeek running after the pcap: it is stopped with SIGTERM after
# STOP seconds, which ends it as the end of its input would (net_done,
# then the logs).
QUIET_PORTS = ["Broker::default_port_websocket=0/tcp"]
STOP = 8

# Prints every global identifier Zeek knows, with the file that defines it.
LIST_IDS = """
event zeek_init() &priority=-100
	{
	local ids = global_ids();
	for ( name, _ in ids )
		print name;
	}
"""


def zeek_agent_package(work):
    checkout = os.environ.get("ZEEK_AGENT_V2", "")
    if checkout:
        scripts = os.path.join(checkout, "scripts")
        if not os.path.exists(os.path.join(scripts, "__load__.zeek")):
            raise Failure(f"ZEEK_AGENT_V2={checkout} has no scripts/__load__.zeek")
        return scripts
    probe = subprocess.run(["zeek", "-a", "zeek-agent-v2"], cwd=work, capture_output=True)
    if probe.returncode == 0:
        return "zeek-agent-v2"
    skip("zeek-agent-v2 not found (set ZEEK_AGENT_V2 to its checkout)")


def global_names(work, name, packages):
    listing = os.path.join(work, "ids.zeek")
    with open(listing, "w") as f:
        f.write(LIST_IDS)
    directory = run_zeek(os.path.join(work, name), [*packages, listing, *QUIET_PORTS], stop_after=STOP)
    # Zeek names each anonymous function "Module::lambda_<hash>", with a
    # hash that changes with what else is loaded: not a name anyone defined.
    return {n for n in open(os.path.join(directory, "stdout")).read().split() if "::lambda_<" not in n}


def test():
    need_zeek()
    trace = os.path.join(DATA, "trace.pcap")
    with tempfile.TemporaryDirectory() as work:
        agent = zeek_agent_package(work)
        print(f"zeek-agent-v2: {agent}")
        run_zeek(os.path.join(work, "agent-first"), ["-C", "-r", trace, agent, PACKAGE, *QUIET_PORTS], stop_after=STOP)
        run_zeek(os.path.join(work, "zagent-first"), ["-C", "-r", trace, PACKAGE, agent, *QUIET_PORTS], stop_after=STOP)
        print("ok: both packages load together, in either order, silently")

        base = global_names(work, "ids-base", [])
        ours = global_names(work, "ids-zagent", [PACKAGE]) - base
        theirs = global_names(work, "ids-agent", [agent]) - base
        expect = Expectations()
        expect.expect("names both packages define", sorted(ours & theirs), [])
        expect.check(f"zagent's names outside module ZAgent: {sorted(n for n in ours if not n.startswith('ZAgent'))}",
                     all(n.startswith("ZAgent") for n in ours))
        expect.check("zeek-agent-v2 defined no names: not loaded?", len(theirs) > 10)
        expect.done(f"ok: no shared names ({len(ours)} of zagent's, {len(theirs)} of zeek-agent's)")

        r = rc.Replay(DATA, work)
        alone = r.run("alone")
        together = r.run("together", extra=[agent, *QUIET_PORTS], stop_after=STOP)
        expect = Expectations()
        for name in ("zagent-process", "zagent-socket", "zagent-file", "zagent-sensor"):
            expect.expect(f"{name}.log with zeek-agent", logs(together, name), logs(alone, name))
        zagent_fields = lambda d: [{k: v for k, v in c.items() if k.startswith(("id.", "zagent_"))}
                                   for c in logs(d, "conn")]
        expect.expect("conn.log's zagent fields with zeek-agent", zagent_fields(together), zagent_fields(alone))
        expect.done("ok: a replay with zeek-agent loaded writes the same zagent logs and conn.log fields")


if __name__ == "__main__":
    main(test)

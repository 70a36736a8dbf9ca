// zagent-replay: saved journals into Zeek, next to the packet captures of
// the same hours (docs/replay.md):
//
//   zagent-replay journal.zst | zeek -C -r trace.pcap -
//
// By default the output is the replay stream (replay/stream_format.h): a
// short Zeek script, the zagent package (zeek/, embedded at build time)
// unless --no-prelude and the driver (replay/stream_driver.zeek), then the
// events as data, which the Zagent::Replay plugin (zeek/plugin/) reads while
// Zeek runs. --format zeek-script writes the events into the script itself
// (replay/driver.zeek), for a Zeek without the plugin: Zeek parses them all
// first, which limits its size. --format json prints the events as JSON
// lines, exactly as `zagent cat`.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>

#include "journal/damage.h"
#include "journal/error.h"
#include "journal/event_json.h"
#include "journal/heap_policy.h"
#include "journal/mapped_file.h"
#include "replay/event_count.h"
#include "replay/read_ahead.h"
#include "replay/replay_options.h"
#include "replay/stream_writer.h"
#include "replay/zeek_script.h"

namespace {

using zagent::replay::ReplayOptions;

// Exit codes, as zagent's: 0 all read, 1 damage was skipped, 2 an error.
constexpr int kExitOk = 0;
constexpr int kExitDamage = 1;
constexpr int kExitError = 2;

// Reads the journals in journal order and hands every block's wanted
// events, their times shifted, to `emit` with their segment's host and
// boot id.
template <typename Emit>
int replay(const ReplayOptions& options, Emit emit) {
  std::atomic<uint64_t> damaged{0};
  zagent::replay::ReadAhead blocks(options.inputs, options.read_options(), [&damaged](const zagent::Damage& d) {
    ++damaged;
    std::fprintf(stderr, "zagent-replay: warning: %s\n", d.to_string().c_str());
  });
  const int64_t shift = options.shift_ns();
  zagent::replay::EventBatch batch;
  while (blocks.next(&batch)) {
    if (!options.wants_host(batch.host)) continue;
    for (zagent::Event& e : batch.events) e.ts += shift;
    emit(batch);
  }
  return damaged ? kExitDamage : kExitOk;
}

int replay_json(const ReplayOptions& options) {
  std::string out;
  out.reserve(1 << 16);
  auto flush = [&out] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  const int code = replay(options, [&](const zagent::replay::EventBatch& batch) {
    for (const zagent::Event& e : batch.events) {
      zagent::append_event_json(e, batch.host, &out);
      out.push_back('\n');
      if (out.size() >= (1 << 16)) flush();
    }
  });
  flush();
  if (std::fflush(stdout) != 0) throw zagent::Error("cannot write to standard output");
  return code;
}

// Zeek parses the whole script before it looks at a packet, holding every
// event of --format zeek-script as text: past `max_events` it would take minutes and gigabytes
// (docs/performance.md, "Replay through Zeek"), so refuse before writing
// anything and say how to cut the journal. 0: no limit.
void check_size(ReplayOptions* options, uint64_t max_events) {
  if (max_events == 0) return;
  for (std::string& in : options->inputs)
    if (in == "-") in = zagent::spool_stdin_to_file();  // read twice: counted, then replayed
  if (zagent::replay::count_replay_events(*options, max_events) <= max_events) return;
  throw zagent::Error("more than " + std::to_string(max_events) +
                      " events to replay (--max-events): Zeek would parse them all as script text before the "
                      "first packet, which takes about 2.5 minutes and 1.5 GB per million events. Replay a part of "
                      "the journal with --since/--until (see `zagent info` for its time range), --type or --host, "
                      "raise --max-events (0: no limit), or replay with the default --format zeek into a Zeek "
                      "with the Zagent::Replay plugin, which has no limit");
}

int replay_zeek_script(ReplayOptions options, bool prelude, uint64_t max_events) {
  check_size(&options, max_events);
  zagent::replay::ZeekScriptWriter script(stdout, prelude);
  const int code = replay(options, [&script](const zagent::replay::EventBatch& batch) {
    for (const zagent::Event& e : batch.events) script.add(e, batch.host, batch.boot_id);
  });
  script.finish();
  return code;
}

int replay_zeek_stream(const ReplayOptions& options, bool prelude) {
  zagent::replay::StreamWriter stream(stdout, prelude);
  const int code = replay(options, [&stream](const zagent::replay::EventBatch& batch) {
    stream.add(batch.events, batch.host, batch.boot_id);
  });
  stream.finish();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  zagent::apply_heap_policy();
  CLI::App app{"zagent-replay: saved zagent journals as Zeek events (or JSON lines)\n\n"
               "  zagent-replay journal.zst | zeek -C -r trace.pcap -\n"};
  app.set_version_flag("--version", std::string("zagent-replay ") + ZAGENT_VERSION);
  ReplayOptions options;
  std::string format = "zeek";
  bool no_prelude = false;
  uint64_t max_events = zagent::replay::kDefaultMaxEvents;
  app.add_option("journal", options.inputs, "Journal directories, segment files, or '-' for standard input")
      ->required();
  app.add_option("--since", options.since, "Only events at or after T (RFC 3339 or epoch seconds; shifted time)");
  app.add_option("--until", options.until, "Only events before T (RFC 3339 or epoch seconds; shifted time)");
  app.add_option("--type", options.types,
                 "Only these event types (repeat, or comma-separated): process, process_exec, process_fork, "
                 "process_exit, process_snapshot, socket, file, login, sensor")
      ->allow_extra_args(false);  // one value per --type: what follows is a journal
  app.add_option("--host", options.hosts, "Only events recorded by this host (repeat for more)")
      ->allow_extra_args(false);
  app.add_option("--time-shift", options.time_shift,
                 "Add D to every event's time, e.g. -2.5s, +300ms, 1h: the host's clock skew against the capture");
  app.add_option("--format", format,
                 "zeek (default): for `zeek -C -r trace.pcap -` with the Zagent::Replay Zeek plugin, the events "
                 "as data after a short script; zeek-script: the events in the script itself, for a Zeek without "
                 "the plugin (slow, see --max-events); json: JSON lines as `zagent cat` prints them")
      ->check(CLI::IsMember({"zeek", "zeek-script", "json"}));
  app.add_option("--max-events", max_events,
                 "--format zeek-script: refuse a script of more than N events (0: no limit): Zeek holds them all")
      ->capture_default_str();
  app.add_flag("--no-prelude", no_prelude, "Load the installed zagent package (@load zagent) instead of embedding it");
  try {
    app.parse(argc, argv);
    options.read_options();  // bad values are refused before any output
    if (format == "json") return replay_json(options);
    if (format == "zeek-script") return replay_zeek_script(options, !no_prelude, max_events);
    return replay_zeek_stream(options, !no_prelude);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitError;
  } catch (const zagent::Error& e) {
    std::fprintf(stderr, "zagent-replay: %s\n", e.what());
    return kExitError;
  }
}

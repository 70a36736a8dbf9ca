// zagent run: records host activity into the journal, in the foreground.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"
#include "agent/query/query_server.h"
#include "agent/recorder/config.h"
#include "agent/recorder/live_journal.h"
#include "agent/recorder/recorder.h"
#include "agent/zeek/agent_identity.h"
#include "agent/zeek/zeek_link.h"
#include "agent/zeek/zeek_options.h"
#include "journal/error.h"

namespace zagent::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_rotate{false};

void on_stop(int) { g_stop = true; }
void on_rotate(int) { g_rotate = true; }

struct RunArgs {
  std::string config;
  std::string journal;
  double duration = 0;
  uint32_t ring_kib = 0;
  std::vector<std::string> watch;
  std::string sensor;
  std::string query_socket;
  bool query_socket_given = false;
  std::vector<std::string> zeek;  // host:port, more destinations
  std::vector<std::string> zeek_groups;
  bool zeek_no_tls = false;
  std::string zeek_state_dir;
};

// The Zeek destinations of the file and the flags, each on its own link.
std::vector<std::unique_ptr<zeek::ZeekLink>> start_zeek_links(const zeek::ZeekOptions& zo, const RecorderOptions& o,
                                                              LiveJournal& live) {
  std::vector<std::unique_ptr<zeek::ZeekLink>> links;
  if (zo.destinations.empty()) return links;
  const zeek::AgentIdentity identity = zeek::load_agent_identity(zo.state_dir);
  zeek::SessionOptions so;
  so.agent_id = identity.agent_id;
  so.instance_id = identity.instance_id;
  so.groups = zo.groups;
  so.hello_interval_ns = zo.hello_interval_ns;
  so.zeek_timeout_ns = zo.timeout_ns;
  zeek::StreamOptions stream;
  stream.agent_id = identity.agent_id;
  stream.journal_dir = o.journal.dir;
  stream.state_dir = zo.state_dir;
  stream.hostname = o.journal.host.host_name;
  stream.hello_interval_ns = zo.hello_interval_ns;
  stream.gap_sent = [&live](const std::string& subscriber, uint64_t first, uint64_t last) {
    live.note(SensorEvent{SensorAction::StreamGap, "zeek",
                          "subscriber " + subscriber + ": seqs " + std::to_string(first) + "-" + std::to_string(last) +
                              " were deleted by retention before it had them",
                          {{"first_seq", first}, {"last_seq", last}}});
  };
  tables::QueryContext context;
  context.journals = {o.journal.dir};
  context.live_tail = [&live] { return live.tail(); };
  context.agent_status = [&live, identity] {
    tables::AgentStatus s = live.status();
    s.agent_id = identity.agent_id;
    s.instance_id = identity.instance_id;
    return s;
  };
  stream.live_tail = context.live_tail;
  stream.next_seq = [&live] { return live.next_seq(); };
  std::fprintf(stderr, "zagent: agent id %s for Zeek\n", identity.agent_id.c_str());
  for (const zeek::Destination& d : zo.destinations) {
    links.push_back(std::make_unique<zeek::ZeekLink>(d, so, stream, context, o.query_limits, zo.reconnect_max_ns));
    links.back()->log = [tty = ::isatty(STDERR_FILENO)](const std::string& line) {
      std::fprintf(stderr, "%szagent: %s\n", tty ? "\r\033[K" : "", line.c_str());
    };
  }
  return links;
}

int run_record(const RunArgs& args) {
  // Without root nothing can record; without BTF the fallback can (sensor_set.h).
  if (const std::string missing = missing_capabilities(); !missing.empty()) {
    throw Error("zagent run needs " + missing);
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_rotate;
  sigaction(SIGHUP, &sa, nullptr);

  RecorderOptions o;
  o.journal.dir = "/var/lib/zagent/journal";
  zeek::ZeekOptions zo;
  if (!args.config.empty()) {
    load_config(args.config, &o, [&zo](ConfigReader& r, const toml::table& root) { zeek::read_zeek_config(r, root, &zo); });
  }
  if (args.zeek_no_tls) zo.tls.enabled = false;
  for (const std::string& d : args.zeek) zo.destinations.push_back(zeek::parse_destination(d, zo));
  zo.groups.insert(zo.groups.end(), args.zeek_groups.begin(), args.zeek_groups.end());
  if (!args.zeek_state_dir.empty()) zo.state_dir = args.zeek_state_dir;
  // Flags win over the file.
  if (!args.journal.empty()) o.journal.dir = args.journal;
  if (args.ring_kib) o.ring_bytes = args.ring_kib * 1024;
  if (!args.watch.empty()) o.watch = args.watch;
  if (!args.sensor.empty()) o.sensor = parse_sensor_mode(args.sensor);
  if (args.query_socket_given) o.query_socket = args.query_socket;
  o.journal.host = HostIdentity::local();
  o.journal.agent_version = ZAGENT_VERSION;
  o.duration_ns = static_cast<int64_t>(args.duration * 1e9);
  const bool tty = ::isatty(STDERR_FILENO);
  int ticks = 0;
  // On a terminal a status line refreshed every second; otherwise a line a minute.
  std::vector<std::unique_ptr<zeek::ZeekLink>> links;
  o.status = [tty, &ticks, &links](const std::string& recorder_line) {
    std::string line = recorder_line;
    for (const auto& link : links) line += " | zeek " + link->status_line();
    if (tty) {
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
    } else if (++ticks % 60 == 0) {
      std::fprintf(stderr, "zagent: %s\n", line.c_str());
    }
  };
  o.started = [&o] { std::fprintf(stderr, "zagent: recording to %s\n", o.journal.dir.c_str()); };
  LiveJournal live;
  o.live = &live;
  std::unique_ptr<query::QueryServer> server;
  if (!o.query_socket.empty()) {
    tables::QueryContext context;
    context.journals = {o.journal.dir};
    context.live_tail = [&live] { return live.tail(); };
    context.agent_status = [&live] { return live.status(); };
    // Recording matters more than answering: without the socket it still records.
    try {
      server = std::make_unique<query::QueryServer>(o.query_socket, context, o.query_limits);
    } catch (const Error& e) {
      std::fprintf(stderr, "zagent: warning: no live queries: %s\n", e.what());
    }
  }
  links = start_zeek_links(zo, o, live);
  Recorder recorder(o);
  recorder.run(g_stop, g_rotate);
  links.clear();  // each says agent_shutdown_v1 to its Zeek
  if (tty) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "zagent: stopped; journal closed cleanly\n");
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Record host activity into the journal (foreground)");
  cmd->add_option("-c,--config", args->config, "TOML configuration file (see docs/recording.md)");
  cmd->add_option("--journal", args->journal, "Journal directory (default /var/lib/zagent/journal)");
  cmd->add_option("--duration", args->duration, "Stop after this many seconds (0: run until SIGINT/SIGTERM)");
  cmd->add_option("--ring-kib", args->ring_kib, "Ring buffer size per sensor in KiB, a power of two (default 8192)")
      ->check(CLI::Range(64u, 1u << 20));
  cmd->add_option("--sensor", args->sensor,
                  "auto (eBPF, else the fallback), ebpf (or refuse) or fallback (proc connector and sock_diag)")
      ->check(CLI::IsMember({"auto", "ebpf", "fallback"}));
  cmd->add_option("--watch", args->watch,
                  "A path prefix the file sensor reports on; repeat for more; replaces the configured list")
      ->check([](const std::string& p) { return !p.empty() && p[0] == '/' ? "" : "must be an absolute path"; });
  cmd->add_option_function<std::string>(
      "--query-socket",
      [args](const std::string& path) {
        args->query_socket = path;
        args->query_socket_given = true;
      },
      "Unix socket for `zagent query --agent` (default /run/zagent/query.sock; \"\": none)");
  cmd->add_option("--zeek", args->zeek,
                  "A Zeek to connect to, host:port ([IPv6]:port); repeat for more; adds to the configured ones");
  cmd->add_option("--zeek-group", args->zeek_groups, "A group this agent is in for Zeek (besides all and linux)");
  cmd->add_flag("--zeek-no-tls", args->zeek_no_tls, "Plain WebSocket to Zeek (ws://), as Zeek 8's default server");
  cmd->add_option("--state-dir", args->zeek_state_dir, "Where the agent keeps its id for Zeek (default /var/lib/zagent)");
  cmd->callback([args, exit_code] { *exit_code = run_record(*args); });
}

}  // namespace zagent::cli

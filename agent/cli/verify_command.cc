// zagent verify: checks every chain link and every block; exits 0 only when
// all hold, otherwise names the first break.
#include <cstdio>
#include <optional>

#include "agent/cli/commands.h"
#include "agent/cli/journal_options.h"

namespace zagent::cli {

namespace {

int run_verify(const JournalOptions& opts, bool quiet) {
  std::optional<Damage> first;
  uint64_t breaks = 0;
  JournalReader reader(opts.inputs, ReadOptions{}, [&](const Damage& d) {
    if (!first) first = d;
    ++breaks;
    if (!quiet) std::fprintf(stderr, "zagent: %s\n", d.to_string().c_str());
  });
  uint64_t events = 0;
  uint64_t open_segments = 0;
  uint64_t segments_seen = 0, ends_seen = 0;
  reader.on_segment([&](const std::string&, const ScannedSegment&) { ++segments_seen; });
  reader.on_end([&](const std::string&, const ScannedEnd&) { ++ends_seen; });
  ReadBlock block;
  while (reader.next_block(&block)) events += block.events.size();
  open_segments = segments_seen > ends_seen ? segments_seen - ends_seen : 0;

  const ReadStats& s = reader.stats();
  if (first) {
    std::printf("FAILED: %llu problem(s); first: %s\n", static_cast<unsigned long long>(breaks),
                first->to_string().c_str());
    return kExitDamage;
  }
  if (s.segments == 0) {
    std::printf("FAILED: no journal segment found\n");
    return kExitDamage;
  }
  std::printf("OK: %llu segment(s), %llu block(s), %llu event(s); every block and chain link holds",
              static_cast<unsigned long long>(s.segments), static_cast<unsigned long long>(s.blocks_read),
              static_cast<unsigned long long>(events));
  if (open_segments) {
    std::printf(" (%llu segment(s) without an end record: still being written, or the writer stopped "
                "without closing)",
                static_cast<unsigned long long>(open_segments));
  }
  std::printf("\n");
  return kExitOk;
}

}  // namespace

void add_verify_command(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<JournalOptions>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check every block and chain link; exit 0 only when all hold");
  opts->add_to(cmd, false);
  cmd->add_flag("-q,--quiet", *quiet, "Print only the verdict");
  cmd->callback([opts, quiet, exit_code] { *exit_code = run_verify(*opts, *quiet); });
}

}  // namespace zagent::cli

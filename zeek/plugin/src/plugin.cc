#include "plugin.h"

#include <zeek/Reporter.h>

#include "journal/error.h"
#include "replay_source.h"

namespace zagent::zeek_plugin {

// Zeek finds the plugin by this object.
Plugin plugin;

zeek::plugin::Configuration Plugin::Configure() {
  zeek::plugin::Configuration config;
  config.name = "Zagent::Replay";
  config.description = "zagent-replay's events as data on standard input (zagent-replay JOURNAL | zeek -r PCAP -)";
  config.version.major = 0;
  config.version.minor = 1;
  config.version.patch = 0;
  return config;
}

void Plugin::InitPreScript() { EnableHook(zeek::plugin::HOOK_LOAD_FILE_EXT); }

std::pair<int, std::optional<std::string>> Plugin::HookLoadFileExtended(const LoadType type, const std::string& file,
                                                                        const std::string&) {
  if (type != SCRIPT || file != "-") return {-1, std::nullopt};
  try {
    return {1, ReplaySource::get().take_stdin()};
  } catch (const Error& e) {
    zeek::reporter->Error("zagent-replay stream: %s", e.what());
    return {0, std::nullopt};
  }
}

}  // namespace zagent::zeek_plugin

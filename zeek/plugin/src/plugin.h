// The Zagent::Replay Zeek plugin: zagent-replay's events reach Zeek as
// data, not as script text (docs/replay.md, "The replay stream"). Zeek
// activates it from its plugin path; it takes "-" (standard input) before
// Zeek's parser reads it and, when a replay stream is there, gives the
// parser only the stream's script.
#pragma once

#include <zeek/plugin/Plugin.h>

#include <optional>
#include <string>
#include <utility>

namespace zagent::zeek_plugin {

class Plugin : public zeek::plugin::Plugin {
 protected:
  zeek::plugin::Configuration Configure() override;
  void InitPreScript() override;
  std::pair<int, std::optional<std::string>> HookLoadFileExtended(const LoadType type, const std::string& file,
                                                                  const std::string& resolved) override;
};

}  // namespace zagent::zeek_plugin

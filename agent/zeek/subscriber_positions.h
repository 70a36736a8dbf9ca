// Where each subscriber of the host event stream stands: the highest seq
// it has acknowledged (docs/protocol.md, "zagent's host event stream"),
// one state file per subscriber in STATE_DIR/subscribers/, so that the
// stream resumes right after it across disconnects and restarts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace zagent::zeek {

class SubscriberPositions {
 public:
  explicit SubscriberPositions(const std::string& state_dir);

  // A name is 1-64 of [A-Za-z0-9._-], not starting with '.'; it names a
  // file. Throws Error saying what is wrong.
  static void check_name(const std::string& name);

  // The highest seq `name` acknowledged; nullopt: it never did. Throws
  // Error naming the file when it is not one seq on one line.
  std::optional<uint64_t> acknowledged(const std::string& name);

  // Records that `name` has processed every event up to `seq`, on disk
  // before it returns. Going backwards is an Error and changes nothing;
  // the same seq again is a no-op.
  void acknowledge(const std::string& name, uint64_t seq);

  // Drops the subscriber's position (unsubscribe).
  void forget(const std::string& name);

 private:
  std::string dir_;
  std::map<std::string, std::optional<uint64_t>> known_;  // what the files hold
};

}  // namespace zagent::zeek

// The replay stream on Zeek's standard input, from the plugin's side: it
// takes standard input when Zeek is about to load "-" (the script part
// goes to Zeek's parser), then hands out the events one frame ahead when
// the driver (replay/stream_driver.zeek) asks for those due.
#pragma once

#include <zeek/Val.h>

#include <cstdint>
#include <memory>
#include <string>

#include "event_records.h"
#include "replay/stream_reader.h"

namespace zagent::zeek_plugin {

class ReplaySource {
 public:
  static ReplaySource& get();

  // Reads the head of standard input and returns what Zeek is to parse:
  // the stream's script, or all of the input when it is no replay stream.
  // Throws Error on a stream whose head is damaged.
  std::string take_stdin();

  // Whether an event is still to be raised, reading a frame when needed.
  bool pending();
  // The next event's time (seconds); 0 when none.
  double next_time();
  // Raises every event at or before `upto` (seconds), in order; returns
  // how many were raised.
  uint64_t raise_due(double upto);

 private:
  bool load_frame();

  std::unique_ptr<replay::StreamReader> reader_;
  replay::EventBatch batch_;
  size_t next_ = 0;
  zeek::StringValPtr host_;
  zeek::StringValPtr boot_id_;
  EventRecords records_;
};

}  // namespace zagent::zeek_plugin

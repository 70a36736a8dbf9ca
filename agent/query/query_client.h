// The client side of the agent's query socket (query_server.h): runs SQL in
// the running agent and hands the rows to a RowSink as they arrive.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tables/query_engine.h"

namespace zagent::query {

struct RemoteStats {
  uint64_t rows = 0;
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;
  std::vector<std::string> warnings;  // journal damage the agent met
};

class QueryClient {
 public:
  // Connects; throws Error naming the socket when no agent answers there.
  explicit QueryClient(const std::string& path);
  ~QueryClient();
  QueryClient(const QueryClient&) = delete;
  QueryClient& operator=(const QueryClient&) = delete;

  // Throws Error with the agent's message when the query fails; rows that
  // arrived before stay delivered.
  RemoteStats run(const std::string& sql, tables::RowSink& sink);

  // Abandons the query running now, from another thread or a signal
  // handler: the connection is shut down, run() fails with "query
  // interrupted", and this client serves no further query. The agent stops
  // the query itself when it next writes, or at its CPU limit.
  void interrupt();
  bool interrupted() const { return interrupted_.load(); }

 private:
  RemoteStats receive(tables::RowSink& sink);

  std::string path_;
  int fd_ = -1;
  std::atomic<bool> interrupted_{false};
};

}  // namespace zagent::query

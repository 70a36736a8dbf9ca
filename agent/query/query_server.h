// The running agent's query socket: a unix socket (mode 0600 in a 0700
// directory, and only peers with uid 0 are served) on which `zagent query
// --agent` and `zagent shell --agent` run SQL against the live host, the
// journal and the events not yet on disk. One thread serves one connection
// at a time, so queries never take more than one core and their CPU budget
// and row cap (QueryLimits) bound each one. Wire format: query_wire.h.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "tables/query_engine.h"

namespace zagent::query {

class QueryServer {
 public:
  // Binds the socket (replacing a stale one) and starts serving. Throws
  // Error naming the path when it cannot.
  QueryServer(std::string path, tables::QueryContext context, tables::QueryLimits limits);
  // Stops serving, closes and removes the socket.
  ~QueryServer();
  QueryServer(const QueryServer&) = delete;
  QueryServer& operator=(const QueryServer&) = delete;

  const std::string& path() const { return path_; }

 private:
  void serve();
  void serve_connection(int fd, tables::QueryEngine& engine);

  std::string path_;
  tables::QueryContext context_;
  tables::QueryLimits limits_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd that wakes the thread to stop
  std::thread thread_;
};

}  // namespace zagent::query

#include "agent/query/query_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/query/query_wire.h"
#include "journal/error.h"

namespace zagent::query {

QueryClient::QueryClient(const std::string& path) : path_(path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) throw Error("query socket: bad path '" + path + "'");
  std::memcpy(addr.sun_path, path.data(), path.size());
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw_errno("query socket: socket", path);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    ::close(fd_);
    fd_ = -1;
    throw Error("cannot reach the agent at " + path + ": " + std::strerror(saved) +
                (saved == ENOENT || saved == ECONNREFUSED ? " (is `zagent run` running?)"
                 : saved == EACCES                        ? " (the query socket is root's)"
                                                          : ""));
  }
}

QueryClient::~QueryClient() {
  if (fd_ >= 0) ::close(fd_);
}

void QueryClient::interrupt() {
  interrupted_.store(true);
  ::shutdown(fd_, SHUT_RDWR);  // async-signal-safe; the reads below then end
}

RemoteStats QueryClient::run(const std::string& sql, tables::RowSink& sink) {
  if (interrupted_.load()) throw Error("query socket: this connection was interrupted");
  try {
    FrameWriter q(MessageKind::Query);
    q.text(sql);
    write_all(fd_, q.frame());
    return receive(sink);
  } catch (const Error&) {
    if (interrupted_.load()) throw Error("query interrupted");
    throw;
  }
}

RemoteStats QueryClient::receive(tables::RowSink& sink) {
  RemoteStats stats;
  std::string payload;
  for (;;) {
    if (!read_frame(fd_, &payload)) throw Error("the agent at " + path_ + " closed the connection");
    FrameReader m(std::move(payload));
    switch (m.kind()) {
      case MessageKind::Columns: {
        std::vector<std::string> names(m.count());
        for (auto& n : names) n = m.text();
        sink.columns(names);
        break;
      }
      case MessageKind::Row: {
        tables::Row row(m.count());
        for (auto& v : row) v = m.value();
        sink.row(row);
        break;
      }
      case MessageKind::Warning: stats.warnings.push_back(m.text()); break;
      case MessageKind::Error: throw Error(m.text());
      case MessageKind::Done:
        stats.rows = m.u64();
        stats.blocks_read = m.u64();
        stats.blocks_skipped = m.u64();
        return stats;
      default: throw Error("query socket: unexpected message from the agent");
    }
  }
}

}  // namespace zagent::query

#include "agent/query/query_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agent/query/query_wire.h"
#include "journal/error.h"

namespace zagent::query {
namespace {

// A client that stops reading may hold a query (and so the socket) this long.
constexpr int kSendTimeoutSeconds = 10;
// Frames are sent in batches of about this many bytes.
constexpr size_t kBatchBytes = 64 << 10;

// Streams a query's results to the client as frames.
class SocketSink : public tables::RowSink {
 public:
  explicit SocketSink(int fd) : fd_(fd) {}
  void columns(const std::vector<std::string>& names) override {
    FrameWriter f(MessageKind::Columns);
    f.u32(static_cast<uint32_t>(names.size()));
    for (const auto& n : names) f.text(n);
    add(f);
  }
  void row(const tables::Row& values) override {
    FrameWriter f(MessageKind::Row);
    f.u32(static_cast<uint32_t>(values.size()));
    for (const auto& v : values) f.value(v);
    add(f);
  }
  void add(const FrameWriter& f) {
    buffer_ += f.frame();
    if (buffer_.size() >= kBatchBytes) flush();
  }
  void flush() {
    write_all(fd_, buffer_);
    buffer_.clear();
  }

 private:
  int fd_;
  std::string buffer_;
};

void close_fd(int fd) {
  if (fd >= 0) ::close(fd);
}

}  // namespace

QueryServer::QueryServer(std::string path, tables::QueryContext context, tables::QueryLimits limits)
    : path_(std::move(path)), context_(std::move(context)), limits_(limits) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof addr.sun_path)
    throw Error("query socket: path '" + path_ + "' is empty or too long for a unix socket");
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("query socket: mkdir", dir);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw_errno("query socket: socket", path_);
  ::unlink(path_.c_str());  // a stale socket of an agent that died
  // Created 0600 from the start: no moment in which others could connect.
  const mode_t old = ::umask(0177);
  const int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(listen_fd_, 4) != 0) {
    const int saved = errno;
    close_fd(listen_fd_);
    errno = saved;
    throw_errno("query socket: bind", path_);
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    close_fd(listen_fd_);
    throw_errno("query socket: eventfd", path_);
  }
  thread_ = std::thread([this] { serve(); });
}

QueryServer::~QueryServer() {
  const uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) std::perror("zagent: query socket: stop");
  thread_.join();
  close_fd(listen_fd_);
  close_fd(stop_fd_);
  ::unlink(path_.c_str());
}

void QueryServer::serve() {
  // The engine lives on this thread: SQLite connections are not shared.
  std::unique_ptr<tables::QueryEngine> engine;
  try {
    engine = std::make_unique<tables::QueryEngine>(context_, limits_);
  } catch (const Error& e) {
    std::fprintf(stderr, "zagent: query socket: %s\n", e.what());
    return;
  }
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    serve_connection(fd, *engine);
    ::close(fd);
  }
}

void QueryServer::serve_connection(int fd, tables::QueryEngine& engine) {
  timeval timeout{kSendTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  try {
    // The file mode already keeps others out; the peer's uid says so again.
    ucred peer{};
    socklen_t len = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != 0) {
      FrameWriter e(MessageKind::Error);
      e.text("the query socket serves root only (peer uid " + std::to_string(peer.uid) + ")");
      write_all(fd, e.frame());
      return;
    }
    std::string payload;
    while (read_frame(fd, &payload)) {
      FrameReader request(std::move(payload));
      if (request.kind() != MessageKind::Query) throw Error("query socket: expected a query message");
      const std::string sql = request.text();
      SocketSink sink(fd);
      bool hung_up = false;
      try {
        // A client that hung up (Ctrl-C in `zagent shell --agent`) stops its query.
        const tables::QueryStats stats = engine.run(sql, sink, [fd, &hung_up] {
          pollfd p{fd, POLLRDHUP, 0};
          hung_up = ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
          return hung_up;
        });
        for (const Damage& d : stats.scan.damage) {
          FrameWriter w(MessageKind::Warning);
          w.text(d.to_string());
          sink.add(w);
        }
        FrameWriter done(MessageKind::Done);
        done.u64(stats.rows);
        done.u64(stats.scan.blocks_read);
        done.u64(stats.scan.blocks_skipped);
        sink.add(done);
      } catch (const Error& e) {
        if (hung_up) return;  // nobody to tell
        FrameWriter err(MessageKind::Error);
        err.text(e.what());
        sink.add(err);
      }
      sink.flush();
    }
  } catch (const Error& e) {
    // A client that went away or spoke nonsense: its connection ends here.
    std::fprintf(stderr, "zagent: %s\n", e.what());
  }
}

}  // namespace zagent::query

// Load generators for bench/overhead: `storm exec N` forks and execs
// /bin/true N times, one after the other; `storm connect N` opens N TCP
// connections to a listener of its own on 127.0.0.1, each connected,
// accepted and closed; `storm syscall N` makes N one-byte writes to
// /dev/null (what every system call pays for the sensors that watch system
// calls as they return); `storm file N` creates, writes and unlinks N files
// in a fresh directory under /tmp. Prints the wall time in ns.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

int exec_storm(long n) {
  for (long i = 0; i < n; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/true", "true", nullptr);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  return 0;
}

int connect_storm(long n) {
  const int srv = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(srv, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(srv, 128) != 0) return 1;
  getsockname(srv, reinterpret_cast<sockaddr*>(&a), &len);
  const linger hard{1, 0};  // RST on close: no TIME_WAIT pile-up across 50,000 connections
  for (long i = 0; i < n; ++i) {
    const int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, reinterpret_cast<sockaddr*>(&a), len) != 0) return 1;
    const int s = accept(srv, nullptr, nullptr);
    if (s < 0) return 1;
    setsockopt(c, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close(c);
    close(s);
  }
  close(srv);
  return 0;
}

int syscall_storm(long n) {
  const int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) return 1;
  for (long i = 0; i < n; ++i) {
    if (write(fd, "x", 1) != 1) return 1;
  }
  close(fd);
  return 0;
}

int file_storm(long n) {
  char dir[] = "/tmp/zagent-storm-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char path[64];
  for (long i = 0; i < n; ++i) {
    std::snprintf(path, sizeof path, "%s/f%ld", dir, i);
    const int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "x", 1) != 1) return 1;
    close(fd);
    if (unlink(path) != 0) return 1;
  }
  return rmdir(dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: storm exec|connect|syscall|file N\n");
    return 2;
  }
  const long n = std::atol(argv[2]);
  const auto start = std::chrono::steady_clock::now();
  const int rc = std::strcmp(argv[1], "exec") == 0      ? exec_storm(n)
                 : std::strcmp(argv[1], "connect") == 0 ? connect_storm(n)
                 : std::strcmp(argv[1], "syscall") == 0 ? syscall_storm(n)
                 : std::strcmp(argv[1], "file") == 0    ? file_storm(n)
                                                        : 2;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
  std::printf("%lld\n", static_cast<long long>(ns.count()));
  return rc;
}

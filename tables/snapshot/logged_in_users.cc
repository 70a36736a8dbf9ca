// logged_in_users: the login sessions utmp(5) records as open
// (USER_PROCESS entries of /var/run/utmp), as who(1) lists them.
//
//   SELECT user, tty, host, time FROM logged_in_users
//
// zeek-agent v2 has no such table: the columns are zagent's, named after
// osquery's logged_in_users. The file is read directly, not through
// getutxent(3), whose state is process-wide.
#include "tables/snapshot/logged_in_users.h"

#include <arpa/inet.h>
#include <utmpx.h>

#include <cstring>
#include <fstream>

#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kNsPerMicrosecond = 1'000;

// utmp's strings fill their fields without a terminating NUL when full.
template <size_t N>
Value field_text(const char (&field)[N]) {
  const size_t length = ::strnlen(field, N);
  return length ? Value(std::string(field, length)) : Value();
}

// ut_addr_v6: an IPv4 address in its first word and zeros after, or IPv6.
Value remote_address(const int32_t (&words)[4]) {
  if (!words[0] && !words[1] && !words[2] && !words[3]) return {};
  char text[INET6_ADDRSTRLEN] = {};
  const bool v4 = !words[1] && !words[2] && !words[3];
  ::inet_ntop(v4 ? AF_INET : AF_INET6, words, text, sizeof text);
  return std::string(text);
}

class LoggedInUsers final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "logged_in_users",
        "the login sessions that utmp records as open, as who(1) lists them (zagent's own table: zeek-agent v2 "
        "has none; names as osquery's logged_in_users)",
        {
            {"user", ColumnType::Text, "login name"},
            {"tty", ColumnType::Text, "terminal line, as `pts/0` or `tty1`"},
            {"host", ColumnType::Text, "remote host name or X display the session came from; null when local"},
            {"address", ColumnType::Text, "remote IP address the session came from; null when unknown"},
            {"time", ColumnType::Integer, "when the session started, ns since the Unix epoch"},
            {"pid", ColumnType::Integer, "ID of the session's login process"},
            {"session", ColumnType::Integer, "session ID"},
        },
        "SELECT user, tty, host, time FROM logged_in_users WHERE host IS NOT NULL",
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    return logged_in_users_from(_PATH_UTMPX);
  }
};

const SnapshotTableRegistration<LoggedInUsers> registration;

}  // namespace

std::vector<Row> logged_in_users_from(const std::string& utmp_path) {
  std::vector<Row> rows;
  std::ifstream in(utmp_path, std::ios::binary);
  utmpx entry{};
  while (in.read(reinterpret_cast<char*>(&entry), sizeof entry)) {
    if (entry.ut_type != USER_PROCESS) continue;
    rows.push_back(Row{
        field_text(entry.ut_user),
        field_text(entry.ut_line),
        field_text(entry.ut_host),
        remote_address(entry.ut_addr_v6),
        int64_t{entry.ut_tv.tv_sec} * kNsPerSecond + int64_t{entry.ut_tv.tv_usec} * kNsPerMicrosecond,
        int64_t{entry.ut_pid},
        int64_t{entry.ut_session},
    });
  }
  return rows;
}

}  // namespace zagent::tables

// processes: the processes running at the time of the query, from /proc.
//
//   SELECT name, pid, ppid, uid FROM processes WHERE uid = 0
//
// Columns as zeek-agent v2's processes table (src/tables/processes/
// processes.h): its count and interval columns are INTEGER here, intervals
// in ns. A process that exits during the scan is left out.
#include <unistd.h>

#include <charconv>
#include <sstream>

#include "tables/snapshot/proc_files.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

struct Ids {
  int64_t real = 0;
  int64_t effective = 0;
};

// The "Uid:" or "Gid:" line of /proc/PID/status: real, effective, saved, fs.
bool parse_ids(const std::string& status, const std::string& key, Ids* out) {
  const size_t at = status.find("\n" + key);
  if (at == std::string::npos) return false;
  std::istringstream fields(status.substr(at + 1 + key.size()));
  return static_cast<bool>(fields >> out->real >> out->effective);
}

// The boot time in ns since the epoch, from btime in /proc/stat (whole seconds).
int64_t boot_time_ns() {
  const std::optional<std::string> stat = proc::read_file("/proc/stat");
  if (!stat) return 0;
  const size_t at = stat->find("\nbtime ");
  if (at == std::string::npos) return 0;
  int64_t seconds = 0;
  const char* begin = stat->data() + at + 7;
  std::from_chars(begin, stat->data() + stat->size(), seconds);
  return seconds * kNsPerSecond;
}

class Processes final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "processes",
        "the processes running at the time of the query (as zeek-agent v2's processes)",
        {
            {"name", ColumnType::Text, "name of the process (its comm, at most 15 bytes)"},
            {"pid", ColumnType::Integer, "process ID"},
            {"ppid", ColumnType::Integer, "parent's process ID"},
            {"uid", ColumnType::Integer, "effective user ID"},
            {"gid", ColumnType::Integer, "effective group ID"},
            {"ruid", ColumnType::Integer, "real user ID"},
            {"rgid", ColumnType::Integer, "real group ID"},
            {"priority", ColumnType::Text,
             "scheduling priority as the kernel reports it (proc(5) field 18), in decimal"},
            {"startup", ColumnType::Integer,
             "when the process started, ns since the Unix epoch (clock-tick precision)"},
            {"vsize", ColumnType::Integer, "virtual memory size in bytes"},
            {"rsize", ColumnType::Integer, "resident memory size in bytes"},
            {"utime", ColumnType::Integer, "user CPU time consumed, in ns"},
            {"stime", ColumnType::Integer, "system CPU time consumed, in ns"},
        },
        "SELECT pid, ppid, name, uid FROM processes WHERE name = 'sshd'",
        {{"pid", ZeekType::Count}, {"ppid", ZeekType::Count}, {"uid", ZeekType::Count}, {"gid", ZeekType::Count},
         {"ruid", ZeekType::Count}, {"rgid", ZeekType::Count}, {"startup", ZeekType::Interval},
         {"vsize", ZeekType::Count}, {"rsize", ZeekType::Count}, {"utime", ZeekType::Interval},
         {"stime", ZeekType::Interval}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    const int64_t ticks = ::sysconf(_SC_CLK_TCK);
    const int64_t page_size = ::sysconf(_SC_PAGESIZE);
    const int64_t boot_ns = boot_time_ns();
    const auto ticks_to_ns = [ticks](int64_t t) { return t / ticks * kNsPerSecond + t % ticks * kNsPerSecond / ticks; };

    std::vector<Row> rows;
    for (const uint32_t pid : proc::pids()) {
      const std::optional<proc::Stat> stat = proc::read_stat(pid);
      const std::optional<std::string> status = proc::read_file("/proc/" + std::to_string(pid) + "/status");
      Ids uid, gid;
      if (!stat || !status || !parse_ids(*status, "Uid:", &uid) || !parse_ids(*status, "Gid:", &gid)) continue;
      rows.push_back(Row{
          stat->comm,
          int64_t{pid},
          stat->ppid,
          uid.effective,
          gid.effective,
          uid.real,
          gid.real,
          std::to_string(stat->priority),
          boot_ns ? Value(boot_ns + ticks_to_ns(stat->starttime)) : Value(),
          stat->vsize,
          stat->rss * page_size,
          ticks_to_ns(stat->utime),
          ticks_to_ns(stat->stime),
      });
    }
    return rows;
  }
};

const SnapshotTableRegistration<Processes> registration;

}  // namespace
}  // namespace zagent::tables

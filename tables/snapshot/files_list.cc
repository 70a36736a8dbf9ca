// files_list(pattern): the paths an absolute glob(3) pattern matches, with
// what stat(2) says of each (following symbolic links).
//
//   SELECT path, mode, size FROM files_list('/etc/cron.d/*')
//
// Columns as zeek-agent v2's files_list (src/tables/files/files.h): the
// hidden argument _pattern first, mtime in ns since the epoch. A dangling
// symbolic link is described as itself; a path removed meanwhile has only
// its path.
#include <sys/stat.h>

#include <cstdio>

#include "tables/snapshot/file_patterns.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// The columns, in the schema's order.
enum : size_t { kPattern, kPath, kType, kUid, kGid, kMode, kMtime, kSize };

std::string file_type(mode_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISBLK(mode)) return "block";
  if (S_ISCHR(mode)) return "char";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  return "other";
}

// The permission bits (with setuid, setgid and sticky) in octal, as "644".
std::string octal_mode(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%o", static_cast<unsigned>(mode & ~S_IFMT));
  return text;
}

class FilesList final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "files_list",
        "the file system paths matching a glob pattern, with their type, owner, mode, time and size (as "
        "zeek-agent v2's files_list)",
        {
            {"_pattern", ColumnType::Text,
             "glob(3) pattern matching the files of interest: absolute, with *, ?, [...] and {a,b}; required", true},
            {"path", ColumnType::Text, "full path"},
            {"type", ColumnType::Text,
             "`file`, `dir`, `symlink` (dangling), `block`, `char`, `fifo`, `socket` or `other`"},
            {"uid", ColumnType::Integer, "ID of the user owning the file"},
            {"gid", ColumnType::Integer, "ID of the group owning the file"},
            {"mode", ColumnType::Text, "permission bits in octal, as `644` or `4755`"},
            {"mtime", ColumnType::Integer, "time of the last modification, ns since the Unix epoch"},
            {"size", ColumnType::Integer, "size in bytes"},
        },
        "SELECT path, uid, mode FROM files_list('/etc/cron.d/*')",
        {{"uid", ZeekType::Count}, {"gid", ZeekType::Count}, {"mtime", ZeekType::Time}, {"size", ZeekType::Count}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>& arguments, const QueryContext&) override {
    const std::string pattern = files::text_argument("files_list", "_pattern", files::argument(arguments, 0));
    std::vector<Row> rows;
    for (const std::string& path : files::glob_paths("files_list", pattern)) {
      Row row(schema().columns.size());
      row[kPath] = path;
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 || ::lstat(path.c_str(), &st) == 0) {
        row[kType] = file_type(st.st_mode);
        row[kUid] = int64_t{st.st_uid};
        row[kGid] = int64_t{st.st_gid};
        row[kMode] = octal_mode(st.st_mode);
        row[kMtime] = st.st_mtim.tv_sec * kNsPerSecond + st.st_mtim.tv_nsec;
        row[kSize] = int64_t{st.st_size};
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
};

const SnapshotTableRegistration<FilesList> registration;

}  // namespace
}  // namespace zagent::tables

// files_lines(pattern): the lines of the text files an absolute glob(3)
// pattern matches, one row per line, with leading and trailing white space
// stripped.
//
//   SELECT path, content FROM files_lines('/home/*/.ssh/authorized_keys')
//
// Columns as zeek-agent v2's files_lines (src/tables/files/files.h). What is
// read is bounded: see files::bounds_doc().
#include "tables/snapshot/file_patterns.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

class FilesLines final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "files_lines",
        "the lines of the files matching a glob pattern, with leading and trailing white space stripped (as "
        "zeek-agent v2's files_lines). " +
            files::bounds_doc(),
        {
            {"_pattern", ColumnType::Text,
             "glob(3) pattern matching the files of interest: absolute, with *, ?, [...] and {a,b}; required", true},
            {"path", ColumnType::Text, "absolute path"},
            {"number", ColumnType::Integer, "line number, from 1"},
            {"content", ColumnType::Blob, "the line, without its newline and surrounding white space"},
        },
        "SELECT path, content FROM files_lines('/home/*/.ssh/authorized_keys')",
        {{"number", ZeekType::Count}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>& arguments, const QueryContext&) override {
    const std::string pattern = files::text_argument("files_lines", "_pattern", files::argument(arguments, 0));
    files::LineReader reader("files_lines", pattern);
    std::vector<Row> rows;
    for (const std::string& path : files::glob_paths("files_lines", pattern)) {
      reader.read(path, [&](int64_t number, std::string_view line) {
        rows.push_back(Row{Value(), path, number, Blob{std::string(files::trim(line))}});
      });
    }
    return rows;
  }
};

const SnapshotTableRegistration<FilesLines> registration;

}  // namespace
}  // namespace zagent::tables

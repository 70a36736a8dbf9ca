#include "tables/snapshot/file_patterns.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/error.h"

namespace zagent::tables::files {

namespace {

std::string mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The whole file, or nothing when it is not a readable regular file of at
// most kMaxFileBytes.
std::optional<std::string> read_bounded(const std::string& path) {
  // O_NONBLOCK: a FIFO the pattern matches must not hang the query.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    // Read rather than trust st_size: procfs and sysfs files report 0.
    std::string bytes;
    char buffer[65536];
    ssize_t n = 0;
    while (bytes.size() <= kMaxFileBytes && (n = ::read(fd, buffer, sizeof buffer)) > 0) {
      bytes.append(buffer, static_cast<size_t>(n));
    }
    if (n >= 0 && bytes.size() <= kMaxFileBytes) out = std::move(bytes);
  }
  ::close(fd);
  return out;
}

}  // namespace

std::string bounds_doc() {
  return "Only regular files are read, of at most " + mib(kMaxFileBytes) +
         " each (larger ones give no rows); a query may read at most " + mib(kMaxTotalBytes) + " and " +
         std::to_string(kMaxTotalLines) +
         " lines in all, beyond which it fails asking for a narrower pattern. Files that cannot be read are "
         "skipped.";
}

const Value& argument(const std::vector<Value>& arguments, size_t i) {
  static const Value null;
  return i < arguments.size() ? arguments[i] : null;
}

std::string text_argument(std::string_view table, std::string_view name, const Value& value,
                          const std::optional<std::string>& fallback) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* b = std::get_if<Blob>(&value)) return b->bytes;
  if (is_null(value) && fallback) return *fallback;
  throw Error(std::string(table) + ": " + std::string(name) + (is_null(value) ? " is required" : " must be text"));
}

std::vector<std::string> glob_paths(std::string_view table, const std::string& pattern) {
  if (!pattern.starts_with('/')) {
    throw Error(std::string(table) + ": _pattern must be an absolute path: '" + pattern + "'");
  }
  glob_t matches{};
  const int rc = ::glob(pattern.c_str(), GLOB_BRACE, nullptr, &matches);
  std::vector<std::string> paths;
  if (rc == 0) paths.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
  ::globfree(&matches);
  // GLOB_NOMATCH is no error: the files may legitimately be absent; an
  // unreadable directory is skipped as an unreadable file is.
  if (rc == GLOB_NOSPACE) throw Error(std::string(table) + ": out of memory expanding '" + pattern + "'");
  return paths;
}

bool LineReader::read(const std::string& path, const std::function<void(int64_t, std::string_view)>& f) {
  const std::optional<std::string> bytes = read_bounded(path);
  if (!bytes) return false;
  total_bytes_ += bytes->size();
  if (total_bytes_ > kMaxTotalBytes) {
    throw Error(table_ + ": the files of '" + pattern_ + "' hold more than " + mib(kMaxTotalBytes) +
                "; narrow the pattern");
  }
  std::string_view rest = *bytes;
  int64_t number = 0;
  while (!rest.empty()) {
    if (++total_lines_ > kMaxTotalLines) {
      throw Error(table_ + ": the files of '" + pattern_ + "' hold more than " + std::to_string(kMaxTotalLines) +
                  " lines; narrow the pattern");
    }
    const size_t end = rest.find('\n');
    f(++number, rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return true;
}

std::string_view trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhiteSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kWhiteSpace) - begin + 1);
}

}  // namespace zagent::tables::files

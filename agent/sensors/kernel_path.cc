#include "agent/sensors/kernel_path.h"

#include "path.h"

namespace zagent {

std::vector<std::string> split_nul(const char* data, size_t size) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') {
      parts.emplace_back(data + start, i - start);
      start = i + 1;
    }
  }
  if (start < size) parts.emplace_back(data + start, size - start);
  return parts;
}

std::string kernel_path(const char* data, unsigned size) {
  if (size == 0) return {};
  const std::vector<std::string> parts = split_nul(data, size);
  std::string path = size >= ZAGENT_PATH_LIMIT ? "..." : "";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += '/';
    path += *it;
  }
  return path.empty() ? "/" : path;
}

std::vector<std::string> path_components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string caller_path(const std::string& dir, const std::string& name) {
  if (name.empty()) return dir;
  if (name[0] != '/' && dir.empty()) return name;  // the directory was not known
  std::vector<std::string> parts;
  for (std::string& part : path_components(name[0] == '/' ? name : dir + "/" + name)) {
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (part != ".") {
      parts.push_back(std::move(part));
    }
  }
  std::string path;
  for (const std::string& part : parts) path += "/" + part;
  return path.empty() ? "/" : path;
}

}  // namespace zagent

// Reads keys out of a parsed TOML file for one part of the agent at a time,
// remembering every key asked for, so that check_unknown() can reject a key
// nobody reads (a typo) instead of ignoring it. Errors name the file, line
// and key (journal/error.h).
#pragma once

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "journal/error.h"

namespace zagent {

class ConfigReader {
 public:
  ConfigReader(const std::string& path, const toml::table& root) : path_(path), root_(root) {}

  // Every key of every table must be one the reader asked for.
  void check_unknown() const {
    for (const auto& [section, node] : root_) {
      const std::string name(section.str());
      const toml::table* t = node.as_table();
      if (!t || !known_sections_.count(name)) fail(node, "unknown section or key '" + name + "'");
      for (const auto& [key, value] : *t) {
        if (!known_.count(name + "." + std::string(key.str()))) {
          fail(value, "unknown key '" + name + "." + std::string(key.str()) + "'");
        }
      }
    }
  }

  template <typename T>
  void integer(const char* section, const char* key, T* out, int64_t min, int64_t max) {
    const toml::node* n = find(section, key);
    if (!n) return;
    const auto v = n->value<int64_t>();
    if (!v || !n->is_integer()) fail(*n, std::string(section) + "." + key + " must be an integer");
    if (*v < min || *v > max) {
      fail(*n, std::string(section) + "." + key + " must be between " + std::to_string(min) + " and " +
                   std::to_string(max));
    }
    *out = static_cast<T>(*v);
  }

  void seconds(const char* section, const char* key, int64_t* out_ns) {
    const toml::node* n = find(section, key);
    if (!n) return;
    const auto v = n->value<double>();  // integers convert too
    if (!v || !(n->is_number()) || *v < 0 || *v > 1e9) {
      fail(*n, std::string(section) + "." + key + " must be a number of seconds >= 0");
    }
    *out_ns = static_cast<int64_t>(std::llround(*v * 1e9));
  }

  void string(const char* section, const char* key, std::string* out) {
    const toml::node* n = find(section, key);
    if (!n) return;
    if (!n->is_string()) fail(*n, std::string(section) + "." + key + " must be a string");
    *out = *n->value<std::string>();
  }

  void boolean(const char* section, const char* key, bool* out) {
    const toml::node* n = find(section, key);
    if (!n) return;
    if (!n->is_boolean()) fail(*n, std::string(section) + "." + key + " must be true or false");
    *out = *n->value<bool>();
  }

  // The array of tables `[[section.key]]`, or nullptr when absent. Its
  // tables' keys are checked by the caller (array_table_keys()).
  const toml::array* tables(const char* section, const char* key) {
    const toml::node* n = find(section, key);
    if (!n) return nullptr;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) fail(*n, std::string(section) + "." + key + " must be an array of tables");
    return a;
  }

  void strings(const char* section, const char* key, std::vector<std::string>* out) {
    const toml::node* n = find(section, key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, std::string(section) + "." + key + " must be an array of strings");
    out->clear();
    for (const toml::node& item : *a) {
      if (!item.is_string()) fail(item, std::string(section) + "." + key + " must be an array of strings");
      out->push_back(*item.value<std::string>());
    }
  }

  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const toml::node& n, const std::string& why) const {
    throw Error(path_ + ":" + std::to_string(n.source().begin.line) + ": " + why);
  }

 private:
  const toml::node* find(const char* section, const char* key) {
    known_sections_.insert(section);
    known_.insert(std::string(section) + "." + key);
    return root_.at_path(std::string(section) + "." + key).node();
  }

  std::string path_;
  const toml::table& root_;
  std::set<std::string> known_sections_;
  std::set<std::string> known_;
};


}  // namespace zagent

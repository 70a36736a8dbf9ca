#include "agent/cli/result_printer.h"

#include <charconv>
#include <vector>

#include "journal/error.h"
#include "journal/event_json.h"
#include "journal/hash_chain.h"

namespace zagent::cli {
namespace {

using tables::Blob;
using tables::Row;
using tables::Value;

std::string hex(const std::string& bytes) {
  return to_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

std::string number(double d) {
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, d);
  return std::string(text, r.ptr);
}

// A value as plain text: NULL is empty, a blob is x'hex' as SQL writes it.
std::string plain(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return number(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return "x'" + hex(b->bytes) + "'";
  return "";
}

// Control bytes as \xNN, so the terminal shows them instead of obeying them.
std::string escape_controls(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kDigits[] = "0123456789abcdef";
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Display width: UTF-8 continuation bytes take no column.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

void write(std::FILE* out, const std::string& s) { std::fwrite(s.data(), 1, s.size(), out); }

class TablePrinter : public ResultPrinter {
 public:
  explicit TablePrinter(std::FILE* out) : out_(out) {}
  void columns(const std::vector<std::string>& names) override {
    flush();
    names_ = names;
    have_statement_ = true;
  }
  void row(const Row& values) override {
    std::vector<std::string> cells;
    for (const auto& v : values) cells.push_back(escape_controls(plain(v)));
    rows_.push_back(std::move(cells));
  }
  void finish() override {
    flush();
    std::fflush(out_);
  }

 private:
  void flush() {
    if (!have_statement_ || names_.empty()) return;
    std::vector<size_t> w(names_.size());
    for (size_t i = 0; i < names_.size(); ++i) w[i] = width(names_[i]);
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i) text += "  ";
        text += cells[i];
        if (i + 1 < cells.size()) text.append(w[i] - width(cells[i]), ' ');
      }
      write(out_, text + "\n");
    };
    line(names_);
    std::vector<std::string> rule;
    for (size_t x : w) rule.push_back(std::string(x, '-'));
    line(rule);
    for (const auto& r : rows_) line(r);
    write(out_, "(" + std::to_string(rows_.size()) + (rows_.size() == 1 ? " row)\n" : " rows)\n"));
    rows_.clear();
    have_statement_ = false;
  }

  std::FILE* out_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> rows_;
  bool have_statement_ = false;
};

class JsonPrinter : public ResultPrinter {
 public:
  explicit JsonPrinter(std::FILE* out) : out_(out) {}
  void columns(const std::vector<std::string>& names) override { names_ = names; }
  void row(const Row& values) override {
    std::string line = "{";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) line += ',';
      append_json_string(i < names_.size() ? names_[i] : "", &line);
      line += ':';
      const Value& v = values[i];
      if (std::holds_alternative<std::monostate>(v)) {
        line += "null";
      } else if (std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v)) {
        line += plain(v);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        append_json_string(*s, &line);
      } else {
        append_json_string(hex(std::get<Blob>(v).bytes), &line);
      }
    }
    write(out_, line + "}\n");
  }
  void finish() override { std::fflush(out_); }

 private:
  std::FILE* out_;
  std::vector<std::string> names_;
};

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class CsvPrinter : public ResultPrinter {
 public:
  explicit CsvPrinter(std::FILE* out) : out_(out) {}
  void columns(const std::vector<std::string>& names) override { line(names); }
  void row(const Row& values) override {
    std::vector<std::string> cells;
    for (const auto& v : values) cells.push_back(plain(v));
    line(cells);
  }
  void finish() override { std::fflush(out_); }

 private:
  void line(const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) text += ',';
      text += csv_field(cells[i]);
    }
    write(out_, text + "\r\n");
  }
  std::FILE* out_;
};

}  // namespace

OutputFormat parse_output_format(const std::string& name) {
  if (name == "table") return OutputFormat::Table;
  if (name == "json") return OutputFormat::Json;
  if (name == "csv") return OutputFormat::Csv;
  throw Error("unknown output format '" + name + "' (table, json or csv)");
}

std::unique_ptr<ResultPrinter> make_result_printer(OutputFormat format, std::FILE* out) {
  switch (format) {
    case OutputFormat::Json: return std::make_unique<JsonPrinter>(out);
    case OutputFormat::Csv: return std::make_unique<CsvPrinter>(out);
    default: return std::make_unique<TablePrinter>(out);
  }
}

}  // namespace zagent::cli

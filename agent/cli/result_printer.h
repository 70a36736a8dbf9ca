// How query results are shown: an aligned table (the default, for people),
// JSON lines (one object per row, for programs) or CSV. Control characters
// in the table form are escaped: a journal's strings come from the host
// and must not drive the terminal.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "tables/query_engine.h"

namespace zagent::cli {

enum class OutputFormat { Table, Json, Csv };

// Throws Error for a name other than "table", "json" or "csv".
OutputFormat parse_output_format(const std::string& name);

class ResultPrinter : public tables::RowSink {
 public:
  // Prints what is still held (the table form holds a statement's rows to
  // size its columns); call once at the end.
  virtual void finish() = 0;
};

std::unique_ptr<ResultPrinter> make_result_printer(OutputFormat format, std::FILE* out);

}  // namespace zagent::cli

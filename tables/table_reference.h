// The table reference, produced from the tables' own schema definitions:
// `zagent tables` prints the text form, docs/tables.md is the Markdown form
// (a test checks that the file matches, so the two cannot drift).
#pragma once

#include <string>

namespace zagent::tables {

std::string table_reference_text();
std::string table_reference_markdown();

}  // namespace zagent::tables

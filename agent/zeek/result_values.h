// A query's SQL values as the Broker data Zeek expects (docs/protocol.md,
// "Result types"): each result column typed by the table column it reads
// (tables::TableSchema::zeek_types), else by its SQL value: INTEGER as int,
// REAL as double, TEXT and BLOB as string, NULL as none (an unset field).
// A value that does not fit its Zeek type (a negative count, a malformed
// address) is sent as none, never as a wrong type Zeek would reject.
#pragma once

#include <optional>
#include <vector>

#include "agent/zeek/broker_data.h"
#include "tables/query_engine.h"
#include "tables/table_schema.h"
#include "tables/value.h"

namespace zagent::zeek {

// The Zeek type of each result column, from the engine's table schemas.
std::vector<std::optional<tables::ZeekType>> zeek_types_of(const std::vector<tables::ColumnOrigin>& origins);

BrokerData to_zeek_value(const tables::Value& v, std::optional<tables::ZeekType> type);

}  // namespace zagent::zeek

// The event tables' SQLite methods, in the order SQLite calls them. See
// event_table.h for the tables and their common columns.
#include "tables/event_module.h"

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <flatbuffers/flatbuffers.h>

#include "journal/block_codec.h"
#include "journal/block_rows.h"
#include "journal/error.h"
#include "tables/eponymous_module.h"
#include "journal/journal_reader.h"
#include "tables/event_table.h"

namespace zagent::tables {
namespace {

struct EventVtab : sqlite3_vtab {
  const EventTable* table = nullptr;
  const QueryContext* context = nullptr;
  ScanStats* stats = nullptr;
};

struct EventModuleAux {
  const EventTable* table;
  const QueryContext* context;
  ScanStats* stats;
};

// A pushed-down constraint, packed four bits each into idxNum: bit 3 says
// seq (else time), bits 0-2 the operator.
enum Op { kEq = 0, kGt, kGe, kLt, kLe };
constexpr int kMaxPushed = 7;

int set_error(sqlite3_vtab* vtab, const std::string& message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", message.c_str());
  return SQLITE_ERROR;
}

int x_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
  const auto* a = static_cast<const EventModuleAux*>(aux);
  const int rc = sqlite3_declare_vtab(db, a->table->schema().declaration().c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: cannot declare its columns: %s", a->table->name.c_str(), sqlite3_errmsg(db));
    return rc;
  }
  auto* vtab = new EventVtab;
  vtab->table = a->table;
  vtab->context = a->context;
  vtab->stats = a->stats;
  *out = vtab;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete static_cast<EventVtab*>(vtab);
  return SQLITE_OK;
}

// Offers SQLite the constraints on time and seq (=, <, <=, >, >=; BETWEEN
// arrives as >= and <=) to apply to the block trailers. SQLite still checks
// them row by row (omit stays 0), so a bound we cannot use is harmless.
int x_best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  int idx = 0;
  int pushed = 0;
  bool time_lo = false, time_hi = false, seq_bound = false;
  for (int i = 0; i < info->nConstraint && pushed < kMaxPushed; ++i) {
    const auto& c = info->aConstraint[i];
    if (!c.usable || (c.iColumn != kTimeColumn && c.iColumn != kSeqColumn)) continue;
    int op;
    switch (c.op) {
      case SQLITE_INDEX_CONSTRAINT_EQ: op = kEq; break;
      case SQLITE_INDEX_CONSTRAINT_GT: op = kGt; break;
      case SQLITE_INDEX_CONSTRAINT_GE: op = kGe; break;
      case SQLITE_INDEX_CONSTRAINT_LT: op = kLt; break;
      case SQLITE_INDEX_CONSTRAINT_LE: op = kLe; break;
      default: continue;
    }
    const bool seq = c.iColumn == kSeqColumn;
    idx |= ((seq ? 8 : 0) | op) << (4 * pushed);
    info->aConstraintUsage[i].argvIndex = ++pushed;
    if (seq) seq_bound = true;
    if (!seq && op != kLt && op != kLe) time_lo = true;
    if (!seq && op != kGt && op != kGe) time_hi = true;
  }
  info->idxNum = idx | (pushed << 28);
  // A bounded scan reads fewer blocks; the figures only rank plans.
  double cost = 1e9;
  if (time_lo) cost /= 30;
  if (time_hi) cost /= 30;
  if (seq_bound) cost /= 100;
  info->estimatedCost = cost;
  info->estimatedRows = static_cast<sqlite3_int64>(cost);
  return SQLITE_OK;
}

struct EventCursor : sqlite3_vtab_cursor {
  ReadOptions options;
  std::unique_ptr<JournalReader> reader;
  ReadBlock block;
  BlockRows rows;  // of block.block, or of the tail's block
  std::string host, boot_id;
  LiveTail tail;
  flatbuffers::FlatBufferBuilder tail_block;  // the tail's events, encoded as a journal block
  const fb::Block* tail_rows = nullptr;
  bool in_tail = false;
  bool eof = true;
};

// Saturating conversions of a bound given as a double.
int64_t to_int64(double d) {
  if (d >= 9.2233720368547748e18) return std::numeric_limits<int64_t>::max();
  if (d <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

// The half-open interval [lo, hi) of int64 values that satisfy `x op v`;
// false when none does.
bool interval(int op, sqlite3_value* v, int64_t* lo, int64_t* hi) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  *lo = kMin;
  *hi = kMax;  // kMax as hi means "no upper bound"
  const int type = sqlite3_value_numeric_type(v);
  if (type == SQLITE_NULL) return false;  // a comparison with NULL is never true
  if (type == SQLITE_INTEGER) {
    const int64_t x = sqlite3_value_int64(v);
    switch (op) {
      case kEq: *lo = x; *hi = x == kMax ? kMax : x + 1; return true;
      case kGt: if (x == kMax) return false; *lo = x + 1; return true;
      case kGe: *lo = x; return true;
      case kLt: if (x == kMin) return false; *hi = x; return true;
      case kLe: *hi = x == kMax ? kMax : x + 1; return true;
    }
  }
  if (type == SQLITE_FLOAT) {
    const double d = sqlite3_value_double(v);
    if (std::isnan(d)) return false;
    switch (op) {
      case kEq:
        if (d != std::floor(d)) return false;
        *lo = to_int64(d); *hi = *lo == kMax ? kMax : *lo + 1; return true;
      case kGt: *lo = to_int64(std::floor(d) + 1); return true;
      case kGe: *lo = to_int64(std::ceil(d)); return true;
      case kLt: *hi = to_int64(std::ceil(d)); return true;
      case kLe: *hi = to_int64(std::floor(d) + 1); return true;
    }
  }
  return true;  // text or blob: no bound we can use; SQLite filters
}

// Narrows the cursor's window by the pushed constraints; false when empty.
bool apply_constraints(int idx, sqlite3_value** argv, ReadOptions* o) {
  const int pushed = (idx >> 28) & 0xf;
  for (int i = 0; i < pushed; ++i) {
    const int code = (idx >> (4 * i)) & 0xf;
    int64_t lo, hi;
    if (!interval(code & 7, argv[i], &lo, &hi)) return false;
    if (code & 8) {
      if (hi <= 0) return false;
      if (lo > 0) o->from_seq = std::max<uint64_t>(o->from_seq, static_cast<uint64_t>(lo));
      if (hi != std::numeric_limits<int64_t>::max())
        o->until_seq = std::min<uint64_t>(o->until_seq, static_cast<uint64_t>(hi));
      if (o->from_seq >= o->until_seq) return false;
    } else {
      o->since_ts = std::max(o->since_ts, lo);
      if (hi != std::numeric_limits<int64_t>::max()) o->until_ts = std::min(o->until_ts, hi);
      if (o->since_ts >= o->until_ts) return false;
    }
  }
  return true;
}

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new EventCursor;
  return SQLITE_OK;
}

void add_stats(EventVtab* vtab, EventCursor* cur) {
  if (!cur->reader) return;
  const ReadStats& s = cur->reader->stats();
  vtab->stats->blocks_read += s.blocks_read;
  vtab->stats->blocks_skipped += s.blocks_skipped;
  vtab->stats->blocks_damaged += s.blocks_damaged;
  cur->reader.reset();
}

int x_close(sqlite3_vtab_cursor* c) {
  auto* cur = static_cast<EventCursor*>(c);
  add_stats(static_cast<EventVtab*>(c->pVtab), cur);
  delete cur;
  return SQLITE_OK;
}

// Moves to the next wanted event: the rest of the block, the next blocks,
// then the live tail.
void advance(EventCursor* cur, EventVtab* vtab) {
  for (;;) {
    while (cur->rows.next()) {
      if (cur->options.wants(cur->rows.type(), cur->rows.ts(), cur->rows.seq())) {
        if (cur->in_tail) ++vtab->stats->tail_events;
        return;
      }
    }
    if (!cur->in_tail && cur->reader && cur->reader->next_block(&cur->block)) {
      cur->rows = BlockRows(cur->block.block);
      cur->host = cur->block.segment ? cur->block.segment->header.host_name : "";
      cur->boot_id = cur->block.segment ? cur->block.segment->header.boot_id : "";
      continue;
    }
    add_stats(vtab, cur);
    if (cur->in_tail || !cur->tail_rows) {
      cur->eof = true;
      return;
    }
    cur->in_tail = true;
    cur->rows = BlockRows(cur->tail_rows);
    cur->host = cur->tail.host;
    cur->boot_id = cur->tail.boot_id;
  }
}

// The tail's events as a checked block, so that they are read like the
// journal's (BlockRows); nullptr when there are none.
const fb::Block* encode_tail(const std::vector<Event>& events, flatbuffers::FlatBufferBuilder& fbb) {
  if (events.empty()) return nullptr;
  encode_block(events, fbb);
  const fb::Block* block = verified_block({fbb.GetBufferPointer(), fbb.GetSize()});
  std::vector<Event> none;
  BlockSummary summary;
  std::string why;
  if (!block || !decode_block(*block, 0, &none, &summary, &why))
    throw Error("the agent's unflushed events do not encode as a block: " + (block ? why : "verifier"));
  return block;
}

int x_filter(sqlite3_vtab_cursor* c, int idx, const char*, int, sqlite3_value** argv) {
  auto* cur = static_cast<EventCursor*>(c);
  auto* vtab = static_cast<EventVtab*>(c->pVtab);
  add_stats(vtab, cur);
  cur->block = ReadBlock{};
  cur->rows = BlockRows{};
  cur->tail = LiveTail{};
  cur->tail_rows = nullptr;
  cur->in_tail = false;
  cur->eof = true;
  cur->options = ReadOptions{};
  cur->options.type_mask = vtab->table->type_mask;
  cur->options.remember_scans = true;  // the next query skips the walk (journal/scan_memo.h)
  cur->options.in_place = true;        // columns are read from the blocks (journal/block_rows.h)
  if (!apply_constraints(idx, argv, &cur->options)) return SQLITE_OK;
  try {
    ReadOptions disk = cur->options;
    const QueryContext& ctx = *vtab->context;
    if (ctx.live_tail) {
      cur->tail = ctx.live_tail();
      cur->tail_rows = encode_tail(cur->tail.events, cur->tail_block);
      disk.until_seq = std::min(disk.until_seq, cur->tail.boundary);
    }
    const std::string writing = cur->tail.segment;
    ScanStats* stats = vtab->stats;
    // A live writer's segment may end in a block being written: not damage.
    auto reporter = [stats, writing](const Damage& d) {
      if (!writing.empty() && d.file == writing &&
          (d.kind == DamageKind::TornTail || d.kind == DamageKind::MissingTrailer))
        return;
      ++stats->damage_reports;
      if (stats->damage.size() < ScanStats::kMaxDamage) stats->damage.push_back(d);
    };
    if (!ctx.journals.empty() && disk.from_seq < disk.until_seq)
      cur->reader = std::make_unique<JournalReader>(ctx.journals, disk, reporter);
    cur->eof = false;
    advance(cur, vtab);
  } catch (const std::exception& e) {
    cur->eof = true;
    return set_error(c->pVtab, e.what());
  }
  return SQLITE_OK;
}

int x_next(sqlite3_vtab_cursor* c) {
  auto* cur = static_cast<EventCursor*>(c);
  try {
    advance(cur, static_cast<EventVtab*>(c->pVtab));
  } catch (const std::exception& e) {
    cur->eof = true;
    return set_error(c->pVtab, e.what());
  }
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* c) { return static_cast<EventCursor*>(c)->eof; }

int x_column(sqlite3_vtab_cursor* c, sqlite3_context* ctx, int col) {
  auto* cur = static_cast<EventCursor*>(c);
  const BlockRows& row = cur->rows;
  Cell cell(ctx);
  switch (col) {
    case kTimeColumn: cell.integer(row.ts()); break;
    case kSeqColumn: cell.integer(static_cast<int64_t>(row.seq())); break;
    case kHostColumn: cell.text(cur->host); break;
    case kBootIdColumn: cell.text(cur->boot_id); break;
    default: {
      const auto& columns = static_cast<EventVtab*>(c->pVtab)->table->columns;
      const size_t i = static_cast<size_t>(col - kCommonColumns);
      if (i < columns.size()) columns[i].get(row, cell);
      else cell.null();
    }
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor* c, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(static_cast<EventCursor*>(c)->rows.seq());
  return SQLITE_OK;
}

const sqlite3_module kModule = eponymous_read_only_module(x_connect, x_best_index, x_disconnect, x_open, x_close,
                                                         x_filter, x_next, x_eof, x_column, x_rowid);

}  // namespace

void register_event_tables(sqlite3* db, const QueryContext* context, ScanStats* stats) {
  for (const EventTable* table : event_tables()) {
    auto* aux = new EventModuleAux{table, context, stats};
    const int rc = sqlite3_create_module_v2(db, table->name.c_str(), &kModule, aux,
                                            [](void* p) { delete static_cast<EventModuleAux*>(p); });
    if (rc != SQLITE_OK) throw Error("cannot register table " + table->name + ": " + sqlite3_errmsg(db));
  }
}

}  // namespace zagent::tables

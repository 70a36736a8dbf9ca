// The snapshot tables' SQLite methods, in the order SQLite calls them. A
// cursor asks its table for all rows at xFilter (the host as it is now) and
// then walks them.
#include "tables/snapshot_module.h"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "journal/error.h"
#include "tables/eponymous_module.h"
#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

struct SnapshotAux {
  std::unique_ptr<SnapshotTable> table;
  TableSchema schema;
  std::vector<int> argument_columns;  // their column indexes, in order
  const QueryContext* context;
};

struct SnapshotVtab : sqlite3_vtab {
  SnapshotAux* aux = nullptr;
};

int x_connect(sqlite3* db, void* p, int, const char* const*, sqlite3_vtab** out, char** err) {
  auto* aux = static_cast<SnapshotAux*>(p);
  const int rc = sqlite3_declare_vtab(db, aux->schema.declaration().c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: cannot declare its columns: %s", aux->schema.name.c_str(), sqlite3_errmsg(db));
    return rc;
  }
  auto* vtab = new SnapshotVtab;
  vtab->aux = aux;
  *out = vtab;
  return SQLITE_OK;
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete static_cast<SnapshotVtab*>(vtab);
  return SQLITE_OK;
}

// Arguments arrive as equality constraints on the hidden columns. idxNum
// says which were given (bit i: argument i); they are passed in argument
// order. A plan that gives more arguments is cheaper, so that SQLite feeds
// a join's values into a table-valued function rather than scanning it.
int x_best_index(sqlite3_vtab* v, sqlite3_index_info* info) {
  const SnapshotAux* aux = static_cast<SnapshotVtab*>(v)->aux;
  const auto& args = aux->argument_columns;
  int given = 0;
  std::vector<int> constraint_of(args.size(), -1);
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    for (size_t a = 0; a < args.size(); ++a) {
      if (args[a] != c.iColumn) continue;
      if (!c.usable) return SQLITE_CONSTRAINT;  // wait for a plan where it is known
      constraint_of[a] = i;
    }
  }
  int argv_index = 0;
  for (size_t a = 0; a < args.size(); ++a) {
    if (constraint_of[a] < 0) continue;
    given |= 1 << a;
    info->aConstraintUsage[constraint_of[a]].argvIndex = ++argv_index;
    info->aConstraintUsage[constraint_of[a]].omit = 1;
  }
  info->idxNum = given;
  info->estimatedCost = 1e6 / (1 + argv_index * 100.0);
  return SQLITE_OK;
}

struct SnapshotCursor : sqlite3_vtab_cursor {
  std::vector<Row> rows;
  size_t index = 0;
};

int x_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = new SnapshotCursor;
  return SQLITE_OK;
}

int x_close(sqlite3_vtab_cursor* c) {
  delete static_cast<SnapshotCursor*>(c);
  return SQLITE_OK;
}

Value to_value(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_value_int64(v));
    case SQLITE_FLOAT: return sqlite3_value_double(v);
    case SQLITE_TEXT:
      return std::string(reinterpret_cast<const char*>(sqlite3_value_text(v)),
                         static_cast<size_t>(sqlite3_value_bytes(v)));
    case SQLITE_BLOB:
      return Blob{std::string(static_cast<const char*>(sqlite3_value_blob(v)),
                              static_cast<size_t>(sqlite3_value_bytes(v)))};
    default: return std::monostate{};
  }
}

int x_filter(sqlite3_vtab_cursor* c, int given, const char*, int, sqlite3_value** argv) {
  auto* cur = static_cast<SnapshotCursor*>(c);
  SnapshotAux* aux = static_cast<SnapshotVtab*>(c->pVtab)->aux;
  std::vector<Value> arguments(aux->argument_columns.size());
  int next = 0;
  for (size_t a = 0; a < arguments.size(); ++a)
    if (given & (1 << a)) arguments[a] = to_value(argv[next++]);
  cur->rows.clear();
  cur->index = 0;
  try {
    cur->rows = aux->table->rows(arguments, *aux->context);
  } catch (const std::exception& e) {
    sqlite3_free(c->pVtab->zErrMsg);
    c->pVtab->zErrMsg = sqlite3_mprintf("%s", e.what());  // messages name their table
    return SQLITE_ERROR;
  }
  const size_t width = aux->schema.columns.size();
  for (Row& row : cur->rows) {
    row.resize(width);
    for (size_t a = 0; a < arguments.size(); ++a) row[aux->argument_columns[a]] = arguments[a];
  }
  return SQLITE_OK;
}

int x_next(sqlite3_vtab_cursor* c) {
  ++static_cast<SnapshotCursor*>(c)->index;
  return SQLITE_OK;
}

int x_eof(sqlite3_vtab_cursor* c) {
  const auto* cur = static_cast<SnapshotCursor*>(c);
  return cur->index >= cur->rows.size();
}

int x_column(sqlite3_vtab_cursor* c, sqlite3_context* ctx, int col) {
  const auto* cur = static_cast<SnapshotCursor*>(c);
  const Value& v = cur->rows[cur->index][static_cast<size_t>(col)];
  if (const auto* i = std::get_if<int64_t>(&v)) {
    sqlite3_result_int64(ctx, *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    sqlite3_result_double(ctx, *d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    sqlite3_result_text64(ctx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else if (const auto* b = std::get_if<Blob>(&v)) {
    sqlite3_result_blob64(ctx, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
  } else {
    sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

int x_rowid(sqlite3_vtab_cursor* c, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(static_cast<SnapshotCursor*>(c)->index);
  return SQLITE_OK;
}

const sqlite3_module kModule = eponymous_read_only_module(x_connect, x_best_index, x_disconnect, x_open, x_close,
                                                         x_filter, x_next, x_eof, x_column, x_rowid);

}  // namespace

void register_snapshot_tables(sqlite3* db, const QueryContext* context) {
  for (SnapshotTableFactory make : snapshot_table_factories()) {
    auto aux = std::make_unique<SnapshotAux>();
    aux->table = make();
    aux->schema = aux->table->schema();
    aux->context = context;
    for (size_t i = 0; i < aux->schema.columns.size(); ++i)
      if (aux->schema.columns[i].argument) aux->argument_columns.push_back(static_cast<int>(i));
    const std::string name = aux->schema.name;
    const int rc = sqlite3_create_module_v2(db, name.c_str(), &kModule, aux.release(),
                                            [](void* p) { delete static_cast<SnapshotAux*>(p); });
    if (rc != SQLITE_OK) throw Error("cannot register table " + name + ": " + sqlite3_errmsg(db));
  }
}

}  // namespace zagent::tables

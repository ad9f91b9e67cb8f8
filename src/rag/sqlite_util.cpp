#include "rag/sqlite_util.h"

#include "core/error.h"

namespace tq::rag {

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) !=
      SQLITE_OK) {
    throw Error("SQLite: " + std::string(sqlite3_errmsg(db)) + " in: " + std::string(sql));
  }
}

Stmt::~Stmt() {
  sqlite3_finalize(st_);
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_blob(int i, const void* data, size_t bytes) {
  sqlite3_bind_blob64(st_, i, data, bytes, SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(st_, i);
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  const char* sql = sqlite3_sql(st_);
  sqlite3_reset(st_);
  throw Error("SQLite: " + msg + " in: " + (sql != nullptr ? sql : "?"));
}

void Stmt::run() {
  while (step()) {
  }
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

int64_t Stmt::int64(int col) const {
  return sqlite3_column_int64(st_, col);
}
double Stmt::real(int col) const {
  return sqlite3_column_double(st_, col);
}
std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(st_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st_, col))};
}
bool Stmt::is_null(int col) const {
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}

void exec(sqlite3* db, std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw Error("SQLite: " + msg + " in: " + s.substr(0, 200));
  }
}

Transaction::Transaction(sqlite3* db) : db_(db), nested_(sqlite3_get_autocommit(db) == 0) {
  exec(db, nested_ ? "SAVEPOINT tq_tx" : "BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (done_) return;
  if (nested_) {
    sqlite3_exec(db_, "ROLLBACK TO tq_tx; RELEASE tq_tx", nullptr, nullptr, nullptr);
  } else {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}
void Transaction::commit() {
  exec(db_, nested_ ? "RELEASE tq_tx" : "COMMIT");
  done_ = true;
}

}  // namespace tq::rag

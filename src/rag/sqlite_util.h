// A thin RAII layer over the SQLite C API: statements that finalize themselves and
// errors that carry SQLite's message and the statement that failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tq::rag {

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_null(int i);
  Stmt& bind_blob(int i, const void* data, size_t bytes);
  // True while a row is available; throws on errors.
  bool step();
  void run();  // step to completion, expecting no rows
  void reset();
  sqlite3_stmt* get() const { return st_; }

  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

void exec(sqlite3* db, std::string_view sql);

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed without commit(). Inside an open
// transaction it is a savepoint instead, so a batch of documents can share one commit
// while each document still rolls back alone.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  sqlite3* db_;
  bool nested_;
  bool done_ = false;
};

}  // namespace tq::rag

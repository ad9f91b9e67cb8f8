#include "ledger/ledger.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "core/error.h"

namespace tq {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Forward migrations: entry i takes schema version i to i + 1. Never edit a shipped one;
// append a new step and raise kSchemaVersion.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE attempts(
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  route TEXT NOT NULL,
  reason TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  task TEXT NOT NULL,
  is_local INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  ttft_ms REAL NOT NULL,
  total_ms REAL NOT NULL,
  cost_eur REAL NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  cascade_role TEXT NOT NULL,
  escalated INTEGER NOT NULL);
CREATE INDEX attempts_time ON attempts(time_ms);
CREATE INDEX attempts_request ON attempts(request_id);
CREATE TABLE checkpoints(
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  store TEXT NOT NULL,
  head_hash TEXT NOT NULL,
  entries INTEGER NOT NULL);
)sql",
    // v2: optional call texts ([ledger] log_text), kept apart so that attempts stay small.
    R"sql(
CREATE TABLE call_texts(
  request_id TEXT PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  prompt TEXT NOT NULL,
  answer TEXT NOT NULL);
CREATE INDEX call_texts_time ON call_texts(time_ms);
)sql",
    // v3: the local engine's CPU time and energy estimate per attempt; NULL for remote
    // attempts and for rows written before v3 (nothing was measured).
    R"sql(
ALTER TABLE attempts ADD COLUMN cpu_ms REAL;
ALTER TABLE attempts ADD COLUMN energy_wh REAL;
)sql",
};
static_assert(std::size(kMigrations) == Ledger::kSchemaVersion);

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw Error(std::string("ledger: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string text_column(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

}  // namespace

double ReportRow::eur_per_mtok() const {
  const auto tokens = static_cast<double>(prompt_tokens + completion_tokens);
  return tokens > 0 ? cost_eur / tokens * 1e6 : 0.0;
}

double ReportRow::wh_per_mtok() const {
  const auto tokens = static_cast<double>(prompt_tokens + completion_tokens);
  return tokens > 0 ? energy_wh / tokens * 1e6 : 0.0;
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const auto i = static_cast<size_t>(std::max(1.0, rank)) - 1;
  return values[std::min(i, values.size() - 1)];
}

Ledger::Ledger(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError("cannot open the ledger " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    migrate();
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO attempts(request_id, time_ms, key_id, endpoint, route, "
                           "reason, provider, model, task, is_local, prompt_tokens, "
                           "completion_tokens, ttft_ms, total_ms, cost_eur, status, error, "
                           "attempt, cascade_role, escalated, cpu_ms, energy_wh) VALUES "
                           "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &insert_, nullptr) != SQLITE_OK)
      throw Error(std::string("ledger: ") + sqlite3_errmsg(db_));
  } catch (...) {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Ledger::~Ledger() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

void Ledger::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw InputError("ledger " + path_ + ": " + msg + " (is this a triptyque ledger file?)");
  }
}

void Ledger::migrate() {
  exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)");
  int version = 0;
  {
    Statement s(db_, "SELECT version FROM schema_version");
    if (sqlite3_step(s.get()) == SQLITE_ROW) version = sqlite3_column_int(s.get(), 0);
  }
  if (version > kSchemaVersion)
    throw InputError("the ledger " + path_ + " has schema version " + std::to_string(version) +
                     ", newer than this triptyque understands (" + std::to_string(kSchemaVersion) +
                     "): upgrade triptyque");
  for (int v = version; v < kSchemaVersion; ++v) {
    exec("BEGIN IMMEDIATE");
    try {
      exec(kMigrations[v]);
      exec("DELETE FROM schema_version");
      const std::string set =
          "INSERT INTO schema_version(version) VALUES (" + std::to_string(v + 1) + ")";
      exec(set.c_str());
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }
}

void Ledger::append(const LedgerRecord& r) {
  std::lock_guard lock(mutex_);
  insert_locked(r);
}

void Ledger::append_all(const std::vector<LedgerRecord>& rows) {
  if (rows.empty()) return;
  std::lock_guard lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    for (const auto& r : rows) insert_locked(r);
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Ledger::insert_locked(const LedgerRecord& r) {
  sqlite3_stmt* s = insert_;
  sqlite3_reset(s);
  bind_text(s, 1, r.request_id);
  sqlite3_bind_int64(s, 2, r.time_ms != 0 ? r.time_ms : now_ms());
  bind_text(s, 3, r.key_id);
  bind_text(s, 4, r.endpoint);
  bind_text(s, 5, r.route);
  bind_text(s, 6, r.reason);
  bind_text(s, 7, r.provider);
  bind_text(s, 8, r.model);
  bind_text(s, 9, r.task);
  sqlite3_bind_int(s, 10, r.is_local ? 1 : 0);
  sqlite3_bind_int64(s, 11, r.prompt_tokens);
  sqlite3_bind_int64(s, 12, r.completion_tokens);
  sqlite3_bind_double(s, 13, r.ttft_ms);
  sqlite3_bind_double(s, 14, r.total_ms);
  sqlite3_bind_double(s, 15, r.cost_eur);
  bind_text(s, 16, r.status);
  bind_text(s, 17, r.error);
  sqlite3_bind_int(s, 18, r.attempt);
  bind_text(s, 19, r.cascade_role);
  sqlite3_bind_int(s, 20, r.escalated ? 1 : 0);
  if (r.is_local) {
    sqlite3_bind_double(s, 21, r.cpu_ms);
    sqlite3_bind_double(s, 22, r.energy_wh);
  } else {
    sqlite3_bind_null(s, 21);
    sqlite3_bind_null(s, 22);
  }
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) throw Error(std::string("ledger append: ") + sqlite3_errmsg(db_));
}

void Ledger::checkpoint(const Checkpoint& c) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO checkpoints(time_ms, store, head_hash, entries) VALUES (?,?,?,?)");
  sqlite3_bind_int64(s.get(), 1, c.time_ms != 0 ? c.time_ms : now_ms());
  bind_text(s.get(), 2, c.store);
  bind_text(s.get(), 3, c.head_hash);
  sqlite3_bind_int64(s.get(), 4, c.entries);
  if (sqlite3_step(s.get()) != SQLITE_DONE)
    throw Error(std::string("ledger checkpoint: ") + sqlite3_errmsg(db_));
}

std::optional<Checkpoint> Ledger::last_checkpoint(const std::string& store) const {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT time_ms, store, head_hash, entries FROM checkpoints WHERE store = ? "
              "ORDER BY id DESC LIMIT 1");
  bind_text(s.get(), 1, store);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return Checkpoint{sqlite3_column_int64(s.get(), 0), text_column(s.get(), 1),
                    text_column(s.get(), 2), sqlite3_column_int64(s.get(), 3)};
}

std::vector<LedgerRecord> Ledger::attempts(int64_t since_ms) const {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT request_id, time_ms, key_id, endpoint, route, reason, provider, model, "
              "task, is_local, prompt_tokens, completion_tokens, ttft_ms, total_ms, cost_eur, "
              "status, error, attempt, cascade_role, escalated, cpu_ms, energy_wh FROM attempts "
              "WHERE time_ms >= ? "
              "ORDER BY id");
  sqlite3_bind_int64(s.get(), 1, since_ms);
  std::vector<LedgerRecord> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    sqlite3_stmt* q = s.get();
    LedgerRecord r;
    r.request_id = text_column(q, 0);
    r.time_ms = sqlite3_column_int64(q, 1);
    r.key_id = text_column(q, 2);
    r.endpoint = text_column(q, 3);
    r.route = text_column(q, 4);
    r.reason = text_column(q, 5);
    r.provider = text_column(q, 6);
    r.model = text_column(q, 7);
    r.task = text_column(q, 8);
    r.is_local = sqlite3_column_int(q, 9) != 0;
    r.prompt_tokens = sqlite3_column_int64(q, 10);
    r.completion_tokens = sqlite3_column_int64(q, 11);
    r.ttft_ms = sqlite3_column_double(q, 12);
    r.total_ms = sqlite3_column_double(q, 13);
    r.cost_eur = sqlite3_column_double(q, 14);
    r.status = text_column(q, 15);
    r.error = text_column(q, 16);
    r.attempt = sqlite3_column_int(q, 17);
    r.cascade_role = text_column(q, 18);
    r.escalated = sqlite3_column_int(q, 19) != 0;
    r.cpu_ms = sqlite3_column_double(q, 20);  // NULL reads as 0
    r.energy_wh = sqlite3_column_double(q, 21);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ReportRow> Ledger::report(int64_t since_ms) const {
  struct Acc {
    ReportRow row;
    std::vector<double> latencies;
    std::vector<std::string> requests;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Acc> groups;
  for (const auto& a : attempts(since_ms)) {
    Acc& g = groups[{a.route, a.provider, a.model}];
    g.row.route = a.route;
    g.row.provider = a.provider;
    g.row.model = a.model;
    g.row.is_local = a.is_local;
    g.row.attempts++;
    if (a.status == "error") g.row.errors++;
    g.row.prompt_tokens += a.prompt_tokens;
    g.row.completion_tokens += a.completion_tokens;
    g.row.cost_eur += a.cost_eur;
    g.row.cpu_ms += a.cpu_ms;
    g.row.energy_wh += a.energy_wh;
    if (a.status == "ok") g.latencies.push_back(a.total_ms);
    g.requests.push_back(a.request_id);
  }
  std::vector<ReportRow> rows;
  rows.reserve(groups.size());
  for (auto& [key, g] : groups) {
    std::sort(g.requests.begin(), g.requests.end());
    g.row.calls = std::unique(g.requests.begin(), g.requests.end()) - g.requests.begin();
    g.row.p50_ms = percentile(g.latencies, 50);
    g.row.p95_ms = percentile(g.latencies, 95);
    rows.push_back(std::move(g.row));
  }
  return rows;
}

void Ledger::append_text(const CallText& t) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT OR REPLACE INTO call_texts(request_id, time_ms, prompt, answer) "
              "VALUES (?,?,?,?)");
  bind_text(s.get(), 1, t.request_id);
  sqlite3_bind_int64(s.get(), 2, t.time_ms != 0 ? t.time_ms : now_ms());
  bind_text(s.get(), 3, t.prompt);
  bind_text(s.get(), 4, t.answer);
  if (sqlite3_step(s.get()) != SQLITE_DONE)
    throw Error(std::string("ledger text: ") + sqlite3_errmsg(db_));
}

std::vector<CallText> Ledger::texts(int64_t since_ms) const {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT request_id, time_ms, prompt, answer FROM call_texts WHERE time_ms >= ? "
              "ORDER BY time_ms");
  sqlite3_bind_int64(s.get(), 1, since_ms);
  std::vector<CallText> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW)
    out.push_back(CallText{text_column(s.get(), 0), sqlite3_column_int64(s.get(), 1),
                           text_column(s.get(), 2), text_column(s.get(), 3)});
  return out;
}

int64_t Ledger::purge_before(int64_t cutoff_ms) {
  std::lock_guard lock(mutex_);
  Statement attempts(db_, "DELETE FROM attempts WHERE time_ms < ?");
  sqlite3_bind_int64(attempts.get(), 1, cutoff_ms);
  if (sqlite3_step(attempts.get()) != SQLITE_DONE)
    throw Error(std::string("ledger purge: ") + sqlite3_errmsg(db_));
  const int64_t n = sqlite3_changes(db_);
  // Each store's latest checkpoint stays: it is what the audit log is verified against.
  Statement checkpoints(db_,
                        "DELETE FROM checkpoints WHERE time_ms < ? AND id NOT IN "
                        "(SELECT MAX(id) FROM checkpoints GROUP BY store)");
  sqlite3_bind_int64(checkpoints.get(), 1, cutoff_ms);
  if (sqlite3_step(checkpoints.get()) != SQLITE_DONE)
    throw Error(std::string("ledger purge: ") + sqlite3_errmsg(db_));
  return n;
}

int64_t Ledger::purge_texts_before(int64_t cutoff_ms) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM call_texts WHERE time_ms < ?");
  sqlite3_bind_int64(s.get(), 1, cutoff_ms);
  if (sqlite3_step(s.get()) != SQLITE_DONE)
    throw Error(std::string("ledger purge: ") + sqlite3_errmsg(db_));
  return sqlite3_changes(db_);
}

int64_t Ledger::erase_texts_containing(const std::string& needle) {
  if (needle.empty()) return 0;
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "DELETE FROM call_texts WHERE instr(lower(prompt), lower(?1)) > 0 "
              "OR instr(lower(answer), lower(?1)) > 0");
  bind_text(s.get(), 1, needle);
  if (sqlite3_step(s.get()) != SQLITE_DONE)
    throw Error(std::string("ledger erase: ") + sqlite3_errmsg(db_));
  return sqlite3_changes(db_);
}

int64_t Ledger::count() const {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM attempts");
  return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : 0;
}

void Ledger::flush() {
  std::lock_guard lock(mutex_);
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

}  // namespace tq

// The ledger: an append-only record of every gateway call and every attempt inside it
// (retries, fallbacks, cascade steps), in its own SQLite file (WAL), so the costs and
// latencies `triptyque report` shows are measured on the user's own traffic. It stores no
// prompt or answer text and no API key secret (only the key's name).
//
// Thread-safe: many server threads append at once; each append is one short transaction
// under a mutex (an INSERT into a WAL file, tens of microseconds), and readers (report)
// use their own connection, so WAL lets them read while the server writes.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace tq {

struct LedgerRecord {
  std::string request_id;  // one per client call; its attempts share it
  int64_t time_ms = 0;     // Unix epoch milliseconds of the attempt's start (0: now)
  std::string key_id;      // the API key's name, never the secret
  std::string endpoint;    // chat | completions | embeddings
  std::string route;       // e.g. explicit, auto:slm, cascade
  std::string reason;      // the router's words
  std::string provider;
  std::string model;
  std::string task;
  bool is_local = false;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double ttft_ms = 0;
  double total_ms = 0;
  double cost_eur = 0;
  // The local engine's measured CPU time and energy estimate (schema v3). Written only
  // for local attempts (NULL for remote ones, read back as 0).
  double cpu_ms = 0;
  double energy_wh = 0;
  std::string status;        // ok | cancelled | error
  std::string error;         // the error text when status is error
  int attempt = 1;           // 1-based within the request
  std::string cascade_role;  // "" | slm | llm
  bool escalated = false;
};

// The text of one call, kept only when the configuration asks for it ([ledger] log_text),
// for a retention period of its own; `triptyque erase --subject` removes the texts that
// mention a data subject.
struct CallText {
  std::string request_id;
  int64_t time_ms = 0;  // 0: now
  std::string prompt;   // the messages as sent by the client (JSON)
  std::string answer;
};

struct Checkpoint {
  int64_t time_ms = 0;
  std::string store;      // e.g. "guard.audit"
  std::string head_hash;  // that store's head
  int64_t entries = 0;
};

// One row of the report: per route, provider and model.
struct ReportRow {
  std::string route;
  std::string provider;
  std::string model;
  bool is_local = false;
  int64_t calls = 0;  // distinct request ids
  int64_t attempts = 0;
  int64_t errors = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double cost_eur = 0;
  double cpu_ms = 0;  // local attempts only
  double energy_wh = 0;
  double eur_per_mtok() const;
  double wh_per_mtok() const;  // energy per million tokens (prompt + completion)
};

class Ledger {
 public:
  static constexpr int kSchemaVersion = 3;

  // Opens (creating) the file; migrates an older schema forward; InputError when the file
  // is not a ledger or comes from a newer triptyque.
  explicit Ledger(const std::string& path);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  void append(const LedgerRecord& r);
  // Many rows in one transaction (the gateway's writer batches them).
  void append_all(const std::vector<LedgerRecord>& rows);
  void append_text(const CallText& t);
  std::vector<CallText> texts(int64_t since_ms = 0) const;
  void checkpoint(const Checkpoint& c);
  std::optional<Checkpoint> last_checkpoint(const std::string& store) const;

  // Attempts since `since_ms` (epoch ms; 0: all), in insertion order.
  std::vector<LedgerRecord> attempts(int64_t since_ms = 0) const;
  std::vector<ReportRow> report(int64_t since_ms = 0) const;
  int64_t count() const;

  // Retention: deletes attempts (and the checkpoints, except each store's latest) older
  // than `cutoff_ms`; returns how many attempts went.
  int64_t purge_before(int64_t cutoff_ms);
  int64_t purge_texts_before(int64_t cutoff_ms);
  // Erasure: deletes every call text that contains `needle` (ASCII case-insensitive);
  // returns how many. Attempt rows hold no text, so they stay (costs remain provable).
  int64_t erase_texts_containing(const std::string& needle);
  // Makes what was appended durable (a WAL checkpoint); called on shutdown.
  void flush();

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql) const;
  void migrate();
  void insert_locked(const LedgerRecord& r);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  mutable std::mutex mutex_;
};

// The nearest-rank percentile (p in [0, 100]) of `values` (sorted in place); 0 when empty.
double percentile(std::vector<double>& values, double p);

}  // namespace tq

#include "guard/audit.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/error.h"
#include "guard/guard.h"

namespace tq::guard {
namespace {

constexpr std::string_view kMagic = "triptyque-audit";
constexpr int kSchemaVersion = 1;
const std::string kGenesis(64, '0');

// One prepared statement, finalised on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw Error(std::string("audit log: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("audit log: ") + sqlite3_errmsg(db_));
  }
  std::string text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
    return p == nullptr ? std::string()
                        : std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i)));
  }
  int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw Error("audit log: " + msg);
  }
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw Error("audit log: SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string now_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// Where the chain starts: the genesis, or the last entry removed by retention (its hash and
// seq are kept in meta, so the entries that remain still chain from a known point).
AuditHead read_base(sqlite3* db) {
  AuditHead base{kGenesis, 0};
  Stmt s(db, "SELECT key, value FROM meta WHERE key IN ('base_hash', 'base_seq')");
  while (s.step()) {
    if (s.text(0) == "base_hash") base.hash = s.text(1);
    if (s.text(0) == "base_seq") base.count = std::stoll(s.text(1));
  }
  return base;
}

AuditHead read_head(sqlite3* db) {
  Stmt s(db, "SELECT hash, seq FROM entries ORDER BY seq DESC LIMIT 1");
  if (!s.step()) return read_base(db);
  return {s.text(0), s.integer(1)};
}

constexpr const char* kNoDeleteTrigger =
    "CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

}  // namespace

std::string audit_entry_hash(int64_t seq, std::string_view ts, std::string_view kind,
                             std::string_view request_id, std::string_view detail,
                             std::string_view prev_hash) {
  const nlohmann::json canonical = {seq, ts, kind, request_id, detail};
  return sha256_hex(canonical.dump() + "\n" + std::string(prev_hash));
}

AuditHead parse_checkpoint(std::string_view text) {
  const size_t colon = text.find(':');
  auto bad = [&] {
    return InputError("checkpoint \"" + std::string(text) +
                      "\": expected HASH:COUNT (64 hex digits, a colon, an entry count), as "
                      "printed by `triptyque audit head`");
  };
  if (colon != 64) throw bad();
  AuditHead h;
  h.hash = std::string(text.substr(0, 64));
  for (char c : h.hash)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw bad();
  const std::string_view n = text.substr(65);
  if (n.empty() || n.size() > 18) throw bad();
  for (char c : n) {
    if (c < '0' || c > '9') throw bad();
    h.count = h.count * 10 + (c - '0');
  }
  return h;
}

AuditLog::AuditLog(const std::string& path, bool read_only) : path_(path) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError("cannot open audit log " + path + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    if (!read_only) {
      exec(db_, "PRAGMA journal_mode=WAL");
      // As the ledger: durable across a crash of the process, one fsync per checkpoint
      // instead of per entry (the gateway appends one entry per request).
      exec(db_, "PRAGMA synchronous=NORMAL");
      exec(db_,
           "BEGIN IMMEDIATE;"
           "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
           "INSERT OR IGNORE INTO meta VALUES('magic', 'triptyque-audit'), ('version', '1');"
           "CREATE TABLE IF NOT EXISTS entries(seq INTEGER PRIMARY KEY, ts TEXT NOT NULL,"
           " kind TEXT NOT NULL, request_id TEXT NOT NULL, detail TEXT NOT NULL,"
           " prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
           // Defence in depth: the library never updates or deletes; the hash chain is
           // what proves it, since anyone with the file can drop these triggers.
           "CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries"
           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
           "CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries"
           " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
           "COMMIT;");
    }
    Stmt m(db_, "SELECT key, value FROM meta");
    std::string magic;
    std::string version;
    while (m.step()) {
      if (m.text(0) == "magic") magic = m.text(1);
      if (m.text(0) == "version") version = m.text(1);
    }
    if (magic != kMagic)
      throw InputError(path + " is not a triptyque audit log (meta.magic is \"" + magic + "\")");
    if (version != std::to_string(kSchemaVersion))
      throw UnsupportedError(path + ": audit log schema version " + version +
                             " (this build reads version 1)");
  } catch (const InputError&) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  } catch (const UnsupportedError&) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  } catch (const std::exception& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError(path + " is not a readable triptyque audit log (" + e.what() + ")");
  }
}

AuditLog::~AuditLog() {
  sqlite3_close(db_);
}

AuditHead AuditLog::append(std::string_view kind, std::string_view request_id,
                           const nlohmann::json& detail) {
  return append_all({AuditEvent{std::string(kind), std::string(request_id), detail}});
}

AuditHead AuditLog::append_all(const std::vector<AuditEvent>& events) {
  const std::lock_guard lock(mu_);
  exec(db_, "BEGIN IMMEDIATE");
  try {
    AuditHead head = read_head(db_);
    Stmt ins(db_, "INSERT INTO entries VALUES(?,?,?,?,?,?,?)");
    for (const AuditEvent& e : events) {
      const std::string detail_text = e.detail.dump();
      const int64_t seq = head.count + 1;
      const std::string ts = now_utc();
      const std::string hash =
          audit_entry_hash(seq, ts, e.kind, e.request_id, detail_text, head.hash);
      ins.reset();
      ins.bind(1, seq);
      ins.bind(2, ts);
      ins.bind(3, e.kind);
      ins.bind(4, e.request_id);
      ins.bind(5, detail_text);
      ins.bind(6, head.hash);
      ins.bind(7, hash);
      ins.step();
      head = {hash, seq};
    }
    exec(db_, "COMMIT");
    return head;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

nlohmann::json decision_detail(const Verdict& verdict, std::string_view route) {
  nlohmann::json counts = nlohmann::json::object();
  for (size_t i = 0; i < verdict.counts.size(); ++i)
    if (verdict.counts[i] != 0)
      counts[std::string(type_name(static_cast<EntityType>(i)))] = verdict.counts[i];
  return {{"entities", counts},
          {"decision", action_name(verdict.action)},
          {"route", route},
          {"reasons", verdict.reasons}};
}

AuditHead AuditLog::record_decision(std::string_view request_id, const Verdict& verdict,
                                    std::string_view route) {
  return append("decision", request_id, decision_detail(verdict, route));
}

AuditHead AuditLog::record_erasure(std::string_view subject_kind, int64_t count) {
  return append("erasure", "", {{"subject_kind", subject_kind}, {"count", count}});
}

int64_t AuditLog::purge_before(std::string_view cutoff_ts) {
  int64_t removed = 0;
  {
    const std::lock_guard lock(mu_);
    exec(db_, "BEGIN IMMEDIATE");
    try {
      Stmt last(db_, "SELECT seq, hash FROM entries WHERE ts < ? ORDER BY seq DESC LIMIT 1");
      last.bind(1, cutoff_ts);
      if (last.step()) {
        const int64_t seq = last.integer(0);
        const std::string hash = last.text(1);
        const AuditHead base = read_base(db_);
        // The no-delete trigger guards against accidents; retention is the one sanctioned
        // deletion, and it keeps the chain's new starting point.
        exec(db_, "DROP TRIGGER IF EXISTS entries_no_delete");
        Stmt del(db_, "DELETE FROM entries WHERE seq <= ?");
        del.bind(1, seq);
        del.step();
        exec(db_, kNoDeleteTrigger);
        Stmt meta(db_, "INSERT OR REPLACE INTO meta VALUES('base_seq', ?), ('base_hash', ?)");
        meta.bind(1, std::to_string(seq));
        meta.bind(2, hash);
        meta.step();
        removed = seq - base.count;
      }
      exec(db_, "COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  if (removed > 0)
    append("retention", "", {{"removed", removed}, {"before", std::string(cutoff_ts)}});
  return removed;
}

AuditHead AuditLog::head() const {
  const std::lock_guard lock(mu_);
  return read_head(db_);
}

AuditVerification AuditLog::verify(const std::optional<AuditHead>& checkpoint) const {
  const std::lock_guard lock(mu_);
  AuditVerification v;
  auto fail = [&v](int64_t seq, std::string msg) {
    v.ok = false;
    v.bad_entry = seq;
    v.error = std::move(msg);
    return v;
  };
  Stmt s(db_,
         "SELECT seq, ts, kind, request_id, detail, prev_hash, hash FROM entries ORDER BY seq");
  const AuditHead base = read_base(db_);
  std::string prev = base.hash;
  int64_t expected = base.count + 1;
  v.entries = base.count;
  std::string at_checkpoint;
  while (s.step()) {
    const int64_t seq = s.integer(0);
    if (seq != expected)
      return fail(expected, "entry " + std::to_string(expected) + " is missing (next is " +
                                std::to_string(seq) + "): entries were deleted");
    if (s.text(5) != prev)
      return fail(seq, "entry " + std::to_string(seq) +
                           ": prev_hash does not match the entry before it (deleted or "
                           "reordered entries)");
    const std::string hash =
        audit_entry_hash(seq, s.text(1), s.text(2), s.text(3), s.text(4), prev);
    if (hash != s.text(6))
      return fail(seq, "entry " + std::to_string(seq) +
                           ": content does not match its hash "
                           "(the entry was edited)");
    prev = hash;
    if (checkpoint && seq == checkpoint->count) at_checkpoint = hash;
    v.entries = seq;
    ++expected;
  }
  // A checkpoint from before the retention cut can only be compared at the cut itself.
  if (checkpoint && checkpoint->count == base.count && base.count > 0 &&
      checkpoint->hash != base.hash)
    return fail(base.count, "the checkpoint's hash differs from the retention cut's");
  if (checkpoint && checkpoint->count > base.count) {
    if (v.entries < checkpoint->count)
      return fail(v.entries + 1, "the log ends at entry " + std::to_string(v.entries) +
                                     " but the checkpoint covers " +
                                     std::to_string(checkpoint->count) +
                                     " entries: its tail was cut off");
    if (at_checkpoint != checkpoint->hash)
      return fail(checkpoint->count, "entry " + std::to_string(checkpoint->count) +
                                         ": hash differs from the checkpoint (the log was "
                                         "rewritten up to there)");
  }
  return v;
}

}  // namespace tq::guard

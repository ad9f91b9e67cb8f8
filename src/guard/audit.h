// The audit trail: an append-only, hash-chained log of what the guard detected and what
// crossed the boundary — entity types and counts, decisions, routes; never raw values.
// Its own SQLite file (WAL). Each entry's hash is SHA-256 over its canonical form and the
// previous entry's hash, so an edit, a deletion or a reordering breaks the chain; the
// head (last hash + count) is checkpointed in another store (the ledger), so cutting
// entries off the tail is detected too when verify() is given that checkpoint.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace tq::guard {

struct Verdict;

struct AuditHead {
  std::string hash;  // hex SHA-256 of the last entry; 64 zeros for an empty log
  int64_t count = 0;
  std::string to_string() const { return hash + ":" + std::to_string(count); }
};
// "HASH:COUNT" as printed by `triptyque audit head`; InputError when malformed.
AuditHead parse_checkpoint(std::string_view text);

struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t bad_entry = 0;  // seq of the first entry that fails, 0 if none
  std::string error;      // what failed, naming the entry
};

// One entry to append (see AuditLog::append).
struct AuditEvent {
  std::string kind;
  std::string request_id;
  nlohmann::json detail;
};

class AuditLog {
 public:
  // Opens or creates the log at `path`. `read_only` opens an existing file only.
  explicit AuditLog(const std::string& path, bool read_only = false);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one entry; `detail` must hold no raw personal values (types, counts,
  // decisions). Safe across threads and processes (BEGIN IMMEDIATE).
  AuditHead append(std::string_view kind, std::string_view request_id,
                   const nlohmann::json& detail);
  // Several entries in one transaction (the gateway's writer batches one per request);
  // returns the new head. Nothing is written when it throws.
  AuditHead append_all(const std::vector<AuditEvent>& events);
  // A guard decision: counts per entity type, the action and the route taken.
  AuditHead record_decision(std::string_view request_id, const Verdict& verdict,
                            std::string_view route);
  // An erasure (GDPR art. 17) carried out by `triptyque erase`: what kind of subject
  // (document, email, …) and how many records were removed — not who.
  AuditHead record_erasure(std::string_view subject_kind, int64_t count);

  // Retention: removes the entries written before `cutoff_ts` (UTC, the entries' own
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" format). The chain then starts at the last removed entry,
  // whose seq and hash are kept; the removal is itself appended as a "retention" entry.
  // Returns how many entries went.
  int64_t purge_before(std::string_view cutoff_ts);

  AuditHead head() const;
  AuditVerification verify(const std::optional<AuditHead>& checkpoint = std::nullopt) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  mutable std::mutex mu_;
};

// The detail of a guard decision entry: {"entities": {TYPE: count}, "decision", "route",
// "reasons"} — types and counts, never values.
nlohmann::json decision_detail(const Verdict& verdict, std::string_view route);

// The hash of an entry: SHA-256 (hex) of its canonical JSON [seq, ts, kind, request_id,
// detail] followed by "\n" and the previous hash.
std::string audit_entry_hash(int64_t seq, std::string_view ts, std::string_view kind,
                             std::string_view request_id, std::string_view detail,
                             std::string_view prev_hash);

}  // namespace tq::guard

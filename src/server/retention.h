// GDPR storage limitation: how long each store keeps what it records ([retention] in the
// config), and the purge that enforces it — at start-up and periodically while serving.
// Every purge that removed something is itself written to the audit log (counts only).
//
//   [retention]
//   ledger_days = 400        # attempt rows and checkpoints (costs, latencies; no text)
//   ledger_text_days = 30    # call texts, kept only with [ledger] log_text = true
//   audit_days = 1095        # the audit log (types and counts; the chain keeps its cut)
//   plans_days = 90          # plan-and-execute state (inputs and outputs of steps)
//   check_interval_s = 3600  # how often `serve` enforces them
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <toml++/toml.h>

namespace tq {

class Ledger;
namespace guard {
class AuditLog;
}

struct RetentionPolicy {
  std::optional<int> ledger_days;       // unset: kept until erased by hand
  std::optional<int> ledger_text_days;  // defaults to 30 when texts are logged
  std::optional<int> audit_days;
  std::optional<int> plans_days;
  int check_interval_s = 3600;

  // InputError naming the key for a wrong type or a negative period.
  static RetentionPolicy from_config(const toml::table& config);
};

// What one enforcement removed, by store ("ledger", "ledger_text", "audit", "plans").
using RetentionReport = std::map<std::string, int64_t>;

// Purges every store that has a period; `plans_path` empty: no plan store configured.
// `now_ms`: Unix epoch milliseconds (tests move time).
RetentionReport enforce_retention(const RetentionPolicy& policy, Ledger& ledger,
                                  guard::AuditLog& audit, const std::filesystem::path& plans_path,
                                  int64_t now_ms);

// "YYYY-MM-DDTHH:MM:SS.mmmZ" of an epoch-milliseconds instant (the audit log's format).
std::string utc_timestamp(int64_t epoch_ms);

}  // namespace tq

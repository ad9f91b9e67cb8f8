#include "server/retention.h"

#include <ctime>

#include "core/config.h"
#include "core/error.h"
#include "guard/audit.h"
#include "ledger/ledger.h"
#include "tasks/plan/plan_store.h"

namespace tq {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::optional<int> days(const toml::table& config, const char* key) {
  const auto v = config_int(config, key);
  if (!v) return std::nullopt;
  if (*v < 0 || *v > 36500)
    throw InputError(std::string("config key ") + key + " must be between 0 and 36500 days");
  return static_cast<int>(*v);
}

}  // namespace

RetentionPolicy RetentionPolicy::from_config(const toml::table& config) {
  RetentionPolicy p;
  p.ledger_days = days(config, "retention.ledger_days");
  p.ledger_text_days = days(config, "retention.ledger_text_days");
  p.audit_days = days(config, "retention.audit_days");
  p.plans_days = days(config, "retention.plans_days");
  if (auto v = config_int(config, "retention.check_interval_s")) {
    if (*v < 1 || *v > 86400 * 7)
      throw InputError("config key retention.check_interval_s must be between 1 and 604800");
    p.check_interval_s = static_cast<int>(*v);
  }
  return p;
}

std::string utc_timestamp(int64_t epoch_ms) {
  const auto t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  return buf;
}

RetentionReport enforce_retention(const RetentionPolicy& policy, Ledger& ledger,
                                  guard::AuditLog& audit, const std::filesystem::path& plans_path,
                                  int64_t now_ms) {
  RetentionReport report;
  auto cutoff = [&](int d) { return now_ms - static_cast<int64_t>(d) * kDayMs; };
  if (policy.ledger_days) report["ledger"] = ledger.purge_before(cutoff(*policy.ledger_days));
  if (policy.ledger_text_days)
    report["ledger_text"] = ledger.purge_texts_before(cutoff(*policy.ledger_text_days));
  if (policy.plans_days && !plans_path.empty() && std::filesystem::exists(plans_path)) {
    tasks::PlanStore plans(plans_path.string());
    // Plans stamp created_at to the second, without milliseconds.
    std::string ts = utc_timestamp(cutoff(*policy.plans_days));
    ts = ts.substr(0, 19) + "Z";
    report["plans"] = plans.purge_before(ts);
  }
  // The audit log last: it records what the others removed, then ages out itself.
  nlohmann::json removed = nlohmann::json::object();
  for (const auto& [store, n] : report)
    if (n > 0) removed[store] = n;
  if (!removed.empty()) audit.append("retention", "", {{"removed", removed}});
  if (policy.audit_days)
    report["audit"] = audit.purge_before(utc_timestamp(cutoff(*policy.audit_days)));
  return report;
}

}  // namespace tq

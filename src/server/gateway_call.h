// One client call as the ledger and the audit log see it (shared by the gateway's route
// files; not part of the gateway's interface).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "guard/guard.h"
#include "ledger/ledger.h"
#include "providers/provider.h"
#include "server/gateway.h"

namespace tq {

struct Gateway::Call {
  std::string request_id;
  int64_t time_ms = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string key_name;
  std::string endpoint;
  std::string route_kind;  // Route::kind(), or "refused" / "blocked" before any route
  std::string reason;
  std::string task;
  std::vector<AttemptRecord> attempts;  // every upstream attempt, in order
  bool escalated = false;
  std::string outcome = "ok";  // ok | error | cancelled | refused | blocked
  std::string error;
  std::optional<guard::Verdict> verdict;  // set once the guard looked: audited
  std::string audit_route;                // what the audit entry says happened
  std::optional<CallText> text;           // [ledger] log_text
};

int64_t unix_ms();
std::string random_id(const std::string& prefix);
// ProviderError → the HTTP status a client should see.
int status_of(const ProviderError& e);

}  // namespace tq

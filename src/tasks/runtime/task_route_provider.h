// The small or large model of one task run, as a Provider: a call goes down the route the
// router's task rule gave (primary, then fallbacks on retryable errors, budget reserved
// around each paid call — router/executor.h), and every attempt becomes a ledger row
// tagged with the task, the key and the role (slm, llm, planner). Tasks keep calling a plain
// `Provider*` (tasks/jobs/context.h) and know nothing of routes, guards or ledgers.
//
// Every call passes the guard first, as a gateway request does (router/guarded_provider.h):
// the prompt a task built — a ticket, an e-mail, retrieved passages — is scanned; a Block
// verdict refuses the call, local-only findings keep it (and the rest of the run) on local
// targets, and remote targets see placeholders and answer with them, re-identified before
// the task reads the answer. One audit decision per call.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/error.h"
#include "guard/guard.h"
#include "providers/provider.h"
#include "router/budget.h"
#include "router/guarded_provider.h"
#include "router/route.h"

namespace tq {
class Ledger;
class ProviderRegistry;
}  // namespace tq

namespace tq::tasks {

// The request may not leave the machine and the route has no local model for it (403).
class LocalOnlyRefusal : public Error {
 public:
  using Error::Error;
};

// The data guard refused a model call (a Block verdict, or the guard failed: fail closed;
// HTTP 403 blocked_by_guard).
class GuardRefusal : public Error {
 public:
  using Error::Error;
};

// How a task run's model calls meet the guard. `guard` is never null when calls are made.
struct TaskGuard {
  std::shared_ptr<const guard::Guard> guard;
  // Entity types that keep a call local (router.local_only_findings aligned with the
  // guard's policy, as the gateway's router reads them).
  std::vector<std::string> local_only_findings;
  DecisionAudit audit;  // empty: decisions are not audited
};

// What the ledger rows of one task run share. `local_only` may be set while the run goes
// (a retrieved passage carries a local-only label): later calls then keep to local models.
struct TaskCallTags {
  std::string run_id;  // request ids are run_id.1, run_id.2, … one per model call
  std::string key_name;
  std::string task;
  bool cascade = false;  // an SLM answers first: the LLM's calls are escalations
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> local_only = std::make_shared<std::atomic<bool>>(false);
};

class TaskRouteProvider : public Provider {
 public:
  // `role`: slm | llm | planner. `budgets` and `ledger` may be null (no limits, no records);
  // `guard` outlives this object.
  TaskRouteProvider(Route route, std::string role, const ProviderRegistry& registry,
                    BudgetTracker* budgets, Ledger* ledger, const TaskGuard& guard,
                    TaskCallTags tags);

  const std::string& name() const override { return route_.primary.provider; }
  bool is_local() const override { return route_.primary.local; }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override;

  const Route& route() const { return route_; }

 private:
  void record(const AttemptRecord& a, const std::string& request_id, const Route& used) const;
  // The route this call may take after the guard read `verdict` (local targets only when
  // the run's data or the findings require it); throws GuardRefusal / LocalOnlyRefusal,
  // audited, when it may take none.
  Route guarded_route(const guard::Verdict& verdict, const std::string& request_id) const;
  void audit(const std::string& request_id, const guard::Verdict& v, const std::string& what) const;

  Route route_;
  std::string role_;
  const ProviderRegistry& registry_;
  BudgetTracker* budgets_;
  Ledger* ledger_;
  const TaskGuard& guard_;
  TaskCallTags tags_;
};

}  // namespace tq::tasks

// The small or large model of one task run, as a Provider: a call goes down the route the
// router's task rule gave (primary, then fallbacks on retryable errors, budget reserved
// around each paid call — router/executor.h), and every attempt becomes a ledger row
// tagged with the task, the key and the role (slm, llm, planner). Tasks keep calling a plain
// `Provider*` (tasks/jobs/context.h) and know nothing of routes or ledgers.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/error.h"
#include "providers/provider.h"
#include "router/executor.h"
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
  // `role`: slm | llm | planner. `ledger` may be null (no records).
  TaskRouteProvider(Route route, std::string role, const RouteExecutor& executor,
                    const ProviderRegistry& registry, Ledger* ledger, TaskCallTags tags);

  const std::string& name() const override { return route_.primary.provider; }
  bool is_local() const override { return route_.primary.local; }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override;

  const Route& route() const { return route_; }

 private:
  void record(const AttemptRecord& a, const std::string& request_id, const Route& used) const;

  Route route_;
  std::string role_;
  const RouteExecutor& executor_;
  const ProviderRegistry& registry_;
  Ledger* ledger_;
  TaskCallTags tags_;
};

}  // namespace tq::tasks

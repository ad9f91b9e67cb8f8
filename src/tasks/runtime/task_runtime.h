// What runs the built-in tasks for real: built from the configuration and a provider
// registry, it gives every task run its TaskContext (tasks/jobs/context.h) — the small and
// large models the router's task rules name (through TaskRouteProvider: the guard,
// fallbacks, budgets, one ledger row per attempt), the knowledge base, the trained ticket
// classifier, the categories — and runs plans against a resumable SQLite plan store.
//
// Owned by whoever owns the registry and the ledger (`triptyque run`, the gateway); it
// borrows both, holds no HTTP code, and is safe to call from many threads at once.
//
// Configuration ([tasks], paths relative to the config file's folder):
//   kb = "triptyque-kb.sqlite"       knowledge base (default: $TQ_KB, else that file
//                                     beside the config when it exists)
//   kb_labels = ["public", "internal"]  access labels the tasks may read
//   classifier = "tickets.tqc"       ticket_analysis' category model (train-classifier)
//   categories = ["livraison", …]    ticket categories when there is no classifier
//   slm = "local/qwen2.5-0.5b"       default small model (a model id, as /v1/models lists)
//   llm = "openai/gpt-4o-mini"       default large model: plans, escalations
//   plans = "triptyque-plans.sqlite" plan state;  max_parallel = 2;  seed = 42
//   relevance_floor = 0.0;  retrieve_k = 5
// Per-task routes come from [router.tasks.NAME] (router/router.h): mode slm | llm |
// cascade with slm / llm targets and fallbacks; "plan" names the planner's rule.
// Without a rule a task uses the default small model (tasks.slm, else $TRIPTYQUE_MODEL,
// else the first local model) and escalates to the default large model (tasks.llm, else
// the first remote model) when one is configured.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "router/budget.h"
#include "router/executor.h"
#include "router/guarded_provider.h"
#include "router/route.h"
#include "router/router.h"
#include "tasks/jobs/context.h"
#include "tasks/runtime/task_route_provider.h"

namespace tq {
class Ledger;
class ProviderRegistry;
}  // namespace tq

namespace tq::tasks {

class KnowledgeSource;
class PlanStore;
class TextClassifier;

struct TaskSettings {
  std::filesystem::path kb;  // empty: no knowledge base
  std::vector<std::string> kb_labels = {"public", "internal"};
  std::filesystem::path classifier;  // empty: the model picks the category
  std::vector<std::string> categories;
  std::string slm, llm;  // model ids; empty: chosen as the header says
  std::filesystem::path plans = "triptyque-plans.sqlite";
  int max_parallel = 2;
  std::optional<uint64_t> seed;
  double relevance_floor = 0;
  int retrieve_k = 5;

  // Reads [tasks]; InputError naming the key for a mistyped value.
  static TaskSettings from_config(const toml::table& config, const std::filesystem::path& base_dir);
};

// No model is configured for a task that needs one (HTTP 503; for the CLI, a
// configuration the user fixes).
class NoModelConfigured : public InputError {
 public:
  using InputError::InputError;
};

// No built-in task, or no stored plan, has that name (HTTP 404).
class NotFoundError : public InputError {
 public:
  using InputError::InputError;
};

// Who asks, and what the run may do.
struct TaskCaller {
  std::string run_id;       // ledger request ids are run_id.1, run_id.2…; empty: generated
  std::string key_name;     // the API key's name: ledger rows and budgets
  bool local_only = false;  // x-triptyque-data: local-only — remote models are not used
  std::function<void(const TaskEvent&)> on_event;  // progress, from worker threads
};

// The models a task runs on, and why.
struct TaskRouting {
  std::optional<Route> slm;  // answers first (null: the LLM does everything)
  std::optional<Route> llm;  // escalation target, and the planner's model
};

// How the runtime meets the data guard. Every model call is guarded; these say which guard
// and where its decisions go.
struct TaskGuardSetup {
  // Borrowed, outlives the runtime (the gateway's own, so both read one policy); null: one
  // is built from the configuration's [guard] section.
  const guard::Guard* guard = nullptr;
  DecisionAudit audit;  // empty: decisions are not audited
};

// One line for people who have no model configured yet.
std::string add_model_hint();

// $TRIPTYQUE_MODEL=/path/model.gguf: adds a local provider serving that file to `registry`
// (named "local", or "local-env" when the configuration already has a "local"); nullopt
// when the variable is unset. InputError when the file is missing or not a GGUF model.
// A model trained on fewer than 2048 positions (a tiny test model) cannot hold a task's
// prompt: it runs with 4096 positions, and `note` says so.
struct EnvironmentModel {
  std::string id;    // "local/<file stem>"
  std::string note;  // for the user; empty when there is nothing to say
};
std::optional<EnvironmentModel> add_environment_model(ProviderRegistry& registry);
// The same provider, for callers that build their registry themselves (the gateway's App
// takes extra providers at construction); `local_name_taken`: the configuration already
// has a provider named "local".
struct EnvironmentProvider {
  std::unique_ptr<Provider> provider;
  EnvironmentModel model;
};
std::optional<EnvironmentProvider> environment_model_provider(bool local_name_taken);

class TaskRuntime {
 public:
  // `registry` and `ledger` (may be null: no records) must outlive the runtime. `budgets`
  // may be shared with the gateway; null: a tracker of the router's own limits. `guard`:
  // the guard every model call passes and its audit (TaskGuard::guard must not be null).
  TaskRuntime(TaskSettings settings, RouterConfig router, const ProviderRegistry& registry,
              Ledger* ledger, TaskGuard guard, std::shared_ptr<BudgetTracker> budgets = nullptr);
  ~TaskRuntime();
  TaskRuntime(const TaskRuntime&) = delete;
  TaskRuntime& operator=(const TaskRuntime&) = delete;

  // [tasks], [router] and [guard] of `config`; `env_model`: add_environment_model's id, the
  // small model unless tasks.slm names another.
  static std::unique_ptr<TaskRuntime> from_config(const toml::table& config,
                                                  const std::filesystem::path& base_dir,
                                                  const ProviderRegistry& registry, Ledger* ledger,
                                                  const std::optional<std::string>& env_model = {},
                                                  std::shared_ptr<BudgetTracker> budgets = nullptr,
                                                  TaskGuardSetup guard = {});

  // Runs one task. InputError: bad input (names the field) or unknown task;
  // NoModelConfigured; LocalOnlyRefusal; ProviderError from the models; tq::Error when
  // the answer stayed invalid.
  TaskResult run(const std::string& task, const nlohmann::json& input,
                 const TaskCaller& caller) const;

  // Plan-and-execute: {goal, records?, records_from?: {collection}, plan?, max_parallel?}
  // → the report (plan id, counts, failures, tokens and € split LLM / SLM).
  nlohmann::json run_plan(const nlohmann::json& request, const TaskCaller& caller);
  // Re-runs what is not done of a stored plan.
  nlohmann::json resume_plan(const std::string& plan_id, const TaskCaller& caller);
  // The plan's report as stored now (a plan running elsewhere shows its progress).
  nlohmann::json plan_report(const std::string& plan_id);

  TaskRouting routing(const std::string& task) const;
  // Throws NoModelConfigured when `task` needs a model and has none.
  void require_model(const std::string& task) const;
  // The task catalogue with each task's routes, plus what the runtime has (GET /v1/tasks).
  nlohmann::json describe() const;

  const TaskSettings& settings() const { return settings_; }
  bool has_knowledge_base() const { return kb_ != nullptr; }
  bool has_classifier() const { return classifier_ != nullptr; }

 private:
  struct Run;
  class PlanRuns;
  // A run's context: its models as TaskRouteProviders tagged with `tags` (shared by every
  // run of one plan, so their request ids do not collide).
  std::unique_ptr<Run> start(const std::string& task, const TaskCaller& caller,
                             const TaskCallTags& tags) const;
  PlanStore& plans();

  TaskSettings settings_;
  RouterConfig router_;
  const ProviderRegistry& registry_;
  Ledger* ledger_;
  std::shared_ptr<BudgetTracker> budgets_;
  TaskGuard guard_;
  std::optional<Target> default_slm_, default_llm_;
  std::string default_slm_why_, default_llm_why_;
  std::unique_ptr<KnowledgeSource> kb_;
  std::unique_ptr<TextClassifier> classifier_;
  std::mutex plans_mutex_;
  std::unique_ptr<PlanStore> plans_;
};

}  // namespace tq::tasks

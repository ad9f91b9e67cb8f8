// Batch state of plans in its own SQLite file (WAL): the plan, and each step with its
// status (pending → running → done | failed), input, output and usage, written as the step
// finishes, so a crash or Ctrl-C loses at most the steps that were running. Re-running a
// plan skips the steps already done.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"
#include "tasks/plan/plan.h"

struct sqlite3;

namespace tq::tasks {

struct StepRecord {
  PlanStep step;
  std::string status;  // pending | running | done | failed
  nlohmann::json output;
  std::string error;
  std::string provider, model;
  int attempts = 0;
  TokenCount slm_tokens, llm_tokens;
  double slm_cost = 0, llm_cost = 0;
};

struct PlanRecord {
  std::string id, goal, created_at;
  nlohmann::json plan;
  bool planner_is_llm = true;
  TokenCount planner_tokens;
  double planner_cost = 0;
};

class PlanStore {
 public:
  // Creates the file and its tables when needed; InputError when it is not a plan store.
  explicit PlanStore(const std::string& path);
  ~PlanStore();
  PlanStore(const PlanStore&) = delete;
  PlanStore& operator=(const PlanStore&) = delete;

  // Stores a validated plan with all steps pending; returns its new id.
  std::string create(const std::string& goal, const nlohmann::json& plan,
                     const std::vector<PlanStep>& steps, bool planner_is_llm,
                     const TokenCount& planner_tokens, double planner_cost);

  std::optional<PlanRecord> plan(const std::string& id) const;
  std::vector<StepRecord> steps(const std::string& plan_id) const;  // in plan order

  void mark_running(const std::string& plan_id, const std::string& step_id);
  void mark_done(const std::string& plan_id, const std::string& step_id, const TaskResult& r);
  void mark_failed(const std::string& plan_id, const std::string& step_id, const std::string& error,
                   const TaskResult* partial);
  // Steps left running by an interrupted run go back to pending; failed ones too, so a
  // re-run retries them. Returns how many.
  int reset_unfinished(const std::string& plan_id);

  // GDPR duties (`triptyque erase`, [retention]): delete, with their steps, the plans
  // created before `cutoff_utc` ("YYYY-MM-DDTHH:MM:SSZ"), or those whose goal, plan, step
  // inputs, outputs or errors contain `needle` (ASCII case-insensitive). Return how many.
  int64_t purge_before(const std::string& cutoff_utc);
  int64_t erase_containing(const std::string& needle);

 private:
  void exec(const std::string& sql);
  sqlite3* db_ = nullptr;
  mutable std::mutex mu_;
};

}  // namespace tq::tasks

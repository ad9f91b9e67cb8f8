// Runs a stored plan's steps on the small model: dependencies first, steps of one
// parallel group (or one for_each) on up to `max_parallel` threads at once, each step's
// result written to the plan store as it ends, progress through TaskContext::on_event.
// The report counts steps, lists failures and splits tokens and cost between the LLM
// (planning, escalations) and the SLM.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"
#include "tasks/plan/plan_store.h"

namespace tq::tasks {

struct ExecuteOptions {
  int max_parallel = 2;
  // The context a step of `task` runs with (its own models and ledger tags); unset: the
  // context execute_plan was given. Called from worker threads.
  std::function<const TaskContext&(const std::string& task)> step_context;
};

// Executes (or resumes: done steps are kept, the rest re-run) plan `plan_id`; returns the
// report. InputError when the store has no such plan.
nlohmann::json execute_plan(PlanStore& store, const std::string& plan_id, const TaskContext& ctx,
                            const ExecuteOptions& options = {});

// `POST /v1/tasks/plan`: {goal, records?} → plan (by ctx.llm), stored, executed → report.
// A request may carry its own "plan" instead of a goal to plan: it is validated the same way.
nlohmann::json plan_and_execute(const nlohmann::json& request, PlanStore& store,
                                const TaskContext& ctx, const ExecuteOptions& options = {});

// The report of a plan as the store holds it now (for GET /v1/tasks/plan/{id}).
nlohmann::json plan_report(const PlanStore& store, const std::string& plan_id);

}  // namespace tq::tasks

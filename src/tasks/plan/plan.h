// Plan-and-execute: the LLM turns a goal into a plan — steps naming built-in tasks and
// their inputs — which is validated against the task registry before anything runs.
//
// Plan JSON (what the LLM writes, and `POST /v1/tasks/plan` accepts directly):
//   {"steps": [{"id": "s1", "task": "product_description",
//               "input": {"language": "fr"},
//               "for_each": {"source": "records", "as": "record",
//                            "where": {"collection": "Été", "description": null}},
//               "depends_on": [], "parallel_group": "descriptions"}, …]}
// - `for_each` runs the step once per record of the request's record list (`where` keeps
//   records whose field equals the value, accents and case aside; null = missing or empty),
//   the record going into input[as]; the copies are "s1[0]", "s1[1]", … and may run in
//   parallel with each other.
// - An input value "${s1.summary}" is replaced, when the step runs, by field `summary` of
//   step s1's output; s1 must be in depends_on.
// - Steps that share a `parallel_group` may run at the same time; other steps run alone.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"

namespace tq::tasks {

struct PlanStep {
  std::string id;
  std::string task;
  nlohmann::json input;  // may hold "${step.field}" references
  std::vector<std::string> depends_on;
  std::string parallel_group;  // empty: runs alone
};

struct PlanCheck {
  std::vector<std::string> problems;  // empty: valid
  std::vector<PlanStep> steps;        // for_each expanded, in a dependency-respecting order
};

// The JSON schema the planner's answer must follow (task names as an enum).
nlohmann::json plan_schema();

// Validates a plan against the registry: unknown tasks, duplicate or unknown step ids,
// cycles, bad references, missing or invalid inputs — every problem, each naming its step.
PlanCheck validate_plan(const nlohmann::json& plan, const nlohmann::json& records);

struct PlannedGoal {
  nlohmann::json plan;  // as the planner wrote it (valid)
  PlanCheck check;
  TaskResult planning;  // the planner's calls: tokens, attempts, model
};

// Asks ctx.llm (ctx.slm when no LLM is configured) for a plan; an invalid plan goes back to
// it once with the problems listed; still invalid → InputError with every problem.
PlannedGoal make_plan(const std::string& goal, const nlohmann::json& records,
                      const TaskContext& ctx);

}  // namespace tq::tasks

// The built-in tasks by name: what `GET /v1/tasks` lists, what `POST /v1/tasks/{name}` and
// `triptyque run NAME` execute, and what plan-and-execute validates plans against.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"

namespace tq::tasks {

struct TaskSpec {
  std::string name;
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json output_schema;
  std::string text_field;  // the input field free text fills (`run TASK --text "…"`)
  // Input already validated; returns the output (validated after it returns).
  std::function<nlohmann::json(const nlohmann::json& input, const TaskContext& ctx,
                               TaskResult& result)>
      run;
};

const std::vector<TaskSpec>& all_tasks();
const TaskSpec* find_task(std::string_view name);
std::vector<std::string> task_names();

// {"tasks": [{name, description, input_schema, output_schema}]}
nlohmann::json task_catalogue();

// Validates `input` (InputError naming every bad field), runs the task, validates its
// output (tq::Error when it is still invalid), fills tokens, costs and timing.
TaskResult run_task(const std::string& name, const nlohmann::json& input, const TaskContext& ctx);
// The same, filling `result` as it goes: when it throws, the tokens spent so far are there.
void run_task_into(const std::string& name, const nlohmann::json& input, const TaskContext& ctx,
                   TaskResult& result);

// Each task's spec (one file each).
TaskSpec support_answer_task();
TaskSpec product_description_task();
TaskSpec email_summary_task();
TaskSpec ticket_analysis_task();

}  // namespace tq::tasks

// The built-in tasks by name: what `GET /v1/tasks` lists, what `POST /v1/tasks/{name}` and
// `triptyque run NAME` execute, and what plan-and-execute validates plans against.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
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
  bool needs_model = true;  // false: runs without any model (clustering, retrieval)
};

// Input that does not match a task's schema: every problem, and the first bad field as a
// path ("question", "record/price") for an API error's `param`.
class InvalidTaskInput : public InputError {
 public:
  InvalidTaskInput(const std::string& task, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }
  const std::string& field() const { return field_; }

 private:
  std::vector<std::string> problems_;
  std::string field_;
};

// The field a schema problem ("/record/price: expected number", "/: missing required field
// \"question\"") is about, without the leading slash; "" for the whole value.
std::string problem_field(const std::string& problem);

const std::vector<TaskSpec>& all_tasks();
const TaskSpec* find_task(std::string_view name);
std::vector<std::string> task_names();

// {"tasks": [{name, description, needs_model, input_schema, output_schema}]}
nlohmann::json task_catalogue();

// Throws InvalidTaskInput when `input` does not match the task's input schema.
void validate_task_input(const TaskSpec& spec, const nlohmann::json& input);

// Validates `input` (InvalidTaskInput naming every bad field), runs the task, validates its
// output (tq::Error when it is still invalid), fills tokens, costs and timing.
TaskResult run_task(const std::string& name, const nlohmann::json& input, const TaskContext& ctx);
// The same, filling `result` as it goes: when it throws, the tokens spent so far are there.
void run_task_into(const std::string& name, const nlohmann::json& input, const TaskContext& ctx,
                   TaskResult& result);

// A run's result as the CLI (`run --json`) and the HTTP API show it: output, the model
// that answered, attempts, escalation, tokens and € for the SLM and the LLM, duration.
nlohmann::json task_result_json(const std::string& task, const TaskResult& result);

// Each task's spec (one file each).
TaskSpec support_answer_task();
TaskSpec product_description_task();
TaskSpec email_summary_task();
TaskSpec ticket_analysis_task();
TaskSpec seo_clusters_task();

}  // namespace tq::tasks

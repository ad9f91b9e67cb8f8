#include "tasks/jobs/registry.h"

#include <chrono>

#include "core/error.h"
#include "tasks/jobs/schema_check.h"

namespace tq::tasks {

using nlohmann::json;

const std::vector<TaskSpec>& all_tasks() {
  static const std::vector<TaskSpec> tasks = {support_answer_task(), product_description_task(),
                                              email_summary_task(), ticket_analysis_task()};
  return tasks;
}

const TaskSpec* find_task(std::string_view name) {
  for (const auto& t : all_tasks())
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<std::string> task_names() {
  std::vector<std::string> out;
  for (const auto& t : all_tasks()) out.push_back(t.name);
  return out;
}

json task_catalogue() {
  json list = json::array();
  for (const auto& t : all_tasks())
    list.push_back({{"name", t.name},
                    {"description", t.description},
                    {"input_schema", t.input_schema},
                    {"output_schema", t.output_schema}});
  return {{"tasks", list}};
}

TaskResult run_task(const std::string& name, const json& input, const TaskContext& ctx) {
  TaskResult result;
  run_task_into(name, input, ctx, result);
  return result;
}

void run_task_into(const std::string& name, const json& input, const TaskContext& ctx,
                   TaskResult& result) {
  const TaskSpec* spec = find_task(name);
  if (spec == nullptr) {
    std::string known;
    for (const auto& n : task_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown task \"" + name + "\"; the tasks are: " + known);
  }
  const auto bad = schema_problems(input, spec->input_schema);
  if (!bad.empty()) {
    std::string msg = "invalid input for task " + name + ": ";
    for (size_t i = 0; i < bad.size(); ++i) msg += (i ? "; " : "") + bad[i];
    throw InputError(msg);
  }
  const auto start = std::chrono::steady_clock::now();
  auto cost = [](const TokenCount& t, const Pricing& p) {
    return (static_cast<double>(t.prompt) * p.input_per_mtok +
            static_cast<double>(t.completion) * p.output_per_mtok) /
           1e6;
  };
  // Tokens spent count even when the task fails.
  struct Costs {
    TaskResult& r;
    const TaskContext& c;
    decltype(cost)& f;
    ~Costs() {
      r.slm_cost = f(r.slm_tokens, c.slm_price);
      r.llm_cost = f(r.llm_tokens, c.llm_price);
    }
  } costs{result, ctx, cost};
  result.output = spec->run(input, ctx, result);
  const auto wrong = schema_problems(result.output, spec->output_schema);
  if (!wrong.empty()) {
    std::string msg = "task " + name + " produced output that does not match its schema: ";
    for (size_t i = 0; i < wrong.size(); ++i) msg += (i ? "; " : "") + wrong[i];
    throw Error(msg);
  }
  result.total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace tq::tasks

#include "tasks/jobs/registry.h"

#include <chrono>

#include "core/error.h"
#include "tasks/jobs/schema_check.h"

namespace tq::tasks {

using nlohmann::json;

const std::vector<TaskSpec>& all_tasks() {
  static const std::vector<TaskSpec> tasks = {support_answer_task(), product_description_task(),
                                              email_summary_task(), ticket_analysis_task(),
                                              seo_clusters_task()};
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
                    {"needs_model", t.needs_model},
                    {"input_schema", t.input_schema},
                    {"output_schema", t.output_schema}});
  return {{"tasks", list}};
}

namespace {

std::string invalid_input_message(const std::string& task, const std::vector<std::string>& bad) {
  std::string msg = "invalid input for task " + task + ": ";
  for (size_t i = 0; i < bad.size(); ++i) msg += (i ? "; " : "") + bad[i];
  return msg;
}

}  // namespace

InvalidTaskInput::InvalidTaskInput(const std::string& task, std::vector<std::string> problems)
    : InputError(invalid_input_message(task, problems)), problems_(std::move(problems)) {
  if (!problems_.empty()) field_ = problem_field(problems_.front());
}

std::string problem_field(const std::string& problem) {
  const size_t colon = problem.find(": ");
  std::string path = problem.substr(0, colon);
  if (colon != std::string::npos) {
    // "missing required field "x"" and "unknown field "x"" are about the field x inside.
    const std::string rest = problem.substr(colon + 2);
    for (const char* lead : {"missing required field \"", "unknown field \""}) {
      const std::string l(lead);
      if (rest.rfind(l, 0) == 0 && rest.size() > l.size() + 1 && rest.back() == '"') {
        path += (path == "/" ? "" : "/") + rest.substr(l.size(), rest.size() - l.size() - 1);
        break;
      }
    }
  }
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  return path;
}

void validate_task_input(const TaskSpec& spec, const json& input) {
  auto bad = schema_problems(input, spec.input_schema);
  if (!bad.empty()) throw InvalidTaskInput(spec.name, std::move(bad));
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
  validate_task_input(*spec, input);
  const auto start = std::chrono::steady_clock::now();
  result.output = spec->run(input, ctx, result);
  const auto wrong = schema_problems(result.output, spec->output_schema);
  if (!wrong.empty()) {
    std::string msg = "task " + name + " produced output that does not match its schema: ";
    for (size_t i = 0; i < wrong.size(); ++i) msg += (i ? "; " : "") + wrong[i];
    throw ModelAnswerInvalid(msg);
  }
  result.total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

json task_result_json(const std::string& task, const TaskResult& r) {
  auto tokens = [](const TokenCount& t) {
    return json{{"prompt_tokens", t.prompt}, {"completion_tokens", t.completion}};
  };
  return {
      {"task", task},
      {"output", r.output},
      {"provider", r.provider},
      {"model", r.model},
      {"attempts", r.attempts},
      {"escalated", r.escalated},
      {"usage", {{"slm", tokens(r.slm_tokens)}, {"llm", tokens(r.llm_tokens)}}},
      {"cost_eur", {{"slm", r.slm_cost}, {"llm", r.llm_cost}, {"total", r.slm_cost + r.llm_cost}}},
      {"ms", r.total_ms}};
}

}  // namespace tq::tasks

// One structured model call with the tasks' error policy: the answer must parse as JSON,
// be valid for the schema, and pass the task's own check (fidelity, citations); when it
// does not, the model gets one retry with the problems listed, then the LLM (when one is
// configured) gets the same request with the problems — the cascade the router will later
// drive from its own rules.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"

namespace tq::tasks {

struct ModelPrompt {
  std::string system;
  std::string user;
  nlohmann::json schema;  // passed as ChatRequest::json_schema and checked on the answer
  int32_t max_tokens = 512;
};

// Problems the task finds in a schema-valid answer (empty: accepted).
using AnswerCheck = std::function<std::vector<std::string>(const nlohmann::json& answer)>;

struct CheckedAnswer {
  nlohmann::json value;               // schema-valid
  std::vector<std::string> problems;  // what the task's check still finds (empty: clean)
};

// Throws tq::Error when no attempt gave a schema-valid answer, InputError when no model is
// configured. Records attempts, tokens and the kept answer's provider/model in `result`.
CheckedAnswer ask_structured(const TaskContext& ctx, const std::string& task,
                             const ModelPrompt& prompt, const AnswerCheck& check,
                             TaskResult& result);

// Extracts the JSON value from a model's text: the whole text, else the first {...} block
// (remote models sometimes wrap JSON in prose or ``` fences).
bool parse_model_json(const std::string& text, nlohmann::json& out);

}  // namespace tq::tasks

#include "tasks/jobs/model_call.h"

#include <chrono>

#include "core/error.h"
#include "tasks/jobs/schema_check.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

struct Attempt {
  Provider* provider;
  const std::string* model;
  bool escalation;
};

std::string bullet_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "- " + i + "\n";
  return out;
}

}  // namespace

bool parse_model_json(const std::string& text, json& out) {
  out = json::parse(text, nullptr, false);
  if (!out.is_discarded()) return true;
  const size_t open = text.find('{');
  const size_t close = text.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out = json::parse(text.substr(open, close - open + 1), nullptr, false);
  return !out.is_discarded();
}

CheckedAnswer ask_structured(const TaskContext& ctx, const std::string& task,
                             const ModelPrompt& prompt, const AnswerCheck& check,
                             TaskResult& result) {
  std::vector<Attempt> plan;
  if (ctx.slm != nullptr) {
    plan.push_back({ctx.slm, &ctx.slm_model, false});
    plan.push_back({ctx.slm, &ctx.slm_model, false});
    if (ctx.llm != nullptr) plan.push_back({ctx.llm, &ctx.llm_model, true});
  } else if (ctx.llm != nullptr) {
    plan.push_back({ctx.llm, &ctx.llm_model, true});
    plan.push_back({ctx.llm, &ctx.llm_model, true});
  } else {
    throw InputError("task " + task +
                     " needs a model and none is configured: set a provider for the small "
                     "model (e.g. TRIPTYQUE_MODEL=/path/model.gguf or [tasks] slm in the config)");
  }

  std::vector<std::string> last_problems;
  std::string last_text;
  bool have_best = false;
  CheckedAnswer best;
  for (size_t i = 0; i < plan.size(); ++i) {
    const Attempt& a = plan[i];
    if (i > 0) {
      const bool escalating = a.provider != plan[i - 1].provider;
      ctx.emit({escalating ? "escalate" : "retry", task, "", bullet_list(last_problems)});
    } else {
      ctx.emit({"attempt", task, "", a.provider->name()});
    }
    ChatRequest req;
    req.model = *a.model;
    req.messages.push_back({"system", prompt.system, "", nullptr, ""});
    req.messages.push_back({"user", prompt.user, "", nullptr, ""});
    if (!last_problems.empty()) {
      req.messages.push_back({"assistant", last_text, "", nullptr, ""});
      req.messages.push_back({"user",
                              "Your answer has these problems:\n" + bullet_list(last_problems) +
                                  "Answer again with corrected JSON only.",
                              "", nullptr, ""});
    }
    req.max_tokens = prompt.max_tokens;
    req.json_schema = prompt.schema;
    req.seed = ctx.seed;
    ++result.attempts;
    ChatResult answer;
    try {
      answer = a.provider->chat(req, nullptr);
    } catch (const ProviderError& e) {
      // A provider that is down or slow does not end the task while another can answer.
      size_t next = i + 1;
      while (next < plan.size() && plan[next].provider == a.provider) ++next;
      if (!e.retryable() || next >= plan.size()) throw;
      ctx.emit({"provider_error", task, "", a.provider->name() + ": " + e.what()});
      last_problems.clear();  // nothing to correct: the next provider gets the plain request
      i = next - 1;
      continue;
    }
    const bool by_llm = a.provider == ctx.llm;
    (by_llm ? result.llm_tokens : result.slm_tokens).add(answer.usage);
    (by_llm ? result.llm_cost : result.slm_cost) +=
        ctx.cost_of(*a.provider, *a.model, answer, by_llm);
    last_text = answer.text;
    json value;
    if (!parse_model_json(answer.text, value)) {
      last_problems = {"the answer is not valid JSON" +
                       std::string(answer.finish_reason == "length"
                                       ? " (it was cut off at the token limit)"
                                       : "")};
      continue;
    }
    last_problems = schema_problems(value, prompt.schema);
    if (!last_problems.empty()) continue;
    std::vector<std::string> task_problems = check ? check(value) : std::vector<std::string>{};
    if (!have_best || task_problems.size() <= best.problems.size()) {
      best = {value, task_problems};
      have_best = true;
      result.provider = a.provider->name();
      result.model = *a.model;
      result.escalated = a.escalation;
    }
    if (task_problems.empty()) return best;
    last_problems = std::move(task_problems);
  }
  if (have_best) return best;
  throw ModelAnswerInvalid("task " + task + ": the model's answer stayed invalid after " +
                           std::to_string(result.attempts) +
                           " attempts: " + bullet_list(last_problems));
}

}  // namespace tq::tasks

#include "tasks/plan/plan_execute.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "core/error.h"
#include "tasks/jobs/registry.h"
#include "tasks/jobs/schema_check.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

// Replaces "${step.field}" inputs by the field of that step's stored output.
json resolve_inputs(const json& input, const std::map<std::string, const StepRecord*>& by_id) {
  json out = input;
  for (auto& [key, value] : out.items()) {
    if (!value.is_string()) continue;
    const auto s = value.get<std::string>();
    if (s.size() < 5 || s.rfind("${", 0) != 0 || s.back() != '}') continue;
    const std::string inner = s.substr(2, s.size() - 3);
    const size_t dot = inner.rfind('.');
    if (dot == std::string::npos) continue;
    const auto it = by_id.find(inner.substr(0, dot));
    if (it == by_id.end() || !it->second->output.is_object()) continue;
    const auto field = inner.substr(dot + 1);
    if (it->second->output.contains(field)) value = it->second->output[field];
  }
  return out;
}

}  // namespace

json plan_report(const PlanStore& store, const std::string& plan_id) {
  const auto plan = store.plan(plan_id);
  if (!plan) throw InputError("no plan " + plan_id + " in the plan store");
  const auto steps = store.steps(plan_id);
  std::map<std::string, int> counts = {{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
  json failures = json::array();
  TokenCount slm;
  TokenCount llm;
  double slm_cost = 0;
  double llm_cost = 0;
  (plan->planner_is_llm ? llm : slm).add(plan->planner_tokens);
  (plan->planner_is_llm ? llm_cost : slm_cost) += plan->planner_cost;
  int escalated = 0;
  for (const auto& s : steps) {
    ++counts[s.status];
    if (s.status == "failed")
      failures.push_back({{"step", s.step.id}, {"task", s.step.task}, {"error", s.error}});
    slm.add(s.slm_tokens);
    llm.add(s.llm_tokens);
    slm_cost += s.slm_cost;
    llm_cost += s.llm_cost;
    if (s.llm_tokens.prompt + s.llm_tokens.completion > 0) ++escalated;
  }
  auto tokens = [](const TokenCount& t) {
    return json{{"prompt", t.prompt}, {"completion", t.completion}};
  };
  return {{"plan_id", plan_id},
          {"goal", plan->goal},
          {"counts",
           {{"steps", steps.size()},
            {"done", counts["done"]},
            {"failed", counts["failed"]},
            {"pending", counts["pending"] + counts["running"]}}},
          {"failures", failures},
          {"steps_escalated_to_llm", escalated},
          {"tokens", {{"llm", tokens(llm)}, {"slm", tokens(slm)}}},
          {"cost", {{"llm", llm_cost}, {"slm", slm_cost}, {"total", llm_cost + slm_cost}}}};
}

json execute_plan(PlanStore& store, const std::string& plan_id, const TaskContext& ctx,
                  const ExecuteOptions& options) {
  if (!store.plan(plan_id)) throw InputError("no plan " + plan_id + " in the plan store");
  store.reset_unfinished(plan_id);
  const int max_parallel = std::max(1, options.max_parallel);
  int skipped_done = 0;
  for (const auto& s : store.steps(plan_id)) skipped_done += s.status == "done" ? 1 : 0;

  while (true) {
    const auto records = store.steps(plan_id);
    std::map<std::string, const StepRecord*> by_id;
    for (const auto& r : records) by_id[r.step.id] = &r;
    std::vector<const StepRecord*> ready;
    bool changed = false;
    for (const auto& r : records) {
      if (r.status != "pending") continue;
      bool all_done = true;
      std::string failed_dep;
      for (const auto& d : r.step.depends_on) {
        const auto it = by_id.find(d);
        if (it == by_id.end() || it->second->status == "failed")
          failed_dep = d;
        else if (it->second->status != "done")
          all_done = false;
      }
      if (!failed_dep.empty()) {
        store.mark_failed(plan_id, r.step.id, "not run: step " + failed_dep + " failed", nullptr);
        ctx.emit({"step_failed", r.step.task, r.step.id, "dependency " + failed_dep + " failed"});
        changed = true;
      } else if (all_done) {
        ready.push_back(&r);
      }
    }
    if (changed) continue;  // failures propagate before anything else runs
    if (ready.empty()) break;
    // One batch: the first ready step, with the ready steps of its parallel group.
    std::vector<const StepRecord*> batch;
    const std::string group = ready.front()->step.parallel_group;
    for (const auto* r : ready)
      if (r == ready.front() || (!group.empty() && r->step.parallel_group == group))
        batch.push_back(r);

    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < batch.size(); i = next++) {
        const StepRecord& r = *batch[i];
        store.mark_running(plan_id, r.step.id);
        ctx.emit({"step_started", r.step.task, r.step.id, ""});
        TaskResult result;
        try {
          const TaskContext& step_ctx =
              options.step_context ? options.step_context(r.step.task) : ctx;
          run_task_into(r.step.task, resolve_inputs(r.step.input, by_id), step_ctx, result);
          store.mark_done(plan_id, r.step.id, result);
          ctx.emit({"step_done", r.step.task, r.step.id, result.provider});
        } catch (const std::exception& e) {
          store.mark_failed(plan_id, r.step.id, e.what(), &result);
          ctx.emit({"step_failed", r.step.task, r.step.id, e.what()});
        }
      }
    };
    const size_t n_threads = std::min(batch.size(), static_cast<size_t>(max_parallel));
    std::vector<std::thread> threads;
    threads.reserve(n_threads > 0 ? n_threads - 1 : 0);
    for (size_t t = 1; t < n_threads; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }
  json report = plan_report(store, plan_id);
  report["counts"]["already_done"] = skipped_done;
  return report;
}

json plan_and_execute(const json& request, PlanStore& store, const TaskContext& ctx,
                      const ExecuteOptions& options) {
  const json schema = json::parse(R"({
    "type": "object",
    "properties": {"goal": {"type": "string", "minLength": 1, "maxLength": 4000},
                   "records": {"type": "array", "items": {"type": "object"}},
                   "plan": {"type": "object"},
                   "max_parallel": {"type": "integer", "minimum": 1, "maximum": 64}},
    "required": ["goal"],
    "additionalProperties": false})");
  const auto bad = schema_problems(request, schema);
  if (!bad.empty()) {
    std::string msg = "invalid plan request: ";
    for (size_t i = 0; i < bad.size(); ++i) msg += (i ? "; " : "") + bad[i];
    throw InputError(msg);
  }
  const json records = request.value("records", json::array());
  const std::string goal = request["goal"].get<std::string>();
  ExecuteOptions opts = options;
  if (request.contains("max_parallel")) opts.max_parallel = request["max_parallel"].get<int>();
  std::string id;
  if (request.contains("plan")) {
    const auto check = validate_plan(request["plan"], records);
    if (!check.problems.empty()) {
      std::string msg = "invalid plan: ";
      for (size_t i = 0; i < check.problems.size(); ++i) msg += (i ? "; " : "") + check.problems[i];
      throw InputError(msg);
    }
    id = store.create(goal, request["plan"], check.steps, true, {}, 0);
  } else {
    const auto planned = make_plan(goal, records, ctx);
    const bool by_llm = ctx.llm != nullptr;
    // make_plan runs the planner as "the LLM" even when it is the small model.
    const TokenCount& t = planned.planning.llm_tokens;
    const double cost = planned.planning.llm_cost;
    id = store.create(goal, planned.plan, planned.check.steps, by_llm, t, cost);
  }
  ctx.emit({"plan_created", "plan", "", id});
  return execute_plan(store, id, ctx, opts);
}

}  // namespace tq::tasks

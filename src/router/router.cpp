#include "router/router.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace tq {
namespace {

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// 1. A model named by the client is served as asked (no silent substitution: no
//    fallbacks to other models), or refused when unknown.
class ExplicitModelStage : public RouteStage {
 public:
  const char* name() const override { return "explicit-model"; }
  void apply(RoutingContext& ctx) const override {
    const std::string& m = ctx.request.model;
    if (m.empty() || m == "auto" || ctx.router.config().tasks.count(m) > 0) return;
    const auto& catalog = ctx.router.catalog();
    auto it = std::find_if(catalog.begin(), catalog.end(),
                           [&](const CatalogEntry& e) { return e.id == m; });
    if (it == catalog.end()) {
      it = std::find_if(catalog.begin(), catalog.end(),
                        [&](const CatalogEntry& e) { return e.target.label() == m; });
    }
    if (it == catalog.end()) {
      std::string known = "auto";
      for (const auto& [task, rule] : ctx.router.config().tasks) known += ", " + task;
      for (const auto& e : catalog) known += ", " + e.id;
      ctx.refusal = Refusal{Refusal::Kind::UnknownModel,
                            "model '" + m + "' is not served here; use one of: " + known};
      return;
    }
    Route r;
    r.primary = it->target;
    ctx.route = r;
    ctx.explicit_model = true;
    ctx.reasons.push_back("model '" + m + "' requested explicitly → " + it->target.label());
  }
};

// 2. Local-only data may only reach local models; fails closed.
class SensitivityStage : public RouteStage {
 public:
  const char* name() const override { return "sensitivity"; }
  void apply(RoutingContext& ctx) const override {
    const RouterConfig& c = ctx.router.config();
    std::vector<std::string> why;
    if (ctx.request.key_local_only) why.emplace_back("the API key's policy");
    if (ctx.request.header_local_only) why.emplace_back("header x-triptyque-data: local-only");
    for (const auto& f : ctx.request.guard_findings) {
      if (contains(c.local_only_findings, "*") || contains(c.local_only_findings, f)) {
        why.push_back("the guard found " + f);
        break;
      }
    }
    for (const auto& l : ctx.request.knowledge_labels) {
      if (contains(c.local_only_labels, l)) {
        why.push_back("retrieved knowledge labelled '" + l + "'");
        break;
      }
    }
    if (why.empty()) return;
    ctx.local_only = true;
    std::string because;
    for (const auto& w : why) because += (because.empty() ? "" : ", ") + w;
    ctx.reasons.push_back("local-only (" + because + ")");
    if (ctx.route && !ctx.route->primary.local) {
      ctx.refusal = Refusal{Refusal::Kind::LocalOnlyNoRoute,
                            "the request is local-only (" + because + ") but model '" +
                                ctx.request.model + "' is served by the remote provider '" +
                                ctx.route->primary.provider + "'; ask for a local model or 'auto'"};
    }
  }
};

// 3. "auto" or a task name → the task's SLM, LLM or cascade.
class TaskRulesStage : public RouteStage {
 public:
  const char* name() const override { return "task-rules"; }
  void apply(RoutingContext& ctx) const override {
    if (ctx.route) return;
    const RouterConfig& c = ctx.router.config();
    Route r;
    if (c.tasks.empty()) {
      // No rules (quick start): the first local model served, else the first model.
      const auto& catalog = ctx.router.catalog();
      auto it = std::find_if(catalog.begin(), catalog.end(),
                             [](const CatalogEntry& e) { return e.target.local; });
      if (it == catalog.end() && !ctx.local_only) it = catalog.begin();
      if (it == catalog.end()) {
        ctx.refusal =
            Refusal{ctx.local_only ? Refusal::Kind::LocalOnlyNoRoute : Refusal::Kind::UnknownModel,
                    ctx.local_only ? "the request is local-only and no local model is served"
                                   : "no model is served"};
        return;
      }
      r.primary = it->target;
      ctx.reasons.push_back("no task rules configured → first served model " + r.primary.label());
      ctx.route = r;
      return;
    }
    const std::string task =
        c.tasks.count(ctx.request.model) > 0 ? ctx.request.model : c.default_task;
    const TaskRule& rule = c.tasks.at(task);
    ctx.task = &rule;
    r.task = task;
    // The task's fallbacks, then the global ones: a local-only or over-budget request may
    // move to any of them.
    r.fallbacks = rule.fallbacks;
    for (const auto& t : c.fallbacks)
      if (std::find(r.fallbacks.begin(), r.fallbacks.end(), t) == r.fallbacks.end())
        r.fallbacks.push_back(t);
    std::string what;
    switch (rule.mode) {
      case TaskMode::Slm:
        r.primary = *rule.slm;
        what = "SLM " + r.primary.label();
        break;
      case TaskMode::Llm:
        r.primary = *rule.llm;
        what = "LLM " + r.primary.label();
        break;
      case TaskMode::Cascade:
        r.primary = *rule.slm;
        r.escalate_to = *rule.llm;
        r.min_mean_logprob = rule.min_mean_logprob;
        what = "cascade " + r.primary.label() + " → " + rule.llm->label() +
               " (escalates below mean log-prob " +
               std::to_string(rule.min_mean_logprob).substr(0, 6) +
               " or on an invalid JSON answer)";
        break;
    }
    ctx.reasons.push_back("task '" + task + "'" +
                          (ctx.request.model == task ? "" : " (model 'auto')") + " → " + what);
    if (ctx.local_only) {
      std::string note;
      if (!restrict_to_local(r, &note)) {
        std::string why;
        for (const auto& reason : ctx.reasons) why += "; " + reason;
        ctx.refusal = Refusal{Refusal::Kind::LocalOnlyNoRoute,
                              "the request is local-only but neither task '" + task +
                                  "' nor router.fallbacks has a local model (add one)" + why};
        return;
      }
      if (!note.empty()) ctx.reasons.push_back(note);
    }
    ctx.route = r;
  }
};

// 4. Budgets: a paid route that would exceed a limit is downgraded to local or refused.
class BudgetStage : public RouteStage {
 public:
  const char* name() const override { return "budgets"; }
  void apply(RoutingContext& ctx) const override {
    BudgetTracker* b = ctx.router.budgets();
    if (b == nullptr || !ctx.route) return;
    Route& r = *ctx.route;
    double worst = ctx.router.worst_case_cost(r.primary, ctx.request);
    if (r.escalate_to) worst += ctx.router.worst_case_cost(*r.escalate_to, ctx.request);
    if (worst <= 0) return;
    std::string why;
    if (b->has_room(ctx.request.api_key_id, worst, &why)) return;
    if (ctx.router.config().downgrade_on_budget && !ctx.explicit_model) {
      std::string note;
      if (restrict_to_local(r, &note)) {
        ctx.reasons.push_back(why + " → downgraded to local " + r.primary.label());
        return;
      }
    }
    ctx.refusal = Refusal{Refusal::Kind::BudgetExhausted, why};
  }
};

// 5. Latency target: prefer a candidate whose recent median meets the task's target.
class LatencyStage : public RouteStage {
 public:
  const char* name() const override { return "latency"; }
  void apply(RoutingContext& ctx) const override {
    LatencyTracker* lat = ctx.router.latency();
    if (lat == nullptr || !ctx.route || ctx.task == nullptr || !ctx.task->latency_target_ms) return;
    Route& r = *ctx.route;
    const double target = *ctx.task->latency_target_ms;
    const auto p = lat->p50(r.primary.label());
    if (!p || *p <= target) return;
    for (size_t i = 0; i < r.fallbacks.size(); ++i) {
      const auto q = lat->p50(r.fallbacks[i].label());
      if (!q || *q > target) continue;
      ctx.reasons.push_back(r.primary.label() + " p50 " + ms_text(*p) + " misses the " +
                            ms_text(target) + " target → " + r.fallbacks[i].label() + " (p50 " +
                            ms_text(*q) + ")");
      Target old = r.primary;
      r.primary = r.fallbacks[i];
      r.fallbacks.erase(r.fallbacks.begin() + static_cast<std::ptrdiff_t>(i));
      r.fallbacks.insert(r.fallbacks.begin(), old);
      r.escalate_to.reset();  // the faster model answers alone
      return;
    }
  }
};

// 6. The fallback chain: the task's, then the global ones (local only when required).
class FallbackStage : public RouteStage {
 public:
  const char* name() const override { return "fallbacks"; }
  void apply(RoutingContext& ctx) const override {
    if (!ctx.route || ctx.explicit_model) return;
    Route& r = *ctx.route;
    for (const auto& t : ctx.router.config().fallbacks)
      if (std::find(r.fallbacks.begin(), r.fallbacks.end(), t) == r.fallbacks.end())
        r.fallbacks.push_back(t);
    std::vector<Target> kept;
    for (const auto& t : r.fallbacks) {
      if (t == r.primary || (r.escalate_to && t == *r.escalate_to)) continue;
      if (ctx.local_only && !t.local) continue;
      kept.push_back(t);
    }
    r.fallbacks = std::move(kept);
    if (r.fallbacks.empty()) return;
    std::string list;
    for (const auto& t : r.fallbacks) list += (list.empty() ? "" : ", ") + t.label();
    ctx.reasons.push_back("on failure: " + list);
  }
};

}  // namespace

bool restrict_to_local(Route& r, std::string* note) {
  std::vector<std::string> dropped;
  if (r.escalate_to && !r.escalate_to->local) {
    dropped.push_back("escalation to " + r.escalate_to->label());
    r.escalate_to.reset();
  }
  std::vector<Target> local;
  for (const auto& t : r.fallbacks)
    if (t.local)
      local.push_back(t);
    else
      dropped.push_back("fallback " + t.label());
  r.fallbacks = local;
  if (!r.primary.local) {
    dropped.push_back(r.primary.label());
    if (r.fallbacks.empty()) return false;
    r.primary = r.fallbacks.front();
    r.fallbacks.erase(r.fallbacks.begin());
  }
  if (note != nullptr && !dropped.empty()) {
    std::string list;
    for (const auto& d : dropped) list += (list.empty() ? "" : ", ") + d;
    *note = "remote parts dropped (" + list + ") → " + r.primary.label();
  }
  return true;
}

Router::Router(RouterConfig config, std::vector<CatalogEntry> catalog, PriceLookup prices,
               std::shared_ptr<BudgetTracker> budgets, std::shared_ptr<LatencyTracker> latency)
    : config_(std::move(config)),
      catalog_(std::move(catalog)),
      prices_(std::move(prices)),
      budgets_(std::move(budgets)),
      latency_(std::move(latency)) {
  stages_.push_back(std::make_unique<ExplicitModelStage>());
  stages_.push_back(std::make_unique<SensitivityStage>());
  stages_.push_back(std::make_unique<TaskRulesStage>());
  stages_.push_back(std::make_unique<BudgetStage>());
  stages_.push_back(std::make_unique<LatencyStage>());
  stages_.push_back(std::make_unique<FallbackStage>());
}

double Router::worst_case_cost(const Target& t, const RoutingRequest& request) const {
  const auto p = price(t);
  if (!p) return 0;
  return p->cost(Usage{request.prompt_tokens_bound, request.max_tokens});
}

RoutingDecision Router::route(const RoutingRequest& request) const {
  RoutingContext ctx{request, *this, std::nullopt, false, false, std::nullopt, {}, nullptr};
  for (const auto& stage : stages_) {
    stage->apply(ctx);
    if (ctx.refusal) return {std::nullopt, ctx.refusal};
  }
  if (!ctx.route) return {std::nullopt, Refusal{Refusal::Kind::UnknownModel, "no route found"}};
  Route r = std::move(*ctx.route);
  r.local_only = ctx.local_only;
  r.explicit_model = ctx.explicit_model;
  r.reasons = std::move(ctx.reasons);
  return {std::move(r), std::nullopt};
}

}  // namespace tq

// The router: an ordered list of policy stages over one request, each deciding or passing
// and saying why (docs/ARCHITECTURE.md, "Providers (remote) and router"):
//   explicit model → sensitivity gate → task rules → budgets → latency target → fallbacks.
// The sensitivity gate fails closed: local-only data with no local route is refused.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "providers/provider.h"
#include "router/budget.h"
#include "router/latency.h"
#include "router/route.h"

namespace tq {

enum class TaskMode { Slm, Llm, Cascade };

struct TaskRule {
  std::string name;
  TaskMode mode = TaskMode::Slm;
  std::optional<Target> slm;
  std::optional<Target> llm;
  double min_mean_logprob = -1.0;
  std::vector<Target> fallbacks;
  std::optional<double> latency_target_ms;
};

struct RouterConfig {
  std::string default_task = "chat";  // what model "auto" means
  std::map<std::string, TaskRule> tasks;
  std::vector<Target> fallbacks;  // tried after a task's own fallbacks
  std::vector<std::string> local_only_labels = {"confidential"};
  // Guard finding kinds that make a request local-only; "*" (default): any finding.
  std::vector<std::string> local_only_findings = {"*"};
  bool downgrade_on_budget = true;  // else refuse
  BudgetLimits global_budget;
  std::map<std::string, BudgetLimits> key_budgets;

  // Reads `[router]`; `is_local(provider)` answers for configured providers and throws
  // InputError for unknown ones (a typo in a route must fail at start-up, not per call).
  static RouterConfig from_toml(const toml::table& root,
                                const std::function<bool(const std::string&)>& is_local);
};

// One model the router may pick explicitly: the id clients send.
struct CatalogEntry {
  std::string id;  // as listed in /v1/models
  Target target;
};

class Router;

// Everything a stage sees and may change.
struct RoutingContext {
  const RoutingRequest& request;
  const Router& router;
  std::optional<Route> route;  // set by the stage that picks one
  bool explicit_model = false;
  bool local_only = false;
  std::optional<Refusal> refusal;  // set: routing stops with it
  std::vector<std::string> reasons;
  const TaskRule* task = nullptr;
};

class RouteStage {
 public:
  virtual ~RouteStage() = default;
  virtual const char* name() const = 0;
  virtual void apply(RoutingContext& ctx) const = 0;
};

class Router {
 public:
  using PriceLookup = std::function<std::optional<Price>(const Target&)>;

  Router(RouterConfig config, std::vector<CatalogEntry> catalog, PriceLookup prices,
         std::shared_ptr<BudgetTracker> budgets, std::shared_ptr<LatencyTracker> latency);

  RoutingDecision route(const RoutingRequest& request) const;

  const RouterConfig& config() const { return config_; }
  const std::vector<CatalogEntry>& catalog() const { return catalog_; }
  std::optional<Price> price(const Target& t) const { return prices_ ? prices_(t) : std::nullopt; }
  // Worst-case € of one call of `t` for `request` (0 when unpriced).
  double worst_case_cost(const Target& t, const RoutingRequest& request) const;
  BudgetTracker* budgets() const { return budgets_.get(); }
  LatencyTracker* latency() const { return latency_.get(); }

 private:
  RouterConfig config_;
  std::vector<CatalogEntry> catalog_;
  PriceLookup prices_;
  std::shared_ptr<BudgetTracker> budgets_;
  std::shared_ptr<LatencyTracker> latency_;
  std::vector<std::unique_ptr<RouteStage>> stages_;
};

// Keeps only local targets of `route`; false when no local primary can be found.
bool restrict_to_local(Route& route, std::string* note);

}  // namespace tq

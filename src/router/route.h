// What the router decides: which (provider, model) answers a request, what to try when it
// fails, whether a small model answers first (cascade), and why — in words, for the
// `x-triptyque-reason` header and the ledger.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tq {

struct Target {
  std::string provider;  // [providers.NAME]
  std::string model;     // the provider's own model name
  bool local = false;    // data never leaves the machine
  std::string label() const { return provider + "/" + model; }
  bool operator==(const Target& o) const { return provider == o.provider && model == o.model; }
};

struct Route {
  std::string task;  // the task rule used (empty for an explicit model)
  Target primary;
  std::vector<Target> fallbacks;      // tried in order when the primary fails (retryable)
  std::optional<Target> escalate_to;  // cascade: the LLM that takes over from the primary
  double min_mean_logprob = -1.0;     // cascade: escalate below this confidence
  bool local_only = false;
  bool explicit_model = false;       // the client named this model (no task rule applied)
  std::vector<std::string> reasons;  // one per stage that acted, in order

  // "cascade local/qwen → remote/gpt-4o-mini", "remote/gpt-4o-mini"
  std::string name() const;
  std::string reason() const;  // the reasons joined by "; "
  // The short class of the route for headers and the ledger's grouping: "explicit", or
  // the task with how it runs ("chat:cascade", "chat:local", "extract:remote").
  std::string kind() const;
};

// The router will not serve the request, and says why.
struct Refusal {
  enum class Kind { UnknownModel, LocalOnlyNoRoute, BudgetExhausted };
  Kind kind;
  std::string message;
  int http_status() const;  // 404, 403, 429
};

struct RoutingDecision {
  std::optional<Route> route;
  std::optional<Refusal> refusal;
};

// What the router knows about a request.
struct RoutingRequest {
  std::string model = "auto";      // as the client sent it: "auto", a task name or a model id
  std::string api_key_id;          // empty: anonymous (only the global budget applies)
  bool key_local_only = false;     // the API key's policy
  bool header_local_only = false;  // x-triptyque-data: local-only
  std::vector<std::string> guard_findings;    // kinds of sensitive data the guard found
  std::vector<std::string> knowledge_labels;  // labels of the retrieved passages
  int64_t prompt_tokens_bound = 0;            // worst case, for budget reservations
  int32_t max_tokens = 256;
};

}  // namespace tq

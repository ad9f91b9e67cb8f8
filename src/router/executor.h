// Runs a Route: the primary, then the fallbacks on retryable provider errors (never once
// text has reached the client), the cascade's escalation, budget reservations around
// every paid call, and one AttemptRecord per upstream attempt, each tagged with its role.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "providers/provider.h"
#include "router/budget.h"
#include "router/latency.h"
#include "router/route.h"

namespace tq {

struct ExecutionResult {
  ChatResult result;
  Target served_by;
  bool escalated = false;               // cascade: the LLM's answer was kept
  std::string cascade_reason;           // why the cascade kept or escalated (empty when no cascade)
  std::vector<AttemptRecord> attempts;  // every attempt, all providers, in order
};

class RouteExecutor {
 public:
  using ProviderLookup = std::function<Provider*(const std::string& name)>;

  // `budgets` and `latency` may be null (no limits / no latency stage).
  RouteExecutor(ProviderLookup providers, BudgetTracker* budgets, LatencyTracker* latency)
      : providers_(std::move(providers)), budgets_(budgets), latency_(latency) {}

  // `request.model` is ignored (each target names its model); `request.on_attempt`, when
  // set, sees every attempt. Streams through `sink` when given; a cascade buffers the
  // SLM's answer until it is kept. Throws the last ProviderError when every target failed.
  ExecutionResult run(const Route& route, const ChatRequest& request, const DeltaSink& sink,
                      const std::string& api_key_id = "") const;

 private:
  ChatResult call(const Target& t, const std::string& role, ChatRequest request,
                  const DeltaSink& sink, const std::string& api_key_id, ExecutionResult& out) const;
  ChatResult call_chain(const std::vector<Target>& chain, const std::string& first_role,
                        const ChatRequest& request, const DeltaSink& sink,
                        const std::string& api_key_id, ExecutionResult& out) const;

  ProviderLookup providers_;
  BudgetTracker* budgets_;
  LatencyTracker* latency_;
};

}  // namespace tq

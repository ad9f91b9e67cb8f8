#include "router/executor.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>

#include "providers/pricing.h"
#include "router/json_check.h"

namespace tq {

ChatResult RouteExecutor::call(const Target& t, const std::string& role, ChatRequest request,
                               const DeltaSink& sink, const std::string& api_key_id,
                               ExecutionResult& out) const {
  Provider* p = providers_(t.provider);
  if (p == nullptr)
    throw ProviderError(ProviderErrorKind::Internal,
                        "provider '" + t.provider + "' is not configured");
  request.model = t.model;
  const auto outer = request.on_attempt;
  request.on_attempt = [&out, &role, outer](const AttemptRecord& a) {
    AttemptRecord tagged = a;
    tagged.role = role;
    out.attempts.push_back(tagged);
    if (outer) outer(tagged);
  };
  auto reservation = [&]() -> std::optional<BudgetTracker::Reservation> {
    if (budgets_ == nullptr) return std::nullopt;
    const auto price = p->price(t.model);
    if (!price) return std::nullopt;
    // A plain completion's prompt counts too (BPE makes at most one token per byte).
    const auto prompt_bound =
        worst_case_prompt_tokens(request.messages) + static_cast<int64_t>(request.prompt.size());
    const double worst = price->cost(Usage{prompt_bound, std::max(request.max_tokens, 1)});
    std::string why;
    auto held = budgets_->reserve(api_key_id, worst, &why);
    if (!held) {
      AttemptRecord refused;
      refused.provider = t.provider;
      refused.model = t.model;
      refused.error = "budget: " + why;
      request.on_attempt(refused);
      throw ProviderError(ProviderErrorKind::RateLimited, "budget exhausted: " + why, 429);
    }
    return held;
  }();
  ChatResult r = p->chat(request, sink);
  if (reservation) reservation->settle(r.cost_eur);
  if (latency_ != nullptr) latency_->record(t.label(), r.total_ms);
  out.served_by = t;
  return r;
}

ChatResult RouteExecutor::call_chain(const std::vector<Target>& chain,
                                     const std::string& first_role, const ChatRequest& request,
                                     const DeltaSink& sink, const std::string& api_key_id,
                                     ExecutionResult& out) const {
  bool streamed = false;
  DeltaSink tracking;
  if (sink) {
    tracking = [&](const std::string& d) {
      streamed = true;
      return sink(d);
    };
  }
  std::exception_ptr last;
  for (size_t i = 0; i < chain.size(); ++i) {
    try {
      return call(chain[i], i == 0 ? first_role : "fallback", request, tracking, api_key_id, out);
    } catch (const ProviderError& e) {
      // Text already shown to the client cannot be taken back; a bad request or a
      // cancelled client would fail the same way everywhere.
      if (streamed || !e.retryable()) throw;
      last = std::current_exception();
    }
  }
  if (last) std::rethrow_exception(last);
  throw ProviderError(ProviderErrorKind::Internal, "empty route");
}

ExecutionResult RouteExecutor::run(const Route& route, const ChatRequest& request,
                                   const DeltaSink& sink, const std::string& api_key_id) const {
  ExecutionResult out;
  if (!route.escalate_to) {
    std::vector<Target> chain{route.primary};
    chain.insert(chain.end(), route.fallbacks.begin(), route.fallbacks.end());
    out.result = call_chain(chain, "primary", request, sink, api_key_id, out);
    return out;
  }

  // Cascade: the SLM answers in full, unseen, with its token log-probabilities.
  ChatRequest slm_request = request;
  slm_request.want_logprobs = true;
  std::optional<ChatResult> slm;
  std::string why;
  bool slm_valid = false;
  try {
    slm = call(route.primary, "cascade-slm", slm_request, nullptr, api_key_id, out);
  } catch (const ProviderError& e) {
    if (!e.retryable()) throw;
    why = std::string("the SLM failed (") + e.what() + ")";
  }
  if (slm) {
    std::optional<std::string> invalid;
    if (!request.json_schema.is_null())
      invalid = json_schema_violation(slm->text, request.json_schema);
    slm_valid = !invalid;
    char buf[128];
    if (invalid) {
      why = "the SLM's answer is not valid for the schema (" + *invalid + ")";
    } else if (slm->mean_logprob && *slm->mean_logprob < route.min_mean_logprob) {
      std::snprintf(buf, sizeof buf, "the SLM's mean token log-probability %.3f is under %.3f",
                    *slm->mean_logprob, route.min_mean_logprob);
      why = buf;
    } else {
      if (slm->mean_logprob) {
        std::snprintf(buf, sizeof buf,
                      "kept the SLM's answer (mean token log-probability %.3f ≥ %.3f%s)",
                      *slm->mean_logprob, route.min_mean_logprob,
                      request.json_schema.is_null() ? "" : ", valid for the schema");
        out.cascade_reason = buf;
      } else {
        out.cascade_reason = "kept the SLM's answer (it reported no log-probabilities)";
      }
      if (sink && !slm->text.empty() && !sink(slm->text))
        throw ProviderError(ProviderErrorKind::Cancelled, "the client went away");
      out.result = std::move(*slm);
      if (!request.want_logprobs) out.result.mean_logprob.reset();
      return out;
    }
  }
  out.cascade_reason = "escalated: " + why;
  std::vector<Target> chain{*route.escalate_to};
  chain.insert(chain.end(), route.fallbacks.begin(), route.fallbacks.end());
  try {
    out.result = call_chain(chain, "cascade-llm", request, sink, api_key_id, out);
    out.escalated = true;
    return out;
  } catch (const ProviderError& e) {
    // The LLM side is down: a valid (if unsure) SLM answer beats an error.
    if (!slm || !slm_valid || !e.retryable()) throw;
    out.cascade_reason += std::string("; the LLM failed (") + e.what() + "), kept the SLM's answer";
    if (sink && !slm->text.empty() && !sink(slm->text))
      throw ProviderError(ProviderErrorKind::Cancelled, "the client went away");
    out.result = std::move(*slm);
    out.served_by = route.primary;
    return out;
  }
}

}  // namespace tq

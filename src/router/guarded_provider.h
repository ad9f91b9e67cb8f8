// The guard's wall around remote models, per request: a Provider that stands in for a
// remote one, sends it the conversation with every protected value replaced by its
// placeholder (<EMAIL_1>, <IBAN_1>…, computed once by Guard::protect for the whole
// conversation, so they are stable across its messages), and re-identifies the answer —
// chunk by chunk while streaming (a placeholder may be split across SSE events), then the
// full text and the arguments of tool calls. Local providers are never wrapped: they get
// the original text.
//
// It lives in the router module so that every caller of remote models — the gateway's
// chat requests and the task runtime's model calls — goes through the same wall.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "guard/guard.h"
#include "guard/pseudonymiser.h"
#include "providers/provider.h"
#include "router/executor.h"
#include "router/router.h"

namespace tq {

// Where each protected text of a request sits, so the pseudonymised versions can be put
// back in place: message i's content, message i's tool_calls (JSON), or the prompt.
struct TextSlot {
  enum class Field { Content, ToolCalls, Prompt } field = Field::Content;
  size_t message = 0;
};

// The texts of `request` the guard must see, and their slots (same order).
std::vector<std::string> protected_texts(const ChatRequest& request, std::vector<TextSlot>& slots);

// `request` with the texts at `slots` replaced by `texts`; InputError when a pseudonymised
// tool_calls text no longer parses (never sent raw instead).
ChatRequest with_texts(const ChatRequest& request, const std::vector<TextSlot>& slots,
                       const std::vector<std::string>& texts);

class PseudonymisingProvider : public Provider {
 public:
  // `safe_request_texts`: Guard::protect's texts for the request's `slots`; `map` outlives
  // this object. Not shared across requests.
  PseudonymisingProvider(Provider& remote, std::vector<TextSlot> slots,
                         std::vector<std::string> safe_request_texts,
                         const guard::PseudonymMap& map)
      : remote_(remote),
        slots_(std::move(slots)),
        texts_(std::move(safe_request_texts)),
        map_(map) {}

  const std::string& name() const override { return remote_.name(); }
  bool is_local() const override { return remote_.is_local(); }
  ChatResult chat(const ChatRequest& request, const DeltaSink& on_delta) override;
  EmbeddingResult embed(const std::string& model, const std::vector<std::string>& inputs) override;
  std::vector<ModelInfo> models() const override { return remote_.models(); }
  std::optional<Price> price(const std::string& model) const override {
    return remote_.price(model);
  }

 private:
  Provider& remote_;
  std::vector<TextSlot> slots_;
  std::vector<std::string> texts_;
  const guard::PseudonymMap& map_;
};

// Runs `route` as RouteExecutor::run does, with every remote provider `providers` returns
// wrapped in a PseudonymisingProvider for this call only: remote targets see `safe_texts`
// (Guard::protect's output for `slots`) and their answers come back re-identified with
// `map`; local targets see `request` as written.
ExecutionResult execute_guarded(const RouteExecutor::ProviderLookup& providers,
                                BudgetTracker* budgets, LatencyTracker* latency, const Route& route,
                                const ChatRequest& request, const std::vector<TextSlot>& slots,
                                const std::vector<std::string>& safe_texts,
                                const guard::PseudonymMap& map, const DeltaSink& sink,
                                const std::string& api_key_id);

// Writes one guard decision to the audit log: the request (or model call) id, the verdict
// (types and counts, never values) and the route taken or what refused it.
using DecisionAudit = std::function<void(const std::string& request_id,
                                         const guard::Verdict& verdict, const std::string& route)>;

// The entity types a verdict counts, by name ("EMAIL", "IBAN"…), as the router's
// sensitivity stage reads them.
std::vector<std::string> finding_names(const guard::Verdict& verdict);

// Whether `findings` make a request local-only under `local_only_findings` ("*": any).
// `why` (may be null) gets the first finding that does.
bool findings_force_local(const std::vector<std::string>& local_only_findings,
                          const std::vector<std::string>& findings, std::string* why);

// The router's local-only findings and the guard's policy must agree: every entity type
// the policy marks local_only (NIR by default) is always one, on top of what [router]
// local_only_findings lists. Without that key, only those: a type the guard pseudonymises
// (e-mail, IBAN…) may then go remote, as placeholders.
void align_local_only_findings(RouterConfig& rc, const toml::table& config,
                               const guard::Policy& policy);

}  // namespace tq

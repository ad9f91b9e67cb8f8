#include "router/guarded_provider.h"

#include <algorithm>

#include "core/error.h"

namespace tq {

using nlohmann::json;

std::vector<std::string> protected_texts(const ChatRequest& request, std::vector<TextSlot>& slots) {
  std::vector<std::string> texts;
  slots.clear();
  if (!request.prompt.empty()) {
    texts.push_back(request.prompt);
    slots.push_back({TextSlot::Field::Prompt, 0});
  }
  for (size_t i = 0; i < request.messages.size(); ++i) {
    const ChatMessage& m = request.messages[i];
    texts.push_back(m.content);
    slots.push_back({TextSlot::Field::Content, i});
    // Arguments of earlier tool calls are conversation text too (an e-mail looked up…).
    if (!m.tool_calls.is_null()) {
      texts.push_back(m.tool_calls.dump(-1, ' ', false, json::error_handler_t::replace));
      slots.push_back({TextSlot::Field::ToolCalls, i});
    }
  }
  return texts;
}

ChatRequest with_texts(const ChatRequest& request, const std::vector<TextSlot>& slots,
                       const std::vector<std::string>& texts) {
  if (slots.size() != texts.size()) throw Error("guard: text slots and texts differ in number");
  ChatRequest out = request;
  for (size_t k = 0; k < slots.size(); ++k) {
    const TextSlot& s = slots[k];
    if (s.field == TextSlot::Field::Prompt) {
      out.prompt = texts[k];
      continue;
    }
    if (s.message >= out.messages.size()) throw Error("guard: text slot out of range");
    ChatMessage& m = out.messages[s.message];
    if (s.field == TextSlot::Field::Content) {
      m.content = texts[k];
    } else {
      json calls = json::parse(texts[k], nullptr, false);
      if (calls.is_discarded())
        throw InputError("guard: the pseudonymised tool calls of message " +
                         std::to_string(s.message) + " are no longer JSON");
      m.tool_calls = std::move(calls);
    }
  }
  return out;
}

namespace {

// Placeholders inside tool-call arguments (JSON text) come back as their values.
void reidentify_tool_calls(json& calls, const guard::PseudonymMap& map) {
  if (!calls.is_array()) return;
  for (auto& c : calls) {
    if (!c.is_object() || !c.contains("function") || !c["function"].is_object()) continue;
    json& f = c["function"];
    if (f.contains("arguments") && f["arguments"].is_string())
      f["arguments"] = guard::reidentify(f["arguments"].get<std::string>(), map);
  }
}

}  // namespace

ChatResult PseudonymisingProvider::chat(const ChatRequest& request, const DeltaSink& on_delta) {
  const ChatRequest safe = with_texts(request, slots_, texts_);
  guard::StreamReidentifier stream(map_);
  DeltaSink sink;
  if (on_delta) {
    sink = [&](const std::string& piece) {
      const std::string shown = stream.push(piece);
      return shown.empty() || on_delta(shown);
    };
  }
  ChatResult r = remote_.chat(safe, sink);
  if (on_delta) {
    const std::string tail = stream.finish();
    if (!tail.empty() && !on_delta(tail))
      throw ProviderError(ProviderErrorKind::Cancelled, "the client went away");
  }
  r.text = guard::reidentify(r.text, map_);
  reidentify_tool_calls(r.tool_calls, map_);
  return r;
}

EmbeddingResult PseudonymisingProvider::embed(const std::string& model,
                                              const std::vector<std::string>& inputs) {
  // Placeholders would change the vectors: embeddings of protected text stay local (the
  // gateway refuses them before they get here); anything else passes as it is.
  return remote_.embed(model, inputs);
}

ExecutionResult execute_guarded(const RouteExecutor::ProviderLookup& providers,
                                BudgetTracker* budgets, LatencyTracker* latency, const Route& route,
                                const ChatRequest& request, const std::vector<TextSlot>& slots,
                                const std::vector<std::string>& safe_texts,
                                const guard::PseudonymMap& map, const DeltaSink& sink,
                                const std::string& api_key_id) {
  // One wrapper per remote provider of this call; they live as long as the call.
  std::vector<std::unique_ptr<PseudonymisingProvider>> wrappers;
  auto lookup = [&](const std::string& name) -> Provider* {
    Provider* p = providers(name);
    if (p == nullptr || p->is_local()) return p;
    for (const auto& w : wrappers)
      if (w->name() == name) return w.get();
    wrappers.push_back(std::make_unique<PseudonymisingProvider>(*p, slots, safe_texts, map));
    return wrappers.back().get();
  };
  const RouteExecutor executor(lookup, budgets, latency);
  return executor.run(route, request, sink, api_key_id);
}

std::vector<std::string> finding_names(const guard::Verdict& verdict) {
  std::vector<std::string> out;
  for (size_t i = 0; i < verdict.counts.size(); ++i)
    if (verdict.counts[i] > 0)
      out.emplace_back(guard::type_name(static_cast<guard::EntityType>(i)));
  return out;
}

bool findings_force_local(const std::vector<std::string>& local_only_findings,
                          const std::vector<std::string>& findings, std::string* why) {
  const bool any = std::find(local_only_findings.begin(), local_only_findings.end(), "*") !=
                   local_only_findings.end();
  for (const auto& f : findings) {
    if (any || std::find(local_only_findings.begin(), local_only_findings.end(), f) !=
                   local_only_findings.end()) {
      if (why != nullptr) *why = f;
      return true;
    }
  }
  return false;
}

void align_local_only_findings(RouterConfig& rc, const toml::table& config,
                               const guard::Policy& policy) {
  if (!config.at_path("router.local_only_findings")) rc.local_only_findings.clear();
  for (int i = 0; i < guard::kEntityTypeCount; ++i) {
    const auto type = static_cast<guard::EntityType>(i);
    if (policy.for_type(type) < guard::Action::LocalOnly) continue;
    const std::string name(guard::type_name(type));
    if (std::find(rc.local_only_findings.begin(), rc.local_only_findings.end(), name) ==
        rc.local_only_findings.end())
      rc.local_only_findings.push_back(name);
  }
}

}  // namespace tq

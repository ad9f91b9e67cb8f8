#include "tasks/runtime/task_route_provider.h"

#include <chrono>
#include <cstdio>

#include "ledger/ledger.h"
#include "providers/registry.h"
#include "router/router.h"

namespace tq::tasks {
namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TaskRouteProvider::TaskRouteProvider(Route route, std::string role,
                                     const ProviderRegistry& registry, BudgetTracker* budgets,
                                     Ledger* ledger, const TaskGuard& guard, TaskCallTags tags)
    : route_(std::move(route)),
      role_(std::move(role)),
      registry_(registry),
      budgets_(budgets),
      ledger_(ledger),
      guard_(guard),
      tags_(std::move(tags)) {}

std::vector<ModelInfo> TaskRouteProvider::models() const {
  return {{route_.primary.model, route_.primary.provider}};
}

EmbeddingResult TaskRouteProvider::embed(const std::string& model,
                                         const std::vector<std::string>& inputs) {
  Provider* p = registry_.provider(route_.primary.provider);
  if (p == nullptr)
    throw ProviderError(ProviderErrorKind::Internal,
                        "provider '" + route_.primary.provider + "' is not configured");
  return p->embed(model, inputs);
}

void TaskRouteProvider::record(const AttemptRecord& a, const std::string& request_id,
                               const Route& used) const {
  if (ledger_ == nullptr) return;
  LedgerRecord r;
  r.request_id = request_id;
  r.time_ms = unix_ms() - static_cast<int64_t>(a.ms);
  r.key_id = tags_.key_name;
  r.endpoint = "tasks";
  r.route = "task:" + role_;
  r.reason = used.reason();
  r.provider = a.provider;
  r.model = a.model;
  r.task = tags_.task;
  const Provider* p = registry_.provider(a.provider);
  r.is_local = p != nullptr && p->is_local();
  r.prompt_tokens = a.prompt_tokens;
  r.completion_tokens = a.completion_tokens;
  r.ttft_ms = a.ttft_ms;
  r.total_ms = a.ms;
  r.cost_eur = a.cost_eur;
  r.cpu_ms = a.cpu_ms;
  r.energy_wh = a.energy_wh;
  r.status = a.error.empty() ? "ok" : "error";
  r.error = a.error;
  r.attempt = a.attempt;
  r.cascade_role = role_ == "slm" ? "slm" : "llm";
  r.escalated = role_ == "llm" && tags_.cascade;
  try {
    ledger_->append(r);
  } catch (const std::exception& e) {
    // The answer stands; a lost record is reported, never turned into a failed task.
    std::fprintf(stderr, "triptyque tasks: ledger write failed: %s\n", e.what());
  }
}

void TaskRouteProvider::audit(const std::string& request_id, const guard::Verdict& v,
                              const std::string& what) const {
  if (!guard_.audit) return;
  try {
    guard_.audit(request_id, v, what);
  } catch (const std::exception& e) {
    // As the gateway's writer does: a lost audit row is reported, the call's fate is not
    // changed by it (the decision itself was already taken).
    std::fprintf(stderr, "triptyque tasks: audit write failed: %s\n", e.what());
  }
}

Route TaskRouteProvider::guarded_route(const guard::Verdict& verdict,
                                       const std::string& request_id) const {
  const std::string where = "task " + tags_.task + " (" + role_ + ")";
  if (verdict.action == guard::Action::Block) {
    std::string why;
    for (const auto& r : verdict.reasons) why += (why.empty() ? "" : "; ") + r;
    audit(request_id, verdict, "blocked");
    throw GuardRefusal(where + ": blocked by the data guard: " +
                       (why.empty() ? std::string("guard failure") : why));
  }
  // Findings that may not leave the machine keep this call — and the rest of the run,
  // whose later prompts carry the same data or what a model made of it — local.
  std::string finding;
  std::string because;
  if (verdict.action >= guard::Action::LocalOnly ||
      findings_force_local(guard_.local_only_findings, finding_names(verdict), &finding)) {
    for (const auto& r : verdict.reasons)
      if (r.find("local_only") != std::string::npos) because += (because.empty() ? "" : "; ") + r;
    if (because.empty()) because = "the guard found " + finding + " (local-only finding)";
    tags_.local_only->store(true);
  } else if (tags_.local_only->load()) {
    because = "the run's data may not leave this machine";
  }
  Route route = route_;
  if (because.empty()) return route;
  std::string note;
  if (!restrict_to_local(route, &note)) {
    audit(request_id, verdict, "refused");
    throw LocalOnlyRefusal(where + ": " + because + ", and the " + role_ + " route (" +
                           route_.name() +
                           ") has no local model; give the task a local model in "
                           "[router.tasks." +
                           tags_.task + "]");
  }
  route.reasons.push_back("local-only: " + because + (note.empty() ? "" : " → " + note));
  return route;
}

ChatResult TaskRouteProvider::chat(const ChatRequest& request, const DeltaSink& on_delta) {
  const std::string request_id = tags_.run_id + "." + std::to_string(++*tags_.calls);
  // The guard reads every text of the call once; its placeholders (one map per call, so
  // stable across the call's messages) are what remote targets see.
  std::vector<TextSlot> slots;
  guard::PseudonymMap map;
  const guard::Protected prot =
      guard_.guard->protect_or_block(protected_texts(request, slots), {}, map);
  const Route route = guarded_route(prot.verdict, request_id);
  audit(request_id, prot.verdict, "task:" + role_ + " " + route.kind() + " " + route.name());
  std::vector<AttemptRecord> attempts;  // the executor reports from this thread only
  ChatRequest req = request;
  const auto outer = request.on_attempt;
  req.on_attempt = [&attempts, &outer](const AttemptRecord& a) {
    attempts.push_back(a);
    if (outer) outer(a);
  };
  try {
    ExecutionResult out = execute_guarded(
        [this](const std::string& name) { return registry_.provider(name); }, budgets_, nullptr,
        route, req, slots, prot.texts, map, on_delta, tags_.key_name);
    const Provider* served = registry_.provider(out.served_by.provider);
    if (served != nullptr && served->is_local())
      out.result.cost_eur = registry_.cost_eur(*served, out.served_by.model, out.result.usage);
    bool reported = false;
    for (const auto& a : attempts)
      reported = reported || (a.error.empty() && a.provider == out.served_by.provider);
    if (!reported) {  // the local engine has no upstream attempts to report: one row for it
      AttemptRecord a;
      a.provider = out.served_by.provider;
      a.model = out.served_by.model;
      a.ms = out.result.total_ms;
      a.ttft_ms = out.result.ttft_ms;
      a.prompt_tokens = out.result.usage.prompt_tokens;
      a.completion_tokens = out.result.usage.completion_tokens;
      a.cost_eur = out.result.cost_eur;
      a.cpu_ms = out.result.cpu_ms;
      a.energy_wh = out.result.energy_wh;
      attempts.push_back(a);
    }
    for (const auto& a : attempts) record(a, request_id, route);
    return out.result;
  } catch (const ProviderError& e) {
    if (attempts.empty() || attempts.back().error.empty()) {
      AttemptRecord a;
      a.provider = route.primary.provider;
      a.model = route.primary.model;
      a.error = e.what();
      a.http_status = e.http_status();
      attempts.push_back(a);
    }
    for (const auto& a : attempts) record(a, request_id, route);
    throw;
  }
}

}  // namespace tq::tasks

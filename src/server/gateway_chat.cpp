// /v1/chat/completions and /v1/completions: the request's path through the gateway.
//   auth → parse → guard (findings, pseudonyms; a failing guard blocks) → router (model id,
//   "auto" or a task; key policy, header and findings may force local) → executor
//   (cascade, fallbacks, budgets; remote targets see placeholders) → re-identified answer,
//   streamed or whole → ledger rows (one per attempt) and an audit event.
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "providers/pricing.h"
#include "router/guarded_provider.h"
#include "server/gateway.h"
#include "server/gateway_call.h"
#include "server/http_util.h"
#include "server/openai_format.h"

namespace tq {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

// What passes between the thread running the route (which produces text) and the HTTP
// thread (which writes it to the socket): a slow client never stalls the model's batch,
// and a write that fails (client gone) cancels the generation at its next token.
struct StreamState {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> pieces;
  bool finished = false;
  std::atomic<bool> client_gone{false};
  ExecutionResult result;
  std::optional<ProviderError> error;
  std::string internal_error;
};

// The request's texts as the guard sees them, and what it decided.
struct GuardedRequest {
  std::vector<TextSlot> slots;
  guard::Protected prot;
  std::unique_ptr<guard::PseudonymMap> map = std::make_unique<guard::PseudonymMap>();
};

std::string refusal_code(Refusal::Kind k) {
  switch (k) {
    case Refusal::Kind::UnknownModel:
      return "model_not_found";
    case Refusal::Kind::LocalOnlyNoRoute:
      return "local_only";
    case Refusal::Kind::BudgetExhausted:
      return "budget_exhausted";
  }
  return "refused";
}

// When a fallback answered, why the target before it did not (a budget reservation
// refused at run time, an upstream down…): the reason header must say who served and why.
std::string fallback_note(const Route& route, const ExecutionResult& r,
                          const std::vector<AttemptRecord>& attempts) {
  if (r.escalated || r.served_by == route.primary ||
      (route.escalate_to && r.served_by == *route.escalate_to))
    return "";
  std::string why = "it failed";
  for (const auto& a : attempts)
    if (!a.error.empty()) {
      why = a.error;
      break;
    }
  return "; served by fallback " + r.served_by.label() + " (" + why + ")";
}

}  // namespace

void Gateway::handle_generation(const httplib::Request& req, httplib::Response& res,
                                const std::string& endpoint) {
  const auto start = SteadyClock::now();
  metrics_.in_flight(1);
  auto finish_metrics = [this, start, endpoint](int status) {
    metrics_.in_flight(-1);
    metrics_.request_done(endpoint, status,
                          std::chrono::duration<double>(SteadyClock::now() - start).count());
  };
  auto call = std::make_shared<Call>();
  const bool chat = endpoint == "chat";
  call->request_id = random_id(chat ? "chatcmpl-" : "cmpl-");
  call->time_ms = unix_ms();
  call->endpoint = endpoint;
  const auto who = authorize(req, res, endpoint);
  if (!who) return finish_metrics(res.status);
  call->key_name = who->key_name;
  auto parsed = chat ? parse_chat_request(req.body, options_.limits)
                     : parse_completion_request(req.body, options_.limits);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    send_error(res, 400, err->message, err->param);
    return finish_metrics(res.status);
  }
  auto request =
      std::make_shared<ParsedChatRequest>(std::move(std::get<ParsedChatRequest>(parsed)));

  // The guard reads every text of the conversation once: what it found decides how
  // sensitive the request is, and its placeholders are what remote models will see.
  auto guarded = std::make_shared<GuardedRequest>();
  {
    const auto texts = protected_texts(request->chat, guarded->slots);
    guarded->prot = app_.guard().protect_or_block(texts, {}, *guarded->map);
    call->verdict = guarded->prot.verdict;
  }
  auto refuse = [&](int status, const std::string& outcome, const std::string& message,
                    const std::string& code) {
    call->route_kind = outcome;
    call->outcome = outcome;
    call->error = message;
    call->audit_route = outcome;
    res.set_header("x-triptyque-route", outcome);
    res.set_header("x-triptyque-reason", header_text(message));
    send_error(res, status, message, status == 404 ? "model" : "", code);
    record(*call);
    finish_metrics(res.status);
  };
  const guard::Verdict& verdict = guarded->prot.verdict;
  if (verdict.action == guard::Action::Block) {
    std::string why;
    for (const auto& r : verdict.reasons) why += (why.empty() ? "" : "; ") + r;
    return refuse(403, "blocked",
                  "blocked by the data guard: " + (why.empty() ? "guard failure" : why),
                  "blocked_by_guard");
  }

  RoutingRequest rr;
  rr.model = request->chat.model;
  rr.api_key_id = who->key_name;
  rr.key_local_only = who->local_only();
  rr.header_local_only = req.get_header_value("x-triptyque-data") == "local-only";
  rr.guard_findings = finding_names(verdict);
  rr.prompt_tokens_bound = worst_case_prompt_tokens(request->chat.messages) +
                           static_cast<int64_t>(request->chat.prompt.size());
  rr.max_tokens = request->chat.max_tokens;
  const RoutingDecision decision = app_.router().route(rr);
  if (decision.refusal) {
    const Refusal& r = *decision.refusal;
    return refuse(r.http_status(), "refused", r.message, refusal_code(r.kind));
  }
  const Route route = *decision.route;
  call->route_kind = route.kind();
  call->reason = route.reason();
  call->task = route.task;
  call->audit_route = route.kind() + " " + route.name();
  res.set_header("x-triptyque-route", call->route_kind);

  const ResponseIdentity id{call->request_id,
                            std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count(),
                            request->chat.model, chat};
  ChatRequest upstream = request->chat;
  // Attempts are collected here rather than from the ExecutionResult, which a failed
  // route never returns: the ledger must hold the failures too.
  auto attempts = std::make_shared<std::vector<AttemptRecord>>();
  upstream.on_attempt = [attempts](const AttemptRecord& a) { attempts->push_back(a); };
  auto run_route = [this, route, upstream, guarded, who](const DeltaSink& sink) {
    return app_.execute(route, upstream, guarded->slots, guarded->prot.texts, *guarded->map, sink,
                        who->key_name);
  };
  auto log_text = [this, call, request](const std::string& answer) {
    if (!app_.log_text()) return;
    json messages = json::array();
    for (const auto& m : request->chat.messages)
      messages.push_back({{"role", m.role}, {"content", m.content}});
    call->text =
        CallText{call->request_id, call->time_ms,
                 request->chat.prompt.empty() ? messages.dump() : request->chat.prompt, answer};
  };

  if (!request->stream) {
    try {
      const ExecutionResult r = run_route(nullptr);
      call->attempts = *attempts;
      call->escalated = r.escalated;
      if (!r.cascade_reason.empty()) call->reason += "; " + r.cascade_reason;
      call->reason += fallback_note(route, r, call->attempts);
      double cost = 0;
      for (const auto& a : call->attempts) cost += a.cost_eur;
      res.set_header("x-triptyque-reason", header_text(call->reason));
      res.set_header("x-triptyque-served-by", header_text(r.served_by.label()));
      res.set_header("x-triptyque-cost-eur", eur_text(cost));
      send_json(res, 200, completion_body(id, r.result));
      log_text(r.result.text);
    } catch (const ProviderError& e) {
      call->attempts = *attempts;
      call->outcome = "error";
      call->error = e.what();
      const bool budget = e.kind() == ProviderErrorKind::RateLimited &&
                          std::string_view(e.what()).rfind("budget", 0) == 0;
      // The router passed the request, then the executor's reservation found the budget
      // spent by requests running beside it: the reason must say so, not only the route.
      if (budget) call->reason += std::string("; refused at run time: ") + e.what();
      res.set_header("x-triptyque-reason", header_text(call->reason));
      if (e.retry_after())
        res.set_header("Retry-After", std::to_string(e.retry_after()->count() / 1000 + 1));
      send_error(res, status_of(e), e.what(), "", budget ? "budget_exhausted" : "");
    } catch (const std::exception& e) {  // the guard's wall failed: nothing was sent
      call->attempts = *attempts;
      call->outcome = "error";
      call->error = e.what();
      send_error(res, 500, e.what());
    }
    record(*call);
    return finish_metrics(res.status);
  }

  // Streaming: the answer goes out as server-sent events while it is generated; only the
  // attempt that is kept streams (a cascade's SLM answers unseen first).
  const bool include_usage = request->include_usage;
  res.set_header("x-triptyque-reason", header_text(call->reason));
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [this, call, id, include_usage, finish_metrics, run_route, attempts,
                            log_text, route](size_t /*offset*/, httplib::DataSink& sink) {
        auto state = std::make_shared<StreamState>();
        std::thread worker([state, run_route] {
          try {
            state->result = run_route([state](const std::string& delta) {
              if (state->client_gone.load()) return false;
              std::lock_guard lock(state->mutex);
              state->pieces.push_back(delta);
              state->wake.notify_one();
              return true;
            });
          } catch (const ProviderError& e) {
            state->error = e;
          } catch (const std::exception& e) {
            state->internal_error = e.what();
          }
          std::lock_guard lock(state->mutex);
          state->finished = true;
          state->wake.notify_one();
        });
        const std::string first = sse(chunk_body(id, "", "", true, include_usage));
        if (!sink.write(first.data(), first.size())) state->client_gone = true;
        for (;;) {
          std::deque<std::string> pieces;
          bool finished = false;
          {
            std::unique_lock lock(state->mutex);
            state->wake.wait(lock, [&] { return state->finished || !state->pieces.empty(); });
            pieces.swap(state->pieces);
            finished = state->finished;
          }
          for (const auto& p : pieces) {
            if (state->client_gone) break;
            const std::string event = sse(chunk_body(id, p, "", false, include_usage));
            if (!sink.write(event.data(), event.size())) state->client_gone = true;
          }
          if (finished) break;
        }
        worker.join();
        call->attempts = *attempts;
        const bool gone = state->client_gone.load();
        if (state->error || !state->internal_error.empty()) {
          call->outcome =
              gone || (state->error && state->error->kind() == ProviderErrorKind::Cancelled)
                  ? "cancelled"
                  : "error";
          call->error = state->error ? state->error->what() : state->internal_error;
          if (!gone) {
            const int code = state->error ? status_of(*state->error) : 500;
            const std::string event = sse(error_body(code, call->error));
            sink.write(event.data(), event.size());
          }
        } else {
          const ExecutionResult& r = state->result;
          call->escalated = r.escalated;
          if (!r.cascade_reason.empty()) call->reason += "; " + r.cascade_reason;
          call->reason += fallback_note(route, r, call->attempts);
          if (gone || r.result.finish_reason == "cancelled") call->outcome = "cancelled";
          log_text(r.result.text);
          if (!gone) {
            double cost = 0;
            for (const auto& a : call->attempts) cost += a.cost_eur;
            std::string tail;
            if (r.result.tool_calls.is_array() && !r.result.tool_calls.empty())
              tail += sse(tool_calls_chunk_body(id, r.result.tool_calls, include_usage));
            tail += sse(chunk_body(id, "", r.result.finish_reason, false, include_usage));
            // Always the usage chunk: it carries the cost (and what served), which headers
            // sent before the answer could not.
            tail += sse(usage_chunk_body(id, r.result.usage, cost,
                                         json{{"served_by", r.served_by.label()},
                                              {"route", call->route_kind},
                                              {"reason", call->reason}}));
            tail += "data: [DONE]\n\n";
            if (!sink.write(tail.data(), tail.size())) call->outcome = "cancelled";
          }
        }
        record(*call);
        if (call->outcome == "cancelled") metrics_.cancelled();
        finish_metrics(gone ? 499 : 200);
        if (gone) return false;
        sink.done();
        return true;
      });
}

}  // namespace tq

#include "server/gateway.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <random>
#include <thread>

#include "core/config.h"
#include "core/error.h"
#include "server/kb_api.h"
#include "server/openai_format.h"
#include "server/routing.h"
#include "server/task_api.h"

namespace tq {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_id(const std::string& prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%08llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return prefix + buf;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& param = "", const std::string& code = "") {
  send_json(res, status, error_body(status, message, param, code));
}

// ProviderError → the HTTP status a client should see.
int status_of(const ProviderError& e) {
  switch (e.kind()) {
    case ProviderErrorKind::BadRequest:
      return 400;
    case ProviderErrorKind::Unauthorized:
      return 502;  // our upstream credentials are wrong: not the client's fault
    case ProviderErrorKind::NotFound:
      return 404;
    case ProviderErrorKind::RateLimited:
      return 429;
    case ProviderErrorKind::Unavailable:
      return 503;
    case ProviderErrorKind::Timeout:
      return 504;
    case ProviderErrorKind::Cancelled:
      return 499;
    case ProviderErrorKind::Internal:
      break;
  }
  return 500;
}

// Costs of one call are tiny (micro-euros): print significant digits, not fixed decimals.
std::string eur_text(double eur) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", eur);
  return buf;
}

std::string sse(const json& j) {
  return "data: " + j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

}  // namespace

ServerOptions ServerOptions::from_config(const toml::table& config,
                                         const std::filesystem::path& base_dir) {
  ServerOptions o;
  if (auto v = config_string(config, "server.host")) o.host = *v;
  if (auto v = config_int(config, "server.port")) {
    if (*v < 0 || *v > 65535) throw InputError("server.port must be between 0 and 65535");
    o.port = static_cast<int>(*v);
  }
  if (auto v = config_int(config, "server.threads")) {
    if (*v < 1 || *v > 1024) throw InputError("server.threads must be between 1 and 1024");
    o.threads = static_cast<int>(*v);
  }
  if (auto v = config_int(config, "server.max_body_bytes")) {
    if (*v < 1024) throw InputError("server.max_body_bytes must be at least 1024");
    o.max_body_bytes = static_cast<size_t>(*v);
  }
  if (auto v = config_int(config, "server.max_tokens")) {
    if (*v < 1 || *v > (1 << 20))
      throw InputError("server.max_tokens must be between 1 and 1048576");
    o.limits.max_tokens = static_cast<int32_t>(*v);
  }
  if (auto v = config_string(config, "ledger.path")) {
    const std::filesystem::path p(*v);
    o.ledger_path = p.is_absolute() ? p : base_dir / p;
  } else {
    o.ledger_path = base_dir / "triptyque-ledger.sqlite";
  }
  if (auto v = config_string(config, "kb.path")) {
    const std::filesystem::path p(*v);
    o.kb_path = p.is_absolute() ? p : base_dir / p;
  }
  o.kb_embed_model = config_string(config, "kb.embeddings.model").value_or("");
  return o;
}

// One client call as the ledger sees it.
struct Gateway::Call {
  std::string request_id;
  int64_t time_ms = 0;
  std::string key_name;
  std::string endpoint;
  GatewayRoute route;
  Usage usage;
  double ttft_ms = 0;
  double total_ms = 0;
  double cost_eur = 0;
  int attempts = 1;
};

Gateway::Gateway(ServerOptions options, std::unique_ptr<ProviderRegistry> registry, KeyStore keys)
    : options_(std::move(options)),
      registry_(std::move(registry)),
      keys_(std::move(keys)),
      ledger_(std::make_unique<Ledger>(options_.ledger_path.string())),
      http_(std::make_unique<httplib::Server>()) {
  const int threads = options_.threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  http_->set_payload_max_length(options_.max_body_bytes);
  install_routes();
}

Gateway::~Gateway() = default;

int Gateway::bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port < 0)
    throw InputError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                     " (in use, or not an address of this machine): pick another --port/--host");
  options_.port = port;
  return port;
}

void Gateway::run() {
  http_->listen_after_bind();
  ledger_->flush();
}

void Gateway::stop() {
  http_->stop();
}

void Gateway::record(const Call& call, const std::string& status, const std::string& error) {
  LedgerRecord r;
  r.request_id = call.request_id;
  r.time_ms = call.time_ms;
  r.key_id = call.key_name;
  r.endpoint = call.endpoint;
  r.route = call.route.route;
  r.reason = call.route.reason;
  r.provider = call.route.provider != nullptr ? call.route.provider->name() : "";
  r.model = call.route.model;
  r.is_local = call.route.provider != nullptr && call.route.provider->is_local();
  r.prompt_tokens = call.usage.prompt_tokens;
  r.completion_tokens = call.usage.completion_tokens;
  r.ttft_ms = call.ttft_ms;
  r.total_ms = call.total_ms;
  r.cost_eur = call.cost_eur;
  r.status = status;
  r.error = error;
  r.attempt = call.attempts;
  try {
    ledger_->append(r);
  } catch (const std::exception& e) {
    // The answer was given; losing the record is logged, never turned into a failed call.
    std::fprintf(stderr, "triptyque serve: ledger write failed: %s\n", e.what());
  }
  metrics_.call_done(r.route, r.provider, r.model, r.prompt_tokens, r.completion_tokens,
                     r.cost_eur);
}

bool Gateway::authorize(const httplib::Request& req, httplib::Response& res,
                        const std::string& scope, std::string& key_name) {
  const AuthDecision d = keys_.check(req.get_header_value("Authorization"), scope);
  key_name = d.key_name;
  switch (d.outcome) {
    case AuthDecision::Outcome::Allowed:
      return true;
    case AuthDecision::Outcome::Unauthorized:
      send_error(res, 401, d.message, "", "invalid_api_key");
      return false;
    case AuthDecision::Outcome::Forbidden:
      send_error(res, 403, d.message, "", "insufficient_scope");
      return false;
    case AuthDecision::Outcome::RateLimited:
      res.set_header("Retry-After", std::to_string(static_cast<int64_t>(d.retry_after_s) + 1));
      send_error(res, 429, d.message, "", "rate_limit_exceeded");
      return false;
  }
  return false;
}

void Gateway::install_routes() {
  httplib::Server& s = *http_;
  s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, json{{"status", "ok"}});
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/v1/models",
        [this](const httplib::Request& req, httplib::Response& res) { handle_models(req, res); });
  s.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    handle_generation(req, res, "chat");
  });
  s.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) {
    handle_generation(req, res, "completions");
  });
  s.Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
    handle_embeddings(req, res);
  });
  kb_api_ = mount_gateway_kb_api(s, options_, *registry_, keys_);
  mount_task_api(
      s, [this] { return tasks_.get(); },
      [this](const httplib::Request& req, httplib::Response& res, std::string& key) {
        return authorize(req, res, "tasks", key);
      });
  // Statuses httplib sets itself (413 over the body limit, 404 unknown path, 400 bad HTTP)
  // get a body in OpenAI's error shape too.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413)
      send_error(res, 413,
                 "the request body is larger than the server's limit (server.max_body_bytes)", "",
                 "request_too_large");
    else if (res.status == 404)
      send_error(res, 404, "no such endpoint: " + req.method + " " + req.path, "", "unknown_url");
    else
      send_error(res, res.status, "HTTP error " + std::to_string(res.status));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, 500, what);
      });
}

void Gateway::handle_models(const httplib::Request& req, httplib::Response& res) {
  const auto start = SteadyClock::now();
  std::string key;
  if (authorize(req, res, "models", key)) {
    json data = json::array();
    for (const auto& m : registry_->models())
      data.push_back({{"id", m.id}, {"object", "model"}, {"created", 0}, {"owned_by", m.owned_by}});
    send_json(res, 200, json{{"object", "list"}, {"data", data}});
  }
  metrics_.request_done("models", res.status,
                        std::chrono::duration<double>(SteadyClock::now() - start).count());
}

void Gateway::handle_embeddings(const httplib::Request& req, httplib::Response& res) {
  const auto start = SteadyClock::now();
  metrics_.in_flight(1);
  Call call;
  call.request_id = random_id("emb-");
  call.time_ms = unix_ms();
  call.endpoint = "embeddings";
  [&] {
    if (!authorize(req, res, "embeddings", call.key_name)) return;
    auto parsed = parse_embedding_request(req.body, options_.limits);
    if (auto* err = std::get_if<ParseError>(&parsed)) {
      send_error(res, 400, err->message, err->param);
      return;
    }
    auto& r = std::get<ParsedEmbeddingRequest>(parsed);
    ParsedRequest pr{"embeddings", r.model, call.key_name,
                     req.get_header_value("x-triptyque-data") == "local-only", nullptr};
    call.route = route_request(*registry_, pr);
    if (call.route.provider == nullptr) {
      send_error(res, call.route.error_status, call.route.reason, "model", call.route.error_code);
      return;
    }
    res.set_header("x-triptyque-route", call.route.route);
    res.set_header("x-triptyque-reason", call.route.reason);
    try {
      const EmbeddingResult e = call.route.provider->embed(call.route.model, r.inputs);
      call.usage = e.usage;
      call.total_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      call.ttft_ms = call.total_ms;
      call.cost_eur = registry_->cost_eur(*call.route.provider, call.route.model, call.usage);
      res.set_header("x-triptyque-cost-eur", eur_text(call.cost_eur));
      send_json(res, 200, embeddings_body(r.model, e, r.base64));
      record(call, "ok", "");
    } catch (const ProviderError& e) {
      call.total_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      record(call, "error", e.what());
      send_error(res, status_of(e), e.what());
    }
  }();
  metrics_.in_flight(-1);
  metrics_.request_done("embeddings", res.status,
                        std::chrono::duration<double>(SteadyClock::now() - start).count());
}

namespace {

// What passes between the thread running the provider (which produces text) and the HTTP
// thread (which writes it to the socket): a slow client never stalls the model's batch,
// and a write that fails (client gone) cancels the generation at its next token.
struct StreamState {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> pieces;
  bool finished = false;
  std::atomic<bool> client_gone{false};
  ChatResult result;
  std::optional<ProviderError> error;
  std::string internal_error;
};

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
  if (!authorize(req, res, endpoint, call->key_name)) return finish_metrics(res.status);
  auto parsed = chat ? parse_chat_request(req.body, options_.limits)
                     : parse_completion_request(req.body, options_.limits);
  if (auto* err = std::get_if<ParseError>(&parsed)) {
    send_error(res, 400, err->message, err->param);
    return finish_metrics(res.status);
  }
  auto request =
      std::make_shared<ParsedChatRequest>(std::move(std::get<ParsedChatRequest>(parsed)));
  ParsedRequest pr{endpoint, request->chat.model, call->key_name,
                   req.get_header_value("x-triptyque-data") == "local-only", request.get()};
  call->route = route_request(*registry_, pr);
  if (call->route.provider == nullptr) {
    send_error(res, call->route.error_status, call->route.reason, "model", call->route.error_code);
    return finish_metrics(res.status);
  }
  res.set_header("x-triptyque-route", call->route.route);
  res.set_header("x-triptyque-reason", call->route.reason);
  const ResponseIdentity who{call->request_id,
                             std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count(),
                             request->chat.model, chat};
  ChatRequest upstream = request->chat;
  upstream.model = call->route.model;

  auto finalize = [this, call, start](const ChatResult& r) {
    call->usage = r.usage;
    call->ttft_ms = r.ttft_ms;
    call->attempts = r.attempts;
    call->total_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    call->cost_eur = registry_->cost_eur(*call->route.provider, call->route.model, r.usage);
  };

  if (!request->stream) {
    try {
      const ChatResult r = call->route.provider->chat(upstream, nullptr);
      finalize(r);
      res.set_header("x-triptyque-cost-eur", eur_text(call->cost_eur));
      send_json(res, 200, completion_body(who, r));
      record(*call, "ok", "");
    } catch (const ProviderError& e) {
      call->total_ms =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      record(*call, "error", e.what());
      if (e.retry_after())
        res.set_header("Retry-After", std::to_string(e.retry_after()->count() / 1000 + 1));
      send_error(res, status_of(e), e.what());
    }
    return finish_metrics(res.status);
  }

  // Streaming: the answer goes out as server-sent events while it is generated.
  const bool include_usage = request->include_usage;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [this, call, upstream, who, include_usage, finalize, finish_metrics,
                            start](size_t /*offset*/, httplib::DataSink& sink) {
        auto state = std::make_shared<StreamState>();
        Provider* provider = call->route.provider;
        std::thread worker([state, provider, upstream] {
          try {
            state->result = provider->chat(upstream, [state](const std::string& delta) {
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
        const std::string first = sse(chunk_body(who, "", "", true, include_usage));
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
            const std::string event = sse(chunk_body(who, p, "", false, include_usage));
            if (!sink.write(event.data(), event.size())) state->client_gone = true;
          }
          if (finished) break;
        }
        worker.join();
        const bool gone = state->client_gone.load();
        std::string status = "ok";
        std::string error;
        if (state->error || !state->internal_error.empty()) {
          status = "error";
          error = state->error ? state->error->what() : state->internal_error;
          call->total_ms =
              std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
          if (!gone) {
            const int code = state->error ? status_of(*state->error) : 500;
            const std::string event = sse(error_body(code, error));
            sink.write(event.data(), event.size());
          }
        } else {
          finalize(state->result);
          if (gone || state->result.finish_reason == "cancelled") status = "cancelled";
          if (!gone) {
            std::string tail =
                sse(chunk_body(who, "", state->result.finish_reason, false, include_usage));
            if (include_usage)
              tail += sse(usage_chunk_body(who, state->result.usage, call->cost_eur));
            tail += "data: [DONE]\n\n";
            if (!sink.write(tail.data(), tail.size())) status = "cancelled";
          }
        }
        if (status == "cancelled") metrics_.cancelled();
        record(*call, status, error);
        finish_metrics(gone ? 499 : 200);
        if (gone) return false;
        sink.done();
        return true;
      });
}

}  // namespace tq

#include "server/gateway.h"

#include <httplib.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/error.h"
#include "server/cors.h"
#include "server/gateway_call.h"
#include "server/http_util.h"
#include "server/kb_api.h"
#include "server/openai_format.h"
#include "server/task_api.h"

namespace tq {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

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

namespace {

// HTTPS when [server.tls] names a certificate and key (Debian's cpp-httplib is built with
// OpenSSL), plain HTTP otherwise.
std::unique_ptr<httplib::Server> make_http_server(const ServerOptions& o) {
  if (!o.tls()) return std::make_unique<httplib::Server>();
  for (const auto& f : {o.tls_cert, o.tls_key})
    if (!std::filesystem::is_regular_file(f))
      throw InputError("server.tls: no such file: " + f.string());
  auto s = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
  if (!s->is_valid())
    throw InputError("server.tls: cannot use the certificate " + o.tls_cert.string() +
                     " with the key " + o.tls_key.string() +
                     " (PEM files expected, the key matching the certificate)");
  return s;
}

}  // namespace

// Wakes the retention loop every check interval, or at once on stop.
struct Gateway::RetentionTimer {
  std::mutex mu;
  std::condition_variable wake;
  bool stop = false;
  std::thread thread;
};

Gateway::Gateway(App& app)
    : app_(app),
      options_(app.server_options()),
      http_(make_http_server(options_)),
      retention_(std::make_unique<RetentionTimer>()) {
  const int threads = options_.threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  http_->set_payload_max_length(options_.max_body_bytes);
  http_->set_tcp_nodelay(true);
  // httplib closes a kept-alive connection after 5 requests by default: under load every
  // client would reconnect all the time (and meet the listen backlog, see bind()).
  http_->set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max_count));
  http_->set_keep_alive_timeout(options_.keep_alive_timeout_s);
  install_routes();
}

Gateway::~Gateway() {
  {
    std::lock_guard lock(retention_->mu);
    retention_->stop = true;
  }
  retention_->wake.notify_all();
  if (retention_->thread.joinable()) retention_->thread.join();
}

int Gateway::bind() {
  // Debian's cpp-httplib 0.11 is a compiled library whose listen() backlog is fixed at 5
  // (CPPHTTPLIB_LISTEN_BACKLOG): a burst of new connections beyond that is dropped by the
  // kernel and retried by clients a second later. The socket-options hook sees the
  // listening socket, and calling listen() again on it raises the backlog (Linux).
  int listen_fd = -1;
  http_->set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port < 0)
    throw InputError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                     " (in use, or not an address of this machine): pick another --port/--host");
  if (listen_fd >= 0 && ::listen(listen_fd, options_.listen_backlog) != 0)
    std::fprintf(stderr, "triptyque serve: could not raise the listen backlog to %d\n",
                 options_.listen_backlog);
  http_->set_socket_options(httplib::default_socket_options);
  options_.port = port;
  return port;
}

void Gateway::retention_loop() {
  for (;;) {
    try {
      const RetentionReport r = app_.enforce_retention();
      for (const auto& [store, n] : r)
        if (n > 0)
          std::fprintf(stderr, "triptyque serve: retention removed %lld from %s\n",
                       static_cast<long long>(n), store.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "triptyque serve: retention failed: %s\n", e.what());
    }
    std::unique_lock lock(retention_->mu);
    if (retention_->wake.wait_for(lock, std::chrono::seconds(app_.retention().check_interval_s),
                                  [this] { return retention_->stop; }))
      return;
  }
}

void Gateway::run() {
  retention_->thread = std::thread([this] { retention_loop(); });
  http_->listen_after_bind();
  {
    std::lock_guard lock(retention_->mu);
    retention_->stop = true;
  }
  retention_->wake.notify_all();
  retention_->thread.join();
  app_.flush_records();
  app_.ledger().flush();
}

void Gateway::stop() {
  http_->stop();
}

void Gateway::record(const Call& call) {
  CallRecord out;
  auto row = [&](const AttemptRecord* a, int index) {
    LedgerRecord r;
    r.request_id = call.request_id;
    r.time_ms = call.time_ms;
    r.key_id = call.key_name;
    r.endpoint = call.endpoint;
    r.route = call.route_kind;
    r.reason = call.reason;
    r.task = call.task;
    r.escalated = call.escalated;
    r.attempt = index;
    if (a == nullptr) {
      r.status = call.outcome;
      r.error = call.error;
      r.total_ms =
          std::chrono::duration<double, std::milli>(SteadyClock::now() - call.start).count();
      return r;
    }
    r.provider = a->provider;
    r.model = a->model;
    const Provider* p = app_.registry().provider(a->provider);
    r.is_local = p != nullptr && p->is_local();
    r.prompt_tokens = a->prompt_tokens;
    r.completion_tokens = a->completion_tokens;
    r.ttft_ms = a->ttft_ms;
    r.total_ms = a->ms;
    r.cost_eur = a->cost_eur;
    r.cpu_ms = a->cpu_ms;
    r.energy_wh = a->energy_wh;
    if (r.cost_eur == 0 && p != nullptr)
      r.cost_eur =
          app_.registry().cost_eur(*p, a->model, Usage{a->prompt_tokens, a->completion_tokens});
    const bool last = index == static_cast<int>(call.attempts.size());
    r.status =
        a->error.empty() ? "ok" : (last && call.outcome == "cancelled" ? "cancelled" : "error");
    r.error = a->error;
    if (a->role == "cascade-slm") r.cascade_role = "slm";
    if (a->role == "cascade-llm") r.cascade_role = "llm";
    if (a->role == "fallback") r.cascade_role = "fallback";
    return r;
  };
  for (size_t i = 0; i < call.attempts.size(); ++i) {
    out.rows.push_back(row(&call.attempts[i], static_cast<int>(i) + 1));
    const LedgerRecord& r = out.rows.back();
    if (r.status == "ok")
      metrics_.call_done(r.route, r.provider, r.model, r.prompt_tokens, r.completion_tokens,
                         r.cost_eur);
  }
  if (call.attempts.empty()) out.rows.push_back(row(nullptr, 1));
  // Every attempt's tokens count against the key's tokens_per_minute: a cascade's small
  // model and a failed-over attempt were spent on this client too.
  int64_t tokens = 0;
  for (const auto& a : call.attempts) tokens += a.prompt_tokens + a.completion_tokens;
  app_.keys().spend_tokens(call.key_name, tokens);
  if (call.verdict) out.audit = CallAudit{call.request_id, *call.verdict, call.audit_route};
  out.text = call.text;
  app_.recorder().submit(std::move(out));
}

std::optional<AuthContext> Gateway::authorize(const httplib::Request& req, httplib::Response& res,
                                              const std::string& scope) {
  const AuthDecision d = app_.keys().check(req.get_header_value("Authorization"), scope);
  switch (d.outcome) {
    case AuthDecision::Outcome::Allowed:
      return AuthContext{d.key_name, d.key};
    case AuthDecision::Outcome::Unauthorized:
      send_error(res, 401, d.message, "", "invalid_api_key");
      break;
    case AuthDecision::Outcome::Forbidden:
      send_error(res, 403, d.message, "", "insufficient_scope");
      break;
    case AuthDecision::Outcome::RateLimited:
      res.set_header("Retry-After", std::to_string(static_cast<int64_t>(d.retry_after_s) + 1));
      send_error(res, 429, d.message, "", "rate_limit_exceeded");
      break;
  }
  return std::nullopt;
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
  install_cors(s, options_.cors);
  // Statuses httplib sets itself (413 over the body limit, 404 unknown path, 400 bad HTTP)
  // get a body in OpenAI's error shape too.
  kb_api_ = mount_gateway_kb_api(s, options_, app_.registry(), app_.keys());
  mount_task_api(
      s, [this] { return tasks_.get(); },
      [this](const httplib::Request& req, httplib::Response& res, std::string& key) {
        const auto who = authorize(req, res, "tasks");
        if (!who) return false;
        key = who->key_name;
        return true;
      });
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
  if (authorize(req, res, "models")) {
    json data = json::array();
    data.push_back(
        {{"id", "auto"}, {"object", "model"}, {"created", 0}, {"owned_by", "triptyque"}});
    for (const auto& [task, rule] : app_.router().config().tasks)
      data.push_back(
          {{"id", task}, {"object", "model"}, {"created", 0}, {"owned_by", "triptyque"}});
    for (const auto& m : app_.registry().models())
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
    const auto who = authorize(req, res, "embeddings");
    if (!who) return;
    call.key_name = who->key_name;
    auto parsed = parse_embedding_request(req.body, options_.limits);
    if (auto* err = std::get_if<ParseError>(&parsed)) {
      send_error(res, 400, err->message, err->param);
      return;
    }
    auto& r = std::get<ParsedEmbeddingRequest>(parsed);
    // Placeholders would change the vectors, so texts with anything the guard protects are
    // embedded locally or not at all.
    guard::PseudonymMap map;
    const guard::Protected prot = app_.guard().protect_or_block(r.inputs, {}, map);
    call.verdict = prot.verdict;
    std::vector<std::string> why;
    if (who->local_only()) why.emplace_back("the API key's policy");
    if (req.get_header_value("x-triptyque-data") == "local-only")
      why.emplace_back("header x-triptyque-data: local-only");
    if (prot.verdict.action != guard::Action::Allow)
      for (const auto& reason : prot.verdict.reasons) why.push_back("the guard: " + reason);
    const auto resolved = app_.registry().resolve(r.model);
    auto refuse = [&](int status, const std::string& message, const std::string& code) {
      call.route_kind = "refused";
      call.outcome = "refused";
      call.error = message;
      call.audit_route = "refused";
      res.set_header("x-triptyque-reason", header_text(message));
      send_error(res, status, message, "model", code);
      record(call);
    };
    if (prot.verdict.action == guard::Action::Block) {
      call.route_kind = "blocked";
      return refuse(403, "blocked by the data guard: " + prot.verdict.reasons.front(),
                    "blocked_by_guard");
    }
    if (!resolved)
      return refuse(404,
                    "The model '" + r.model +
                        "' does not exist (GET /v1/models lists the models served here)",
                    "model_not_found");
    std::string because;
    for (const auto& w : why) because += (because.empty() ? "" : ", ") + w;
    if (!why.empty() && !resolved->provider->is_local())
      return refuse(403,
                    "the texts are local-only (" + because + ") and '" + r.model +
                        "' is served by the remote provider " + resolved->provider->name(),
                    "local_only");
    call.route_kind = "explicit";
    call.reason = "model " + r.model + " requested explicitly, served by provider " +
                  resolved->provider->name() +
                  (why.empty() ? "" : "; local-only (" + because + ")");
    call.audit_route = resolved->provider->name() + "/" + resolved->model;
    res.set_header("x-triptyque-route", call.route_kind);
    res.set_header("x-triptyque-reason", header_text(call.reason));
    AttemptRecord a;
    a.provider = resolved->provider->name();
    a.model = resolved->model;
    const auto t0 = SteadyClock::now();
    try {
      const EmbeddingResult e = resolved->provider->embed(resolved->model, r.inputs);
      a.ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
      a.ttft_ms = a.ms;
      a.prompt_tokens = e.usage.prompt_tokens;
      a.cpu_ms = e.cpu_ms;
      a.energy_wh = e.energy_wh;
      a.cost_eur = app_.registry().cost_eur(*resolved->provider, resolved->model, e.usage);
      call.attempts.push_back(a);
      res.set_header("x-triptyque-cost-eur", eur_text(a.cost_eur));
      send_json(res, 200, embeddings_body(r.model, e, r.base64));
    } catch (const ProviderError& e) {
      a.ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
      a.error = e.what();
      call.attempts.push_back(a);
      call.outcome = "error";
      send_error(res, status_of(e), e.what());
    }
    record(call);
  }();
  metrics_.in_flight(-1);
  metrics_.request_done("embeddings", res.status,
                        std::chrono::duration<double>(SteadyClock::now() - start).count());
}

}  // namespace tq

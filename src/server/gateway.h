// The OpenAI-compatible HTTP gateway (`triptyque serve`): cpp-httplib with a thread pool,
// the endpoints /v1/chat/completions (JSON and SSE), /v1/completions, /v1/embeddings,
// /v1/models, /health and /metrics over an App (registry, router, guard, ledger). A chat
// call goes: auth → parse → guard → router → executor (remote targets see placeholders)
// → re-identified answer → ledger rows + audit event (gateway_chat.cpp).
//
// Other modules mount their own endpoints before bind():
//   void mount_kb_api(Gateway& gw) {
//     gw.http().Post("/v1/kb/search", [&gw](const httplib::Request& req, httplib::Response& res) {
//       const auto who = gw.authorize(req, res, "kb");
//       if (!who) return;  // the 401/403/429 is written
//       ...  send_json(res, 200, …) / send_error(res, 400, …) from server/http_util.h
//     });
//   }
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "server/app.h"
#include "server/metrics.h"

namespace httplib {
class Server;
class Request;
class Response;
}  // namespace httplib

namespace tq {

class KbApi;
namespace tasks {
class TaskRuntime;
}

// Who is calling, once authorized.
struct AuthContext {
  std::string key_name;         // "" when the server runs without keys
  const ApiKey* key = nullptr;  // null when the server runs without keys
  bool local_only() const { return key != nullptr && key->local_only; }
};

class Gateway {
 public:
  explicit Gateway(App& app);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Binds the socket; returns the port (the chosen one when the configured port is 0).
  int bind();
  // Serves until stop(): enforces retention at start and every check interval, and returns
  // after in-flight requests finished and every ledger and audit record is written.
  void run();
  // Thread-safe; may be called from a signal-waiting thread.
  void stop();

  // For route files of other modules: add handlers before bind().
  httplib::Server& http() { return *http_; }
  // Checks the caller's key for `scope`; on refusal writes the OpenAI-style 401/403/429
  // into `res` and returns nullopt.
  std::optional<AuthContext> authorize(const httplib::Request& req, httplib::Response& res,
                                       const std::string& scope);

  App& app() { return app_; }

  // Serves /v1/tasks/* with `runtime` (server/task_api.h); call before run(). Without one
  // those endpoints answer 503.
  void set_task_runtime(std::shared_ptr<tasks::TaskRuntime> runtime) {
    tasks_ = std::move(runtime);
  }
  const ServerOptions& options() const { return options_; }
  const ProviderRegistry& registry() const { return app_.registry(); }
  Ledger& ledger() { return app_.ledger(); }
  Metrics& metrics() { return metrics_; }

 private:
  struct Call;
  void install_routes();
  void handle_generation(const httplib::Request& req, httplib::Response& res,
                         const std::string& endpoint);
  void handle_embeddings(const httplib::Request& req, httplib::Response& res);
  void handle_models(const httplib::Request& req, httplib::Response& res);
  void record(const Call& call);
  void retention_loop();

  App& app_;
  ServerOptions options_;
  Metrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  struct RetentionTimer;
  std::unique_ptr<RetentionTimer> retention_;
  std::unique_ptr<KbApi> kb_api_;              // /v1/kb/*, when [kb] path is set
  std::shared_ptr<tasks::TaskRuntime> tasks_;  // /v1/tasks/*
};

}  // namespace tq

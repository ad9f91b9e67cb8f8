// The OpenAI-compatible HTTP gateway (`triptyque serve`): cpp-httplib with a thread pool,
// the endpoints /v1/chat/completions (JSON and SSE), /v1/completions, /v1/embeddings,
// /v1/models, /health and /metrics; API keys, rate limits, body limits; every call goes
// through route_request() and every attempt into the ledger.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <toml++/toml.h>

#include "ledger/ledger.h"
#include "providers/registry.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/request_parser.h"

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

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                   // 0: any free port (tests)
  int threads = 16;                  // HTTP worker threads (a streaming request holds one)
  size_t max_body_bytes = 4u << 20;  // larger bodies get 413
  std::filesystem::path ledger_path = "triptyque-ledger.sqlite";
  std::filesystem::path kb_path;  // [kb] path: serves /v1/kb/* (server/kb_api.h)
  std::string kb_embed_model;     // [kb.embeddings] model

  ParseLimits limits;

  // [server] host, port, threads, max_body_bytes, max_tokens; [ledger] path (relative to
  // base_dir, the config file's folder).
  static ServerOptions from_config(const toml::table& config,
                                   const std::filesystem::path& base_dir);
};

class Gateway {
 public:
  Gateway(ServerOptions options, std::unique_ptr<ProviderRegistry> registry, KeyStore keys);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Binds the socket; returns the port (the chosen one when options.port is 0).
  int bind();
  // Serves until stop(); returns after in-flight requests finished and the ledger is flushed.
  void run();
  // Thread-safe; may be called from a signal-waiting thread.
  void stop();

  // Serves /v1/tasks/* with `runtime` (server/task_api.h); call before run(). Without one
  // those endpoints answer 503.
  void set_task_runtime(std::shared_ptr<tasks::TaskRuntime> runtime) {
    tasks_ = std::move(runtime);
  }

  const ServerOptions& options() const { return options_; }
  const ProviderRegistry& registry() const { return *registry_; }
  Ledger& ledger() { return *ledger_; }
  Metrics& metrics() { return metrics_; }

 private:
  struct Call;
  void install_routes();
  void handle_generation(const httplib::Request& req, httplib::Response& res,
                         const std::string& endpoint);
  void handle_embeddings(const httplib::Request& req, httplib::Response& res);
  void handle_models(const httplib::Request& req, httplib::Response& res);
  bool authorize(const httplib::Request& req, httplib::Response& res, const std::string& scope,
                 std::string& key_name);
  void record(const Call& call, const std::string& status, const std::string& error);

  ServerOptions options_;
  std::unique_ptr<ProviderRegistry> registry_;
  KeyStore keys_;
  std::unique_ptr<Ledger> ledger_;
  Metrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<KbApi> kb_api_;
  std::shared_ptr<tasks::TaskRuntime> tasks_;
};

}  // namespace tq

// triptyque serve: the OpenAI-compatible gateway. With --config it serves the providers,
// routes, budgets, guard policy and keys of a TOML file (`triptyque init` writes a
// commented one; examples/triptyque.toml too); with
// -m FILE.gguf alone it serves that one local model without authentication (as
// llama-server does); TRIPTYQUE_MODEL=/path/model.gguf adds that model the same way and
// makes it the tasks' small model. /v1/tasks/* run on the task runtime built from the same
// configuration (tasks/runtime/task_runtime.h). SIGINT/SIGTERM stop it gracefully: in-flight
// requests finish and the ledger is flushed before exit.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "providers/local_provider.h"
#include "providers/registry.h"
#include "server/app.h"
#include "server/gateway.h"
#include "tasks/runtime/task_runtime.h"

namespace tq::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string model;
  std::string host;
  int port = -1;
  std::string ledger;
  int threads = 0;
};

int run_serve(const ServeOptions& o) {
  const char* env_model_file = std::getenv("TRIPTYQUE_MODEL");
  if (o.config.empty() && o.model.empty() && (env_model_file == nullptr || *env_model_file == 0))
    throw InputError(
        "give --config FILE (see `triptyque init`) or -m MODEL.gguf (or set "
        "TRIPTYQUE_MODEL=/path/model.gguf)");
  // Signals are taken by one thread with sigwait (blocked everywhere else, so the server's
  // threads inherit the mask): stopping the server from there is safe, unlike from a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // the server stopped on its own: end the waiter
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  namespace fs = std::filesystem;
  toml::table config;
  fs::path base_dir = fs::current_path();
  if (!o.config.empty()) {
    config = load_config_file(o.config);
    base_dir = fs::absolute(o.config).parent_path();
  }
  // The command line wins over the file.
  if (!o.host.empty()) set_config_value(config, "server.host", toml::value<std::string>(o.host));
  if (o.port >= 0) set_config_value(config, "server.port", toml::value<int64_t>(o.port));
  if (!o.ledger.empty())
    set_config_value(config, "ledger.path",
                     toml::value<std::string>(fs::absolute(o.ledger).string()));
  std::vector<std::unique_ptr<Provider>> extra;
  if (!o.model.empty()) {
    // Quick start: one local model, named after its file. A file without a chat template
    // gets the built-in its special tokens point to (ChatML when none matches).
    LocalProviderOptions lo;
    lo.name = "local-cli";
    lo.models[fs::path(o.model).stem().string()] = o.model;
    lo.threads = o.threads;
    if (!fs::is_regular_file(o.model)) throw InputError("no such model file: " + o.model);
    extra.push_back(std::make_unique<LocalProvider>(lo));
  }
  // TRIPTYQUE_MODEL=/path/model.gguf: one more local model, the tasks' small model.
  auto env_model = tasks::environment_model_provider(config.at_path("providers.local").is_table());
  if (env_model) {
    if (!env_model->model.note.empty())
      std::fprintf(stderr, "triptyque serve: %s\n", env_model->model.note.c_str());
    extra.push_back(std::move(env_model->provider));
  }
  App app(config, base_dir, std::move(extra));
  const bool keys_enabled = app.keys().enabled();

  Gateway gateway(app);
  auto task_runtime = std::shared_ptr<tasks::TaskRuntime>(tasks::TaskRuntime::from_config(
      config, base_dir, app.registry(), &app.ledger(),
      env_model ? std::optional(env_model->model.id) : std::nullopt, app.shared_budgets(),
      tasks::TaskGuardSetup{&app.guard(), app.decision_audit()}));
  gateway.set_task_runtime(task_runtime);
  const int port = gateway.bind();
  std::fprintf(stderr, "triptyque serve: listening on %s://%s:%d/v1 (ledger: %s, %s)\n",
               gateway.options().tls() ? "https" : "http", gateway.options().host.c_str(), port,
               gateway.options().ledger_path.c_str(),
               keys_enabled ? "API keys required" : "no authentication");
  const auto& tasks = app.router().config().tasks;
  std::fprintf(stderr, "  model %-32s %s\n", "auto",
               tasks.empty() ? "the first local model (no [router.tasks])"
                             : ("task " + app.router().config().default_task).c_str());
  for (const auto& [name, rule] : tasks) std::fprintf(stderr, "  model %-32s task\n", name.c_str());
  for (const auto& m : gateway.registry().models())
    std::fprintf(stderr, "  model %-32s provider %s\n", m.id.c_str(), m.owned_by.c_str());
  const auto small = task_runtime->routing("support_answer").slm;
  std::fprintf(
      stderr, "  tasks /v1/tasks: knowledge base %s, classifier %s, small model %s\n",
      task_runtime->has_knowledge_base() ? task_runtime->settings().kb.c_str() : "none",
      task_runtime->has_classifier() ? task_runtime->settings().classifier.c_str() : "none",
      small ? small->primary.label().c_str() : "none");
  std::fflush(stderr);

  std::atomic<bool> signalled{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) return;
    signalled = true;
    std::fprintf(stderr, "triptyque serve: %s received, finishing in-flight requests\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    gateway.stop();
  });
  gateway.run();
  if (!signalled) pthread_kill(waiter.native_handle(), SIGUSR1);  // wake the waiter up
  waiter.join();
  std::fprintf(stderr, "triptyque serve: stopped, ledger flushed (%lld records)\n",
               static_cast<long long>(app.ledger().count()));
  return kExitOk;
}

}  // namespace

Action register_serve(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve local and remote models behind an OpenAI-compatible HTTP API");
  cmd->add_option("--config", o->config, "TOML configuration (see examples/triptyque.toml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("-m,--model", o->model,
                  "Serve this GGUF file as a local model (quick start, no authentication "
                  "unless the config has keys)");
  cmd->add_option("--host", o->host, "Address to listen on (default: server.host or 127.0.0.1)");
  cmd->add_option("--port", o->port, "Port (default: server.port or 8080; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--ledger", o->ledger, "Ledger SQLite file (default: ledger.path)");
  cmd->add_option("-t,--threads", o->threads, "Threads for -m's model (default: physical cores)")
      ->check(CLI::Range(0, 512));
  return [o] { return run_serve(*o); };
}

}  // namespace tq::cli

// The composition root: one object, built from the TOML configuration, that owns every
// long-lived part of a running triptyque — the provider registry, the router with its
// budget and latency trackers, the guard and its audit log, the ledger and the writer that
// fills it, the API keys and the retention policy. `triptyque serve` builds one and hands
// it to the Gateway; tests build one from a config string. Nothing here knows HTTP.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "guard/audit.h"
#include "guard/guard.h"
#include "ledger/ledger.h"
#include "providers/registry.h"
#include "router/budget.h"
#include "router/executor.h"
#include "router/guarded_provider.h"
#include "router/latency.h"
#include "router/router.h"
#include "server/auth.h"
#include "server/call_recorder.h"
#include "server/retention.h"
#include "server/server_options.h"

namespace tq {

// Where each store of a configuration lives (relative paths against its folder): the
// ledger ([ledger] path), the audit log ([guard] audit, else beside the ledger), the
// knowledge base ([kb] path) and the plan store ([tasks] plans). Shared by serve, erase
// and audit so they always open the same files.
struct StorePaths {
  std::filesystem::path ledger;
  std::filesystem::path audit;
  std::filesystem::path kb;
  std::filesystem::path plans;
};
StorePaths store_paths(const toml::table& config, const std::filesystem::path& base_dir);

class App {
 public:
  // Reads and checks `path`; relative paths inside resolve against its folder.
  static std::unique_ptr<App> from_config(const std::filesystem::path& path);

  // `config` as parsed; `base_dir` for its relative paths; `extra` providers join the
  // configured ones (serve -m, tests). InputError naming the key for any bad setting.
  App(const toml::table& config, const std::filesystem::path& base_dir,
      std::vector<std::unique_ptr<Provider>> extra = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const toml::table& config() const { return config_; }
  const std::filesystem::path& base_dir() const { return base_dir_; }
  const ServerOptions& server_options() const { return server_; }
  ProviderRegistry& registry() { return *registry_; }
  const Router& router() const { return *router_; }
  BudgetTracker& budgets() { return *budgets_; }
  std::shared_ptr<BudgetTracker> shared_budgets() { return budgets_; }
  LatencyTracker& latency() { return *latency_; }
  const guard::Guard& guard() const { return *guard_; }
  guard::AuditLog& audit() { return *audit_; }
  Ledger& ledger() { return *ledger_; }
  KeyStore& keys() { return keys_; }
  CallRecorder& recorder() { return *recorder_; }
  const RetentionPolicy& retention() const { return retention_; }
  const StorePaths& stores() const { return stores_; }
  bool log_text() const { return log_text_; }

  // Runs `route` for one request. Remote targets are wrapped per call so that they see only
  // `safe_texts` (Guard::protect's output for `slots`) and their answers come back
  // re-identified with `map`; local targets see the request as written.
  ExecutionResult execute(const Route& route, const ChatRequest& request,
                          const std::vector<TextSlot>& slots,
                          const std::vector<std::string>& safe_texts,
                          const guard::PseudonymMap& map, const DeltaSink& sink,
                          const std::string& api_key_id);

  // Writes one guard decision through the recorder (audit log, then the ledger's
  // checkpoint of its head), as a gateway request's is: for the task runtime's calls.
  DecisionAudit decision_audit();

  // Applies the retention periods to every store now; returns what was removed per store.
  RetentionReport enforce_retention();
  // Everything queued for the ledger and the audit log is written when this returns.
  void flush_records() { recorder_->flush(); }

 private:
  toml::table config_;
  std::filesystem::path base_dir_;
  ServerOptions server_;
  std::unique_ptr<ProviderRegistry> registry_;
  std::shared_ptr<BudgetTracker> budgets_;
  std::shared_ptr<LatencyTracker> latency_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<guard::Guard> guard_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<guard::AuditLog> audit_;
  std::unique_ptr<CallRecorder> recorder_;
  KeyStore keys_;
  RetentionPolicy retention_;
  StorePaths stores_;
  bool log_text_ = false;
};

// "ledger.path" = value in a parsed config (the CLI's --ledger, --port… win over the file).
void set_config_value(toml::table& config, std::string_view dotted, toml::node&& value);

}  // namespace tq

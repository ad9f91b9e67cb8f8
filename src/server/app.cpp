#include "server/app.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/config.h"
#include "core/error.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path resolve(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The budgets start from what the ledger says was spent on paid (remote) calls this month.
void seed_budgets(BudgetTracker& budgets, const Ledger& ledger) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const int64_t today_start = static_cast<int64_t>(now / 86400) * 86'400'000;
  utc.tm_mday = 1;
  utc.tm_hour = utc.tm_min = utc.tm_sec = 0;
  const int64_t month_start = static_cast<int64_t>(timegm(&utc)) * 1000;
  for (const auto& row : ledger.attempts(month_start)) {
    if (row.is_local || row.cost_eur <= 0) continue;
    budgets.add_spent(row.key_id, row.cost_eur, row.time_ms >= today_start);
  }
}

}  // namespace

StorePaths store_paths(const toml::table& config, const fs::path& base_dir) {
  StorePaths p;
  p.ledger = ServerOptions::from_config(config, base_dir).ledger_path;
  const auto audit = config_string(config, "guard.audit");
  p.audit = audit ? resolve(base_dir, *audit) : p.ledger.parent_path() / "triptyque-audit.sqlite";
  p.kb = resolve(base_dir, config_string(config, "kb.path").value_or("triptyque-kb.sqlite"));
  p.plans =
      resolve(base_dir, config_string(config, "tasks.plans").value_or("triptyque-plans.sqlite"));
  return p;
}

void set_config_value(toml::table& config, std::string_view dotted, toml::node&& value) {
  toml::table* t = &config;
  std::string_view rest = dotted;
  for (size_t dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
    const std::string key(rest.substr(0, dot));
    auto [it, fresh] = t->insert(key, toml::table{});
    if (!it->second.is_table()) throw InputError("config key " + key + " is not a table");
    t = it->second.as_table();
    rest = rest.substr(dot + 1);
  }
  t->insert_or_assign(std::string(rest), std::move(value));
}

std::unique_ptr<App> App::from_config(const fs::path& path) {
  const toml::table config = load_config_file(path.string());
  return std::make_unique<App>(config, fs::absolute(path).parent_path());
}

App::App(const toml::table& config, const fs::path& base_dir,
         std::vector<std::unique_ptr<Provider>> extra)
    : config_(config), base_dir_(base_dir) {
  server_ = ServerOptions::from_config(config_, base_dir_);
  registry_ = ProviderRegistry::from_config(config_, base_dir_);
  for (auto& p : extra) registry_->add(std::move(p));
  keys_ = KeyStore::from_config(config_);
  retention_ = RetentionPolicy::from_config(config_);
  log_text_ = config_bool(config_, "ledger.log_text").value_or(false);
  if (log_text_ && !retention_.ledger_text_days) retention_.ledger_text_days = 30;

  guard::GuardConfig gc = guard::guard_config_from_toml(config_);
  stores_ = store_paths(config_, base_dir_);
  gc.audit_path = stores_.audit.string();

  auto is_local = [this](const std::string& name) {
    const Provider* p = registry_->provider(name);
    if (p == nullptr)
      throw InputError("the router names the provider '" + name + "', which no [providers." + name +
                       "] section defines");
    return p->is_local();
  };
  RouterConfig rc = RouterConfig::from_toml(config_, is_local);
  align_local_only_findings(rc, config_, gc.policy);
  std::vector<CatalogEntry> catalog;
  for (Provider* p : registry_->providers())
    for (const auto& m : p->models())
      catalog.push_back(CatalogEntry{m.id, Target{p->name(), m.id, p->is_local()}});
  budgets_ = std::make_shared<BudgetTracker>(rc.global_budget, rc.key_budgets);
  latency_ = std::make_shared<LatencyTracker>();
  auto prices = [this](const Target& t) -> std::optional<Price> {
    const Provider* p = registry_->provider(t.provider);
    return p != nullptr ? p->price(t.model) : std::nullopt;
  };
  router_ = std::make_unique<Router>(std::move(rc), std::move(catalog), prices, budgets_, latency_);
  guard_ = std::make_unique<guard::Guard>(std::move(gc));

  ledger_ = std::make_unique<Ledger>(server_.ledger_path.string());
  audit_ = std::make_unique<guard::AuditLog>(stores_.audit.string());
  seed_budgets(*budgets_, *ledger_);
  recorder_ = std::make_unique<CallRecorder>(*ledger_, audit_.get());
}

App::~App() {
  recorder_.reset();  // writes what is queued while the ledger and audit log are open
}

ExecutionResult App::execute(const Route& route, const ChatRequest& request,
                             const std::vector<TextSlot>& slots,
                             const std::vector<std::string>& safe_texts,
                             const guard::PseudonymMap& map, const DeltaSink& sink,
                             const std::string& api_key_id) {
  return execute_guarded([this](const std::string& name) { return registry_->provider(name); },
                         budgets_.get(), latency_.get(), route, request, slots, safe_texts, map,
                         sink, api_key_id);
}

DecisionAudit App::decision_audit() {
  return [this](const std::string& request_id, const guard::Verdict& verdict,
                const std::string& route) {
    CallRecord record;
    record.audit = CallAudit{request_id, verdict, route};
    recorder_->submit(std::move(record));
  };
}

RetentionReport App::enforce_retention() {
  flush_records();
  return tq::enforce_retention(retention_, *ledger_, *audit_, stores_.plans, now_ms());
}

}  // namespace tq

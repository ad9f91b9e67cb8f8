// triptyque report: what the gateway's traffic cost, from the ledger. Per route, provider
// and model: calls, attempts, errors, tokens, p50/p95 latency, € total, € per million
// tokens, and the projection for a monthly volume (--monthly-tokens 50M). The local-vs-
// remote saving prices the local tokens at the remote €/Mtok observed in the same window
// (or --reference-eur-per-mtok) and subtracts what the local calls cost. Local rows also
// show the engine's measured CPU time and its energy estimate (Wh, Wh per million tokens;
// CPU seconds × the provider's cpu_watts_per_core, so an estimate, not a meter reading).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "ledger/ledger.h"

namespace tq::cli {
namespace {

struct ReportOptions {
  std::string ledger;
  std::string config;
  std::string since;
  std::string monthly_tokens;
  double reference_eur_per_mtok = -1;
  bool json = false;
};

// "50M", "2.5k", "1G", "1000" → tokens.
double parse_count(const std::string& s) {
  if (s.empty()) return 0;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw InputError("--monthly-tokens: '" + s + "' is not a number (e.g. 50M, 200k)");
  }
  const std::string suffix = s.substr(used);
  if (suffix == "k" || suffix == "K")
    v *= 1e3;
  else if (suffix == "M" || suffix == "m")
    v *= 1e6;
  else if (suffix == "G" || suffix == "B" || suffix == "g")
    v *= 1e9;
  else if (!suffix.empty())
    throw InputError("--monthly-tokens: unknown suffix '" + suffix + "' (use k, M or G)");
  if (v < 0) throw InputError("--monthly-tokens must be positive");
  return v;
}

// "24h", "7d", "30m" → epoch ms that long ago; "" → 0 (everything).
int64_t parse_since(const std::string& s) {
  if (s.empty()) return 0;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw InputError("--since: '" + s + "' is not a duration (e.g. 30m, 24h, 7d)");
  }
  const std::string unit = s.substr(used);
  double seconds = 0;
  if (unit == "s")
    seconds = v;
  else if (unit == "m")
    seconds = v * 60;
  else if (unit == "h")
    seconds = v * 3600;
  else if (unit == "d")
    seconds = v * 86400;
  else
    throw InputError("--since: unit '" + unit + "' unknown (s, m, h or d)");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return now - static_cast<int64_t>(seconds * 1000);
}

int run_report(const ReportOptions& o) {
  namespace fs = std::filesystem;
  std::string path = o.ledger;
  if (path.empty() && !o.config.empty()) {
    const auto config = load_config_file(o.config);
    const auto base = fs::absolute(o.config).parent_path();
    const fs::path p(config_string(config, "ledger.path").value_or("triptyque-ledger.sqlite"));
    path = (p.is_absolute() ? p : base / p).string();
  }
  if (path.empty()) throw InputError("give --ledger FILE or --config FILE");
  if (!fs::exists(path)) throw InputError("no ledger at " + path + " (has the server run yet?)");
  const Ledger ledger(path);
  const auto rows = ledger.report(parse_since(o.since));
  const double monthly = parse_count(o.monthly_tokens);

  double remote_cost = 0, remote_tokens = 0, local_cost = 0, local_tokens = 0, local_wh = 0;
  for (const auto& r : rows) {
    const auto tokens = static_cast<double>(r.prompt_tokens + r.completion_tokens);
    local_wh += r.energy_wh;
    (r.is_local ? local_cost : remote_cost) += r.cost_eur;
    (r.is_local ? local_tokens : remote_tokens) += tokens;
  }
  double reference = o.reference_eur_per_mtok;
  if (reference < 0) reference = remote_tokens > 0 ? remote_cost / remote_tokens * 1e6 : 0;
  const double savings = local_tokens * reference / 1e6 - local_cost;

  if (o.json) {
    nlohmann::json out = {{"ledger", path}, {"rows", nlohmann::json::array()}};
    for (const auto& r : rows) {
      nlohmann::json j = {{"route", r.route},
                          {"provider", r.provider},
                          {"model", r.model},
                          {"local", r.is_local},
                          {"calls", r.calls},
                          {"attempts", r.attempts},
                          {"errors", r.errors},
                          {"prompt_tokens", r.prompt_tokens},
                          {"completion_tokens", r.completion_tokens},
                          {"p50_ms", r.p50_ms},
                          {"p95_ms", r.p95_ms},
                          {"cost_eur", r.cost_eur},
                          {"eur_per_mtok", r.eur_per_mtok()},
                          {"cpu_ms", r.cpu_ms},
                          {"energy_wh", r.energy_wh},
                          {"wh_per_mtok", r.wh_per_mtok()}};
      if (monthly > 0) j["monthly_eur"] = r.eur_per_mtok() * monthly / 1e6;
      out["rows"].push_back(j);
    }
    out["local_tokens"] = local_tokens;
    out["remote_tokens"] = remote_tokens;
    out["reference_eur_per_mtok"] = reference;
    out["local_savings_eur"] = savings;
    out["local_energy_wh"] = local_wh;
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%-10s %-12s %-24s %6s %6s %5s %10s %10s %9s %9s %11s %9s %10s %9s%s\n", "route",
              "provider", "model", "calls", "tries", "errs", "in tok", "out tok", "p50 ms",
              "p95 ms", "cost €", "€/Mtok", "energy Wh", "Wh/Mtok", monthly > 0 ? "  €/month" : "");
  for (const auto& r : rows) {
    std::printf("%-10s %-12s %-24s %6lld %6lld %5lld %10lld %10lld %9.1f %9.1f %11.6f %9.4f",
                r.route.c_str(), r.provider.c_str(), r.model.c_str(),
                static_cast<long long>(r.calls), static_cast<long long>(r.attempts),
                static_cast<long long>(r.errors), static_cast<long long>(r.prompt_tokens),
                static_cast<long long>(r.completion_tokens), r.p50_ms, r.p95_ms, r.cost_eur,
                r.eur_per_mtok());
    // Remote rows have no energy figure: the provider's machines are not measured.
    if (r.is_local)
      std::printf(" %10.6f %9.2f", r.energy_wh, r.wh_per_mtok());
    else
      std::printf(" %10s %9s", "-", "-");
    if (monthly > 0) std::printf(" %9.2f", r.eur_per_mtok() * monthly / 1e6);
    std::printf("\n");
  }
  std::printf("local: %.0f tokens for %.6f €; remote: %.0f tokens for %.6f €\n", local_tokens,
              local_cost, remote_tokens, remote_cost);
  std::printf("local energy: %.6f Wh (estimate: measured CPU time × cpu_watts_per_core)\n",
              local_wh);
  std::printf("saved by answering locally: %.6f € (local tokens priced at %.4f €/Mtok)\n", savings,
              reference);
  return kExitOk;
}

}  // namespace

Action register_report(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd =
      app.add_subcommand("report", "Costs and latencies per route and model, from the ledger");
  cmd->add_option("--ledger", o->ledger, "Ledger SQLite file")->check(CLI::ExistingFile);
  cmd->add_option("--config", o->config, "Read ledger.path from this config")
      ->check(CLI::ExistingFile);
  cmd->add_option("--since", o->since, "Only calls in the last DURATION (30m, 24h, 7d)");
  cmd->add_option("--monthly-tokens", o->monthly_tokens,
                  "Project each row's € for this many tokens a month (e.g. 50M)");
  cmd->add_option("--reference-eur-per-mtok", o->reference_eur_per_mtok,
                  "Price local tokens at this remote €/Mtok for the savings line (default: "
                  "the remote €/Mtok observed)");
  cmd->add_flag("--json", o->json, "Machine-readable output");
  return [o] { return run_report(*o); };
}

}  // namespace tq::cli

// triptyque audit: the guard's hash-chained audit log. `head` prints the HASH:COUNT to
// checkpoint elsewhere; `verify` walks the chain and, given a checkpoint, also detects a
// cut-off tail.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "guard/audit.h"
#include "guard/policy.h"
#include "ledger/ledger.h"
#include "server/app.h"

namespace tq::cli {
namespace {

struct AuditOptions {
  std::string audit;
  std::string config;
  std::string checkpoint;
  bool json = false;
};

// The stores of --config, as `serve` opens them (the audit log beside the ledger unless
// [guard] audit names one).
StorePaths config_stores(const AuditOptions& o) {
  return store_paths(load_config_file(o.config), std::filesystem::absolute(o.config).parent_path());
}

std::string audit_path(const AuditOptions& o) {
  if (!o.audit.empty()) return o.audit;
  if (!o.config.empty()) return config_stores(o).audit.string();
  throw InputError("which audit log? give --audit FILE or --config FILE");
}

int run_verify(const AuditOptions& o) {
  const guard::AuditLog log(audit_path(o), true);
  std::optional<guard::AuditHead> cp;
  if (!o.checkpoint.empty()) {
    cp = guard::parse_checkpoint(o.checkpoint);
  } else if (!o.config.empty() && o.audit.empty()) {
    // The gateway checkpoints the audit head in its ledger: verify against the latest.
    const auto ledger_path = config_stores(o).ledger;
    if (std::filesystem::exists(ledger_path))
      if (const auto c = Ledger(ledger_path.string()).last_checkpoint("guard.audit"))
        cp = guard::AuditHead{c->head_hash, c->entries};
  }
  const auto v = log.verify(cp);
  if (o.json) {
    nlohmann::json j = {{"ok", v.ok}, {"entries", v.entries}};
    if (!v.ok) {
      j["bad_entry"] = v.bad_entry;
      j["error"] = v.error;
    }
    std::printf("%s\n", j.dump().c_str());
  } else if (v.ok) {
    std::printf("audit log intact: %lld entries%s\n", static_cast<long long>(v.entries),
                cp ? ", checkpoint matches" : "");
  } else {
    std::printf("audit log TAMPERED: %s\n", v.error.c_str());
  }
  return v.ok ? kExitOk : kExitError;
}

int run_head(const AuditOptions& o) {
  const guard::AuditLog log(audit_path(o), true);
  const auto h = log.head();
  if (o.json)
    std::printf("%s\n", nlohmann::json{{"hash", h.hash}, {"count", h.count}}.dump().c_str());
  else
    std::printf("%s\n", h.to_string().c_str());
  return kExitOk;
}

}  // namespace

Action register_audit(CLI::App& app) {
  auto o = std::make_shared<AuditOptions>();
  auto which = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("audit", "Check the guard's hash-chained audit log");
  cmd->require_subcommand(1);
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--audit", o->audit, "Audit log file (SQLite)");
    sub->add_option("-c,--config", o->config,
                    "TOML configuration: its audit log, verified against the ledger's checkpoint");
    sub->add_flag("--json", o->json, "Machine-readable output");
  };
  CLI::App* verify = cmd->add_subcommand(
      "verify", "Detect edited, deleted, reordered or (with --checkpoint) cut-off entries");
  add_common(verify);
  verify->add_option("--checkpoint", o->checkpoint,
                     "HASH:COUNT recorded elsewhere (the ledger) from `audit head`");
  verify->callback([which] { *which = "verify"; });
  CLI::App* head = cmd->add_subcommand("head", "Print the last hash and entry count (HASH:COUNT)");
  add_common(head);
  head->callback([which] { *which = "head"; });
  return [o, which] { return *which == "verify" ? run_verify(*o) : run_head(*o); };
}

}  // namespace tq::cli

// triptyque erase: the right to erasure (GDPR art. 17). `--document ID` removes one
// knowledge-base document ("COLLECTION:SOURCE", or a SOURCE from every collection);
// `--subject VALUE` removes everything recorded about a data subject — knowledge-base
// chunks and documents that mention the value, call texts in the ledger (kept only with
// [ledger] log_text), plan-and-execute state. Each erasure is written to the audit log
// with what kind of value it was, a SHA-256 of it and the counts — never the value.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kb_options.h"
#include "core/config.h"
#include "core/error.h"
#include "guard/audit.h"
#include "guard/scanner.h"
#include "ledger/ledger.h"
#include "rag/store.h"
#include "server/app.h"
#include "server/auth.h"
#include "tasks/plan/plan_store.h"

namespace tq::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct EraseOptions {
  std::string document;
  std::string subject;
  std::string config;
  bool json = false;
};

// The kind of value a subject is, in the guard's words (EMAIL, PHONE, IBAN…), so the audit
// entry says what was erased without saying whose.
std::string subject_kind(const std::string& value) {
  const auto entities = guard::Scanner().scan(value);
  if (entities.size() == 1 && entities[0].start == 0 && entities[0].end == value.size())
    return std::string(guard::type_name(entities[0].type));
  return "TEXT";
}

int64_t erase_document(rag::KnowledgeBase& kb, const std::string& id) {
  const size_t colon = id.find(':');
  if (colon != std::string::npos) {
    if (const auto c = kb.find_collection(id.substr(0, colon)))
      if (kb.remove_document(*c, id.substr(colon + 1))) return 1;
  }
  int64_t n = 0;
  for (const auto& c : kb.collections()) n += kb.remove_document(c, id) ? 1 : 0;
  return n;
}

int run_erase(const EraseOptions& o) {
  if (o.document.empty() == o.subject.empty())
    throw InputError("give exactly one of --document ID or --subject VALUE");
  toml::table config;
  fs::path base = fs::current_path();
  if (!o.config.empty()) {
    config = load_config_file(o.config);
    base = fs::absolute(o.config).parent_path();
  }
  StorePaths stores = store_paths(config, base);
  if (o.config.empty()) stores.kb = default_kb_path();

  json removed = json::object();
  const std::string value = o.document.empty() ? o.subject : o.document;
  const std::string kind = o.document.empty() ? subject_kind(o.subject) : "document";
  if (!o.document.empty()) {
    if (!fs::exists(stores.kb)) throw InputError("no knowledge base at " + stores.kb.string());
    rag::KnowledgeBase kb(stores.kb.string());
    removed["kb_documents"] = erase_document(kb, o.document);
    if (removed["kb_documents"] == 0)
      throw InputError("no document '" + o.document + "' in " + stores.kb.string() +
                       " (give COLLECTION:SOURCE as `triptyque kb ls` shows it)");
  } else {
    if (fs::exists(stores.kb)) {
      rag::KnowledgeBase kb(stores.kb.string());
      removed["kb_chunks"] = kb.erase_containing(o.subject);
    }
    if (fs::exists(stores.ledger)) {
      Ledger ledger(stores.ledger.string());
      removed["ledger_texts"] = ledger.erase_texts_containing(o.subject);
    }
    if (fs::exists(stores.plans)) {
      tasks::PlanStore plans(stores.plans.string());
      removed["plans"] = plans.erase_containing(o.subject);
    }
  }
  int64_t total = 0;
  for (const auto& [store, n] : removed.items()) total += n.get<int64_t>();
  guard::AuditLog audit(stores.audit.string());
  const auto head = audit.append("erasure", "",
                                 {{"subject_kind", kind},
                                  {"subject_sha256", sha256_hex(value)},
                                  {"removed", removed},
                                  {"count", total}});
  // The ledger keeps the audit log's head, so the erasure entry cannot be cut off unseen.
  if (fs::exists(stores.ledger))
    Ledger(stores.ledger.string()).checkpoint(Checkpoint{0, "guard.audit", head.hash, head.count});

  const json out = {{"subject_kind", kind},
                    {"subject_sha256", sha256_hex(value)},
                    {"removed", removed},
                    {"audit_entry", head.count}};
  if (o.json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("erased %s (sha256 %s):", kind.c_str(), sha256_hex(value).substr(0, 16).c_str());
    for (const auto& [store, n] : removed.items())
      std::printf(" %s %lld", store.c_str(), static_cast<long long>(n.get<int64_t>()));
    std::printf("; recorded as audit entry %lld\n", static_cast<long long>(head.count));
  }
  return kExitOk;
}

}  // namespace

Action register_erase(CLI::App& app) {
  auto o = std::make_shared<EraseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "erase", "Erase a knowledge-base document, or everything recorded about a data subject");
  cmd->add_option("--document", o->document,
                  "Knowledge-base document: COLLECTION:SOURCE, or SOURCE in every collection");
  cmd->add_option("--subject", o->subject,
                  "A data subject's identifying value (e-mail address, phone, name…)");
  cmd->add_option("--config", o->config, "TOML configuration naming the stores")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  return [o] { return run_erase(*o); };
}

}  // namespace tq::cli

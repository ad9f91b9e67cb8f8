// GDPR duties as a user meets them: `triptyque init` writes a starter configuration that
// serves as written; `triptyque erase` removes a knowledge-base document, or everything
// recorded about a data subject from every store (knowledge base, ledger texts, plan
// state), and records it in the audit log with a hash, never the value; retention periods
// purge what is older, the audit chain still verifying after its own cut.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "guard/audit.h"
#include "ledger/ledger.h"
#include "rag/store.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/retention.h"
#include "server_fixture.h"
#include "support/run.h"
#include "tasks/plan/plan_store.h"

namespace tq {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(Init, WritesAStarterConfigThatServesAsWritten) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  const auto dir = fresh_dir("init");
  const std::string file = (dir / "triptyque.toml").string();
  const auto r = test::run({test::cli_path(), "init", "--out", file, "-m",
                            test::gold_model("stories260K.gguf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string key = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(key.rfind("sk-tq-", 0), 0u) << r.out;
  const std::string text = test::read_file(file);
  EXPECT_EQ(text.find(key), std::string::npos);  // only the hash is written
  EXPECT_NE(text.find(sha256_hex(key)), std::string::npos);
  for (const char* section : {"[router.budgets]", "[guard.policy]", "[retention]", "api_key_env"})
    EXPECT_NE(text.find(section), std::string::npos) << section;
  const auto app = App::from_config(file);
  EXPECT_TRUE(app->keys().enabled());
  EXPECT_EQ(app->retention().plans_days, 90);
  EXPECT_EQ(app->router().config().default_task, "chat");
  const auto again = test::run({test::cli_path(), "init", "--out", file});
  EXPECT_EQ(again.exit_code, 2);  // never overwrites without --force
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

// A configuration naming the four stores in `dir`.
std::string stores_config(const fs::path& dir) {
  const std::string text = "[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
                           "\"\nlog_text = true\n[kb]\npath = \"" + (dir / "kb.sqlite").string() +
                           "\"\n[tasks]\nplans = \"" + (dir / "plans.sqlite").string() + "\"\n";
  const fs::path file = dir / "config.toml";
  std::ofstream(file) << text;
  return file.string();
}

TEST(Erase, SubjectLeavesNoStoreMentioningItAndIsAudited) {
  const auto dir = fresh_dir("erase_subject");
  const std::string config = stores_config(dir);
  const std::string subject = "jeanne.martin@example.fr";
  {
    rag::KnowledgeBase kb((dir / "kb.sqlite").string());
    const auto c = kb.ensure_collection("support", "internal", rag::AnalyzerOptions{});
    rag::DocumentInput doc;
    doc.source = "tickets.md";
    doc.content_hash = "h1";
    doc.chunks.push_back({"Ticket 1", "Jeanne.Martin@example.fr asks for a refund.", "§ 1", {}});
    doc.chunks.push_back({"Ticket 2", "Paul asks where his lamp is.", "§ 2", {}});
    kb.put_document(c, doc);
    Ledger ledger((dir / "ledger.sqlite").string());
    ledger.append_text({"r1", 0, "[{\"content\":\"I am jeanne.martin@example.fr\"}]", "ok"});
    ledger.append_text({"r2", 0, "[{\"content\":\"hello\"}]", "hi"});
    tasks::PlanStore plans((dir / "plans.sqlite").string());
    plans.create("Reply to jeanne.martin@example.fr", json::object(), {}, true, {}, 0.0);
    plans.create("Describe the new lamps", json::object(), {}, true, {}, 0.0);
  }
  const auto r =
      test::run({test::cli_path(), "erase", "--subject", subject, "--config", config, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["subject_kind"], "EMAIL");
  EXPECT_EQ(out["subject_sha256"], sha256_hex(subject));
  EXPECT_EQ(out["removed"]["kb_chunks"], 1);
  EXPECT_EQ(out["removed"]["ledger_texts"], 1);
  EXPECT_EQ(out["removed"]["plans"], 1);

  Ledger ledger((dir / "ledger.sqlite").string());
  ASSERT_EQ(ledger.texts().size(), 1u);
  EXPECT_EQ(ledger.texts()[0].request_id, "r2");
  rag::KnowledgeBase kb((dir / "kb.sqlite").string());
  EXPECT_EQ(kb.collections().at(0).chunks, 1);
  // The audit log says an EMAIL was erased, by hash, and the ledger holds its head.
  const guard::AuditLog audit((dir / "triptyque-audit.sqlite").string(), true);
  const auto cp = ledger.last_checkpoint("guard.audit");
  ASSERT_TRUE(cp);
  EXPECT_TRUE(audit.verify(guard::AuditHead{cp->head_hash, cp->entries}).ok);
  const std::string raw = test::read_file(dir / "triptyque-audit.sqlite");
  EXPECT_EQ(raw.find(subject), std::string::npos);
}

TEST(Erase, DocumentByCollectionAndSource) {
  const auto dir = fresh_dir("erase_document");
  const std::string config = stores_config(dir);
  {
    rag::KnowledgeBase kb((dir / "kb.sqlite").string());
    const auto c = kb.ensure_collection("faq", "public", rag::AnalyzerOptions{});
    rag::DocumentInput doc;
    doc.source = "livraison.md";
    doc.content_hash = "h";
    doc.chunks.push_back({"Livraison", "Sous 48 heures.", "§ Livraison", {}});
    kb.put_document(c, doc);
  }
  auto r = test::run(
      {test::cli_path(), "erase", "--document", "faq:livraison.md", "--config", config, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["removed"]["kb_documents"], 1);
  r = test::run({test::cli_path(), "erase", "--document", "faq:livraison.md", "--config", config});
  EXPECT_EQ(r.exit_code, 2);  // gone: says so
  EXPECT_NE(r.err.find("no document"), std::string::npos) << r.err;
}

TEST(Retention, PurgesOldRecordsAndTheAuditChainStillVerifies) {
  const auto dir = fresh_dir("retention");
  Ledger ledger((dir / "ledger.sqlite").string());
  guard::AuditLog audit((dir / "audit.sqlite").string());
  const int64_t day = 86'400'000;
  // "Now" is a year ahead of the clock: every audit entry (stamped with the real time) is
  // then older than a one-day period.
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() +
                      365 * day;
  LedgerRecord old_row;
  old_row.request_id = "old";
  old_row.time_ms = now - 10 * day;
  LedgerRecord new_row = old_row;
  new_row.request_id = "new";
  new_row.time_ms = now - day / 2;
  ledger.append(old_row);
  ledger.append(new_row);
  ledger.append_text({"old", now - 40 * day, "p", "a"});
  ledger.append_text({"new", now - day, "p", "a"});
  for (int i = 0; i < 3; ++i) audit.append("decision", "r", {{"n", i}});

  RetentionPolicy p;
  p.ledger_days = 7;
  p.ledger_text_days = 30;
  p.audit_days = 1;
  const RetentionReport r = enforce_retention(p, ledger, audit, dir / "none.sqlite", now);
  EXPECT_EQ(r.at("ledger"), 1);
  EXPECT_EQ(r.at("ledger_text"), 1);
  EXPECT_EQ(r.at("audit"), 4);  // three decisions and the entry saying what the others lost
  ASSERT_EQ(ledger.attempts().size(), 1u);
  EXPECT_EQ(ledger.attempts()[0].request_id, "new");
  ASSERT_EQ(ledger.texts().size(), 1u);
  const auto v = audit.verify();
  EXPECT_TRUE(v.ok) << v.error;
  // After the cut, new entries chain on and verify against a fresh checkpoint.
  const auto head = audit.append("decision", "r", {{"n", 9}});
  EXPECT_TRUE(audit.verify(head).ok);
}

TEST(Retention, KeepsWhatIsWithinThePeriod) {
  const auto dir = fresh_dir("retention_keep");
  Ledger ledger((dir / "ledger.sqlite").string());
  guard::AuditLog audit((dir / "audit.sqlite").string());
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  LedgerRecord old_row;
  old_row.request_id = "old";
  old_row.time_ms = now - 10 * 86'400'000LL;
  LedgerRecord new_row = old_row;
  new_row.request_id = "new";
  new_row.time_ms = now;
  ledger.append(old_row);
  ledger.append(new_row);
  audit.append("decision", "r", {{"n", 1}});
  RetentionPolicy p;
  p.ledger_days = 7;
  p.audit_days = 7;
  const RetentionReport r = enforce_retention(p, ledger, audit, dir / "none.sqlite", now);
  EXPECT_EQ(r.at("ledger"), 1);
  EXPECT_EQ(r.at("audit"), 0);
  ASSERT_EQ(ledger.attempts().size(), 1u);
  EXPECT_EQ(ledger.attempts()[0].request_id, "new");
  EXPECT_TRUE(audit.verify().ok);
}

}  // namespace
}  // namespace tq

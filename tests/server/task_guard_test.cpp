// The guard around the built-in tasks, over real HTTP: a ticket holding an IBAN, an e-mail
// address and a person's name is analysed by a remote LLM (a recording HTTP server) that
// only ever sees placeholders and answers with them; the client's output holds the
// original values. A local-only type (a French social-security number) keeps the call on
// the on-premises model, or refuses it with the reason when there is none; a blocked type
// is refused; each decision is in the audit log, with types and counts only.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "providers/scripted_upstream.h"
#include "task_fixture.h"

namespace tq {
namespace {

using nlohmann::json;
using test::post_json;

const std::string kIban = "FR76 3000 6000 0112 3456 7890 189";
const std::string kEmail = "jeanne.martin@example.fr";
const std::string kName = "Jeanne Martin";
const std::string kNir = "1 85 05 78 006 084 91";

const std::string kTicket = "Bonjour, je suis Mme " + kName +
                            ". Remboursez la commande ML-10482 sur mon IBAN " + kIban +
                            " et répondez-moi à " + kEmail + ".";

// Every <TYPE_n> placeholder of `text`, in order.
std::vector<std::string> placeholders(const std::string& text) {
  std::vector<std::string> out;
  for (size_t open = text.find('<'); open != std::string::npos; open = text.find('<', open + 1)) {
    const size_t close = text.find('>', open);
    if (close == std::string::npos) break;
    const std::string inner = text.substr(open + 1, close - open - 1);
    const size_t us = inner.rfind('_');
    if (us == std::string::npos || us == 0 || us + 1 == inner.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < inner.size(); ++i) {
      const char c = inner[i];
      ok = ok && (i > us ? (c >= '0' && c <= '9') : ((c >= 'A' && c <= 'Z') || c == '_'));
    }
    if (ok) out.push_back("<" + inner + ">");
  }
  return out;
}

// A ticket_analysis answer that repeats what it was told: every placeholder of the
// prompt becomes a field, and the suggested reply quotes them all.
void analyst(const httplib::Request& req, httplib::Response& res, int) {
  const json body = json::parse(req.body);
  const std::string said = body["messages"].back()["content"];
  json fields = json::array();
  std::string reply = "Bonjour,";
  for (const auto& p : placeholders(said)) {
    if (fields.size() < 8) fields.push_back({{"name", p.substr(1, p.size() - 2)}, {"value", p}});
    reply += " " + p;
  }
  const json answer = {{"category", "billing"},         {"urgency", "normal"},
                       {"intent", "remboursement"},     {"order_refs", {"ML-10482"}},
                       {"product_refs", json::array()}, {"fields", fields},
                       {"suggested_reply", reply}};
  res.set_content(test::completion_json(answer.dump(), 120, 60), "application/json");
}

// The providers: `cloud` remote, `onprem` an OpenAI-compatible server on the premises
// (local = true: local-only data may go there). ticket_analysis runs on the cloud LLM,
// falling back to on-premises when `with_local`.
std::string config(const test::ScriptedUpstream& cloud, const test::ScriptedUpstream& onprem,
                   bool with_local, const std::string& extra = "") {
  return "[providers.cloud]\nkind = \"openai\"\nbase_url = \"" + cloud.base_url() +
         "\"\nmodels = [\"big\"]\nmax_retries = 0\n"
         "prices = { big = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.6 } }\n"
         "[providers.onprem]\nkind = \"openai\"\nlocal = true\nbase_url = \"" +
         onprem.base_url() +
         "\"\nmodels = [\"small\"]\nmax_retries = 0\n"
         "[router]\ndefault_task = \"ticket_analysis\"\n"
         "[router.tasks.ticket_analysis]\nmode = \"llm\"\n"
         "llm = { provider = \"cloud\", model = \"big\" }\n" +
         (with_local ? "fallbacks = [{ provider = \"onprem\", model = \"small\" }]\n" : "") + extra;
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The audit log's decisions, as stored.
std::vector<json> audit_details(const std::filesystem::path& dir) {
  std::vector<json> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((dir / "triptyque-audit.sqlite").c_str(), &db, SQLITE_OPEN_READONLY,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT detail FROM entries WHERE kind = 'decision'", -1, &st,
                         nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW)
      out.push_back(json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

TEST(TaskGuard, RemoteLlmSeesPlaceholdersClientGetsTheValues) {
  test::ScriptedUpstream cloud(analyst);
  test::ScriptedUpstream onprem(analyst);
  const auto dir = fresh_dir("task_guard_remote");
  test::TaskGateway gw(dir, config(cloud, onprem, true));
  auto c = gw.client();
  const auto r = post_json(c, "/v1/tasks/ticket_analysis", {{"ticket", kTicket}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["provider"], "cloud") << r.raw;

  // What left the machine: placeholders, never the values.
  ASSERT_EQ(cloud.calls(), 1);
  EXPECT_EQ(onprem.calls(), 0);
  const std::string sent = cloud.bodies().front();
  for (const auto& v : {kIban, kEmail, kName, std::string("Jeanne"), std::string("Martin")})
    EXPECT_EQ(sent.find(v), std::string::npos) << v << " was sent: " << sent;
  for (const char* p : {"<IBAN_1>", "<EMAIL_1>", "<PERSON_1>"})
    EXPECT_NE(sent.find(p), std::string::npos) << p << " not in " << sent;

  // What the client reads: the values, in the fields and in the reply.
  const json& out = r.body["output"];
  const std::string fields = out["fields"].dump();
  for (const auto& v : {kIban, kEmail, kName})
    EXPECT_NE(fields.find(v), std::string::npos) << v << " not in " << fields;
  const std::string reply = out["suggested_reply"];
  EXPECT_EQ(reply.find('<'), std::string::npos) << reply;
  for (const auto& v : {kIban, kEmail, kName})
    EXPECT_NE(reply.find(v), std::string::npos) << v << " not in " << reply;
  EXPECT_EQ(out["order_refs"][0], "ML-10482");

  // One audit decision for the call: types and counts, no value.
  gw.ledger();  // flushes the recorder
  const auto decisions = audit_details(dir);
  ASSERT_EQ(decisions.size(), 1u);
  const json& d = decisions.front();
  const std::string text = d.dump();
  for (const auto& v : {kIban, kEmail, kName}) EXPECT_EQ(text.find(v), std::string::npos) << text;
  EXPECT_EQ(d["decision"], "pseudonymise") << text;
  EXPECT_EQ(d["entities"]["IBAN"], 1) << text;
  EXPECT_EQ(d["entities"]["EMAIL"], 1) << text;
  EXPECT_GE(d["entities"]["PERSON"].get<int>(), 1) << text;
  EXPECT_NE(d["route"].get<std::string>().find("task:llm"), std::string::npos) << text;
}

TEST(TaskGuard, LocalOnlyTypeKeepsTheTaskLocal) {
  test::ScriptedUpstream cloud(analyst);
  test::ScriptedUpstream onprem(analyst);
  const auto dir = fresh_dir("task_guard_local_only");
  test::TaskGateway gw(dir, config(cloud, onprem, true));
  auto c = gw.client();
  const std::string ticket = "Mon numéro de sécurité sociale : " + kNir + ", merci de corriger.";
  const auto r = post_json(c, "/v1/tasks/ticket_analysis", {{"ticket", ticket}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(cloud.calls(), 0);
  ASSERT_EQ(onprem.calls(), 1);
  // A local target gets the text as written.
  EXPECT_NE(onprem.bodies().front().find(kNir), std::string::npos);
  // The ledger says who served, and why the route went local.
  const auto rows = gw.ledger().attempts();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.front().provider, "onprem");
  EXPECT_TRUE(rows.front().is_local);
  EXPECT_NE(rows.front().reason.find("NIR"), std::string::npos) << rows.front().reason;
  const auto decisions = audit_details(dir);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions.front()["decision"], "local_only") << decisions.front().dump();
  EXPECT_NE(decisions.front()["route"].get<std::string>().find("onprem"), std::string::npos)
      << decisions.front().dump();
}

TEST(TaskGuard, LocalOnlyTypeWithoutALocalModelIsRefusedWithTheReason) {
  test::ScriptedUpstream cloud(analyst);
  test::ScriptedUpstream onprem(analyst);
  const auto dir = fresh_dir("task_guard_refused");
  test::TaskGateway gw(dir, config(cloud, onprem, false));
  auto c = gw.client();
  const auto r = post_json(c, "/v1/tasks/ticket_analysis",
                           {{"ticket", "Mon numéro de sécurité sociale : " + kNir}});
  EXPECT_EQ(r.status, 403) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "local_only") << r.raw;
  const std::string message = r.body["error"]["message"];
  EXPECT_NE(message.find("NIR"), std::string::npos) << message;
  EXPECT_EQ(message.find(kNir), std::string::npos) << message;
  EXPECT_EQ(cloud.calls(), 0);
  gw.ledger();
  const auto decisions = audit_details(dir);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions.front()["route"], "refused");
}

TEST(TaskGuard, BlockedTypeIsRefused) {
  test::ScriptedUpstream cloud(analyst);
  test::ScriptedUpstream onprem(analyst);
  const auto dir = fresh_dir("task_guard_blocked");
  test::TaskGateway gw(dir, config(cloud, onprem, true, "[guard.policy]\nIBAN = \"block\"\n"));
  auto c = gw.client();
  const auto r = post_json(c, "/v1/tasks/ticket_analysis", {{"ticket", kTicket}});
  EXPECT_EQ(r.status, 403) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "blocked_by_guard") << r.raw;
  EXPECT_EQ(cloud.calls() + onprem.calls(), 0);
}

}  // namespace
}  // namespace tq

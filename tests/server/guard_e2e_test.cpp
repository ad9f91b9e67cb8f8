// The guard end to end, over real HTTP: a remote "LLM" that records every body it receives
// (a small HTTP server in this test) never sees a raw e-mail, IBAN, phone number or name —
// only placeholders — while the client's answer, which echoes them, carries the original
// values, streamed in 3-byte pieces (placeholders split across SSE events) or whole. The
// audit log records each decision with types and counts only, and its head is
// checkpointed in the ledger.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "providers/scripted_upstream.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

const std::vector<std::string> kRaw = {"jeanne.martin@example.fr",
                                       "FR76 3000 6000 0112 3456 7890 189", "06 12 34 56 78",
                                       "Jeanne Martin"};

const std::string kMessage =
    "Bonjour, je suis Mme Jeanne Martin. Remboursez-moi sur l'IBAN FR76 3000 6000 0112 3456 "
    "7890 189 et écrivez à jeanne.martin@example.fr ou au 06 12 34 56 78.";

// The upstream answers by quoting what it was sent (the last user message), so every
// placeholder comes back and must be re-identified.
void echo(const httplib::Request& req, httplib::Response& res, int /*call*/) {
  const json body = json::parse(req.body);
  const std::string said = body["messages"].back()["content"];
  const std::string answer = "Bien noté : " + said;
  if (!body.value("stream", false)) {
    res.set_content(test::completion_json(answer, 40, 30), "application/json");
    return;
  }
  std::vector<std::string> events;
  // 3-byte pieces, never inside a UTF-8 sequence (JSON strings carry whole characters).
  for (size_t i = 0; i < answer.size();) {
    size_t n = std::min<size_t>(3, answer.size() - i);
    while (i + n < answer.size() && (static_cast<unsigned char>(answer[i + n]) & 0xC0) == 0x80) ++n;
    events.push_back(test::delta_event(answer.substr(i, n)));
    i += n;
  }
  events.push_back(test::finish_event("stop"));
  events.push_back(test::usage_event(40, 30));
  events.emplace_back("data: [DONE]\n\n");
  test::stream_events(res, events);
}

toml::table config_for(const std::string& upstream, const std::filesystem::path& dir) {
  return parse_config(
      "[server]\nport = 0\nthreads = 4\n[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
          "\"\n[providers.cloud]\nkind = \"openai\"\nbase_url = \"" + upstream +
          "\"\nmodels = [\"big\"]\nmax_retries = 0\n"
          "prices = { big = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.6 } }\n"
          "[router]\ndefault_task = \"chat\"\n[router.tasks.chat]\nmode = \"llm\"\n"
          "llm = { provider = \"cloud\", model = \"big\" }\n",
      "guard test config");
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string streamed_text(const std::string& sse_body) {
  std::string text;
  size_t pos = 0;
  while ((pos = sse_body.find("data: ", pos)) != std::string::npos) {
    const size_t end = sse_body.find("\n\n", pos);
    const std::string data = sse_body.substr(pos + 6, end - pos - 6);
    pos = end;
    if (data == "[DONE]") break;
    const json e = json::parse(data, nullptr, false);
    if (!e.is_object()) {
      ADD_FAILURE() << "not an event: " << data << " in " << sse_body;
      break;
    }
    if (!e.contains("choices") || !e["choices"].is_array() || e["choices"].empty()) continue;
    const json& delta = e["choices"][0]["delta"];
    if (delta.contains("content")) text += delta["content"].get<std::string>();
  }
  return text;
}

TEST(GuardEndToEnd, RemoteSeesPlaceholdersClientSeesValues) {
  test::ScriptedUpstream upstream(echo);
  const auto dir = fresh_dir("guard_e2e");
  test::RunningGateway gw(config_for(upstream.base_url(), dir), dir);
  auto c = gw.client("");
  const json history = {{{"role", "system"}, {"content", "Tu es un assistant de support."}},
                        {{"role", "user"}, {"content", "Mon e-mail : jeanne.martin@example.fr"}},
                        {{"role", "assistant"}, {"content", "Merci, c'est noté."}},
                        {{"role", "user"}, {"content", kMessage}}};
  const json req = {{"model", "auto"}, {"messages", history}, {"max_tokens", 200}};

  auto r = c.Post("/v1/chat/completions", req.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-route"), "chat:remote");
  EXPECT_FALSE(r->get_header_value("x-triptyque-cost-eur").empty());
  const std::string answer = json::parse(r->body)["choices"][0]["message"]["content"];
  for (const auto& v : kRaw) EXPECT_NE(answer.find(v), std::string::npos) << v << " in " << answer;
  EXPECT_EQ(answer.find("<EMAIL_"), std::string::npos) << answer;

  json sreq = req;
  sreq["stream"] = true;
  auto s = c.Post("/v1/chat/completions", sreq.dump(), "application/json");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  const std::string streamed = streamed_text(s->body);
  if (streamed.empty()) ADD_FAILURE() << s->body;
  EXPECT_EQ(streamed, answer);

  // What left the machine: placeholders, stable across the conversation (the e-mail of the
  // second message and of the last one is the same <EMAIL_1>), never a raw value.
  const auto bodies = upstream.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  for (const auto& body : bodies) {
    for (const auto& v : kRaw) EXPECT_EQ(body.find(v), std::string::npos) << v << " in " << body;
    const json sent = json::parse(body);
    EXPECT_EQ(sent["messages"][1]["content"], "Mon e-mail : <EMAIL_1>");
    const std::string last = sent["messages"][3]["content"];
    for (const char* p : {"<EMAIL_1>", "<IBAN_1>", "<PHONE_1>", "<PERSON_1>"})
      EXPECT_NE(last.find(p), std::string::npos) << p << " in " << last;
  }

  // The audit trail: one decision per request, types and counts, no value; its head is
  // the ledger's latest checkpoint.
  gw.app().flush_records();
  const auto head = gw.app().audit().head();
  EXPECT_EQ(head.count, 2);
  const auto cp = gw.app().ledger().last_checkpoint("guard.audit");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->head_hash, head.hash);
  EXPECT_EQ(cp->entries, head.count);
  EXPECT_TRUE(gw.app().audit().verify(guard::AuditHead{cp->head_hash, cp->entries}).ok);
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((dir / "triptyque-audit.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT detail FROM entries", -1, &st, nullptr), SQLITE_OK);
  int entries = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    for (const auto& v : kRaw) EXPECT_EQ(detail.find(v), std::string::npos) << detail;
    const json d = json::parse(detail);
    EXPECT_EQ(d["decision"], "pseudonymise") << detail;
    EXPECT_EQ(d["entities"]["EMAIL"], 2) << detail;
    EXPECT_EQ(d["entities"]["IBAN"], 1) << detail;
    ++entries;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(entries, 2);

  // The ledger: one row per call, remote, priced.
  const auto rows = gw.ledger_rows();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.provider, "cloud");
    EXPECT_EQ(row.status, "ok");
    EXPECT_FALSE(row.is_local);
    EXPECT_GT(row.cost_eur, 0.0);
  }
}

TEST(GuardEndToEnd, LocalOnlyTypeAndBlockedLabelNeverLeave) {
  test::ScriptedUpstream upstream(echo);
  const auto dir = fresh_dir("guard_e2e_local_only");
  test::RunningGateway gw(config_for(upstream.base_url(), dir), dir);
  auto c = gw.client("");
  // A French social-security number (NIR) is local_only by default: with no local model
  // here the request is refused, with the reason, and nothing is sent.
  const json req = {{"model", "auto"},
                    {"messages",
                     {{{"role", "user"},
                       {"content", "Mon numéro de sécurité sociale : 1 85 05 78 006 084 91"}}}}};
  auto r = c.Post("/v1/chat/completions", req.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "local_only");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("NIR"), std::string::npos)
      << r->get_header_value("x-triptyque-reason");
  // Asking for the remote model by name changes nothing.
  json named = req;
  named["model"] = "big";
  auto n = c.Post("/v1/chat/completions", named.dump(), "application/json");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->status, 403) << n->body;
  EXPECT_EQ(upstream.calls(), 0);
  const auto rows = gw.ledger_rows();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) EXPECT_EQ(row.status, "refused");
}

}  // namespace
}  // namespace tq

// /v1/tasks over real HTTP on loopback: the example company's knowledge base and trained
// classifier (built for real), every task on the local engine (a gold model: random-ish
// weights, so plumbing, schema validity and grounding are checked, not prose) and through
// a remote OpenAI-compatible provider (a second gateway serving the gold model), plans
// written by a scripted LLM and run on the small model, resumable; errors with the right
// status; every model call in the ledger.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ledger/ledger.h"
#include "providers/scripted_upstream.h"
#include "task_fixture.h"
#include "tasks/runtime/knowledge_source.h"

namespace tq {
namespace {

using nlohmann::json;
using test::get_json;
using test::post_json;

std::filesystem::path gold_slm() {
  return test::gold_dir() / "models" / "qwen2-gpt2-q8_0.gguf";
}

std::string tasks_section(const test::ShopFiles& shop, const std::filesystem::path& dir) {
  return "[tasks]\nkb = \"" + shop.kb.string() + "\"\nclassifier = \"" + shop.classifier.string() +
         "\"\nplans = \"" + (dir / "plans.sqlite").string() + "\"\nseed = 7\n";
}

std::string local_provider(const std::string& name) {
  return "[providers." + name +
         "]\nkind = \"local\"\nn_slots = 2\nn_ctx = 4096\nextend_context = true\n"
         "threads = 2\n"
         "price_eur_per_hour = 0.36\nmodels = { slm = \"" +
         gold_slm().string() + "\" }\n";
}

std::set<std::string> chunk_ids_for(const std::filesystem::path& kb, const std::string& q) {
  tasks::KnowledgeSource source(kb, {"public", "internal"});
  std::set<std::string> ids;
  for (const auto& p : source.retrieve(q, 5)) ids.insert(p.chunk_id);
  return ids;
}

// The answer of one task, with the checks every task's answer passes.
json run_task(httplib::Client& c, const std::string& task, const json& input) {
  const auto r = post_json(c, "/v1/tasks/" + task, input);
  EXPECT_EQ(r.status, 200) << task << ": " << r.raw;
  EXPECT_EQ(r.body.value("object", ""), "task.result") << r.raw;
  EXPECT_EQ(r.body.value("task", ""), task);
  EXPECT_TRUE(r.body.contains("output") && r.body["output"].is_object()) << r.raw;
  EXPECT_TRUE(r.body.contains("cost_eur")) << r.raw;
  return r.body;
}

// One task as a client of the example shop runs it, with the checks its answer passes.
void check_task(httplib::Client& c, const test::ShopFiles& shop, const std::string& provider,
                const std::string& task) {
  if (task == "support_answer") {
    // Grounded in the knowledge base; citations name chunks that retrieval found.
    const std::string question = "Combien de jours ai-je pour retourner un article ?";
    const json support = run_task(c, "support_answer", {{"question", question}});
    const json& out = support["output"];
    EXPECT_EQ(out["language"], "fr");
    EXPECT_GT(out["passages_considered"].get<int>(), 0) << out.dump();
    const auto retrieved = chunk_ids_for(shop.kb, question);
    for (const auto& cite : out["citations"])
      EXPECT_TRUE(retrieved.count(cite["chunk_id"].get<std::string>())) << cite.dump();
    // Numbers the model made up are reported, never turned into citations.
    const int n = out["passages_considered"].get<int>();
    for (const auto& bad : out["invented_citations"])
      EXPECT_TRUE(bad.get<int>() < 1 || bad.get<int>() > n) << out.dump();
    EXPECT_EQ(out["grounded"], !out["citations"].empty());
    EXPECT_EQ(support["provider"], provider);
    EXPECT_GT(support["usage"]["slm"]["completion_tokens"].get<int>(), 0);
    // Nothing relevant in the knowledge base: "I don't know", no model call.
    const json none =
        run_task(c, "support_answer", {{"question", "Quelle est la capitale de l'Australie ?"}});
    EXPECT_EQ(none["output"]["grounded"], false);
    EXPECT_EQ(none["attempts"], 0);
  } else if (task == "product_description") {
    // The record comes from the catalogue in the knowledge base.
    const json product = run_task(c, "product_description", {{"sku", "ML-SUS-002"}});
    EXPECT_TRUE(product["output"]["fidelity"].contains("ok"));
    EXPECT_EQ(product["output"]["language"], "fr");
    EXPECT_EQ(product["provider"], provider);
    const auto missing = post_json(c, "/v1/tasks/product_description", {{"sku", "ML-NOPE"}});
    EXPECT_EQ(missing.status, 400) << missing.raw;
  } else if (task == "email_summary") {
    // A real .eml of the shop (quoted-printable, RFC 2047 subject).
    const json email = run_task(
        c, "email_summary",
        {{"email", test::read_file(test::shop_dir() / "emails" / "01-colis-en-retard.eml")}});
    EXPECT_EQ(email["output"]["subject"], "Commande ML-10482 toujours pas reçue");
    EXPECT_EQ(email["output"]["date"], "2026-11-09");
    EXPECT_EQ(email["provider"], provider);
  } else if (task == "ticket_analysis") {
    // The category is the trained classifier's, among the tickets' labels.
    const json ticket =
        run_task(c, "ticket_analysis",
                 {{"ticket",
                   "Bonjour, ma commande ML-10482 n'est toujours pas arrivée, le suivi Colissimo "
                   "est bloqué depuis une semaine."}});
    EXPECT_EQ(ticket["output"]["category_source"], "classifier");
    EXPECT_EQ(ticket["output"]["category"], "livraison") << ticket["output"].dump();
    EXPECT_GT(ticket["output"]["category_probability"].get<double>(), 0.5);
    EXPECT_EQ(ticket["output"]["order_refs"][0], "ML-10482");
    EXPECT_TRUE(ticket["output"]["fields"].is_object());
    EXPECT_EQ(ticket["provider"], provider);
  } else {
    // seo_clusters needs no model; landing pages come from the knowledge base.
    const json seo =
        run_task(c, "seo_clusters", {{"csv", test::read_file(test::shop_dir() / "keywords.csv")}});
    EXPECT_EQ(seo["output"]["queries"], 61);
    EXPECT_EQ(seo["attempts"], 0);
  }
}

// Every model call of the run is in the ledger, tagged with the task; local ones with
// their CPU time and energy estimate.
void check_ledger(Ledger& ledger, const std::string& provider, const std::string& task) {
  const auto rows = ledger.attempts();
  if (task == "seo_clusters") {
    EXPECT_TRUE(rows.empty());
  }
  for (const auto& a : rows) {
    EXPECT_EQ(a.endpoint, "tasks");
    EXPECT_EQ(a.task, task);
    EXPECT_EQ(a.provider, provider);
    EXPECT_EQ(a.is_local, provider == "local");
    EXPECT_EQ(a.route, "task:slm");
    EXPECT_GT(a.prompt_tokens, 0);
    if (provider == "remote") {
      EXPECT_GT(a.cost_eur, 0);  // priced from the price table
      EXPECT_EQ(a.cpu_ms, 0);    // remote machines are not measured
    } else if (a.status == "ok") {
      // The engine's measured CPU time, at the default 10 W per busy core.
      EXPECT_GT(a.cpu_ms, 0);
      EXPECT_NEAR(a.energy_wh, a.cpu_ms / 1000 * 10 / 3600, a.energy_wh * 1e-9);
    }
  }
}

TEST(TaskApi, WithoutAModelTheTasksThatNeedNoneRun) {
  const auto dir = test::scratch_dir("task_api_nomodel");
  const auto shop = test::build_shop(dir);
  test::TaskGateway gw(dir, tasks_section(shop, dir));
  auto c = gw.client();

  const auto list = get_json(c, "/v1/tasks");
  ASSERT_EQ(list.status, 200) << list.raw;
  std::map<std::string, bool> available;
  for (const auto& t : list.body["tasks"]) available[t["name"]] = t["available"];
  EXPECT_EQ(available.size(), 5u);
  EXPECT_TRUE(available["seo_clusters"]);
  EXPECT_FALSE(available["support_answer"]);
  EXPECT_EQ(list.body["classifier"], "tickets.tqc");  // the file's name, not the server's folders

  // Clustering + landing pages from the knowledge base, with citations (chunk, source, row).
  const auto seo = post_json(c, "/v1/tasks/seo_clusters",
                             {{"csv", test::read_file(test::shop_dir() / "keywords.csv")}});
  ASSERT_EQ(seo.status, 200) << seo.raw;
  const json& clusters = seo.body["output"]["clusters"];
  ASSERT_GT(clusters.size(), 3u);
  int from_catalogue = 0;
  for (const auto& cl : clusters) {
    if (cl["landing_page"].is_null()) continue;
    const auto& page = cl["landing_page"];
    EXPECT_FALSE(page["chunk_id"].get<std::string>().empty());
    if (page["source"].get<std::string>().find("catalogue.csv") != std::string::npos) {
      ++from_catalogue;
      EXPECT_EQ(page["location"].get<std::string>().rfind("row ", 0), 0u) << page.dump();
    }
  }
  EXPECT_GT(from_catalogue, 0) << clusters.dump();
  // "lampe de chevet" (the biggest cluster) lands on a bedside lamp of the catalogue.
  for (const auto& cl : clusters)
    if (cl["label"] == "lampe de chevet") {
      ASSERT_FALSE(cl["landing_page"].is_null()) << cl.dump();
      EXPECT_NE(cl["landing_page"]["title"].get<std::string>().find("chevet"), std::string::npos)
          << cl.dump();
    }

  // A task that needs a model: 503 saying how to add one.
  const auto support = post_json(c, "/v1/tasks/support_answer", {{"question", "Délai ?"}});
  EXPECT_EQ(support.status, 503) << support.raw;
  EXPECT_EQ(support.body["error"]["code"], "model_not_configured");
  EXPECT_NE(support.raw.find("TRIPTYQUE_MODEL"), std::string::npos);
  // Bad input is a 400 naming the field, before any question of models.
  const auto bad = post_json(c, "/v1/tasks/support_answer", {{"question", 5}});
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["error"]["param"], "question");
  const auto missing = post_json(c, "/v1/tasks/product_description", {{"tone", "chaleureux"}});
  EXPECT_EQ(missing.status, 400) << missing.raw;
  EXPECT_NE(missing.raw.find("record"), std::string::npos);
  const auto unknown = post_json(c, "/v1/tasks/write_poem", json::object());
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  auto not_json = c.Post("/v1/tasks/seo_clusters", "{nope", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  // Planning needs a model; a plan given in full whose steps need none runs.
  EXPECT_EQ(post_json(c, "/v1/tasks/plan", {{"goal", "regrouper les requêtes"}}).status, 503);
  const json plan = {
      {"steps",
       {{{"id", "clusters"},
         {"task", "seo_clusters"},
         {"input", {{"keywords", {"lampe de chevet", "lampe chevet bois", "ampoule e27"}}}},
         {"depends_on", json::array()}}}}};
  const auto ran = post_json(c, "/v1/tasks/plan", {{"goal", "regrouper"}, {"plan", plan}});
  ASSERT_EQ(ran.status, 200) << ran.raw;
  EXPECT_EQ(ran.body["counts"]["done"], 1);
  const auto report = get_json(c, "/v1/tasks/plan/" + ran.body["plan_id"].get<std::string>());
  EXPECT_EQ(report.status, 200);
  EXPECT_EQ(report.body["counts"]["done"], 1);
  EXPECT_EQ(get_json(c, "/v1/tasks/plan/plan-nonesuch").status, 404);
}

TEST(TaskApi, KeysNeedTheTasksScope) {
  const auto dir = test::scratch_dir("task_api_keys");
  test::TaskGateway gw(dir, "[[server.keys]]\nname = \"chat-only\"\nsha256 = \"" +
                                sha256_hex("sk-chat") +
                                "\"\nscopes = [\"chat\"]\n[[server.keys]]\nname = \"ops\"\n"
                                "sha256 = \"" +
                                sha256_hex("sk-ops") + "\"\nscopes = [\"tasks\"]\n");
  auto anonymous = gw.client();
  EXPECT_EQ(get_json(anonymous, "/v1/tasks").status, 401);
  auto chat = gw.client("sk-chat");
  EXPECT_EQ(get_json(chat, "/v1/tasks").status, 403);
  auto ops = gw.client("sk-ops");
  const auto r = post_json(ops, "/v1/tasks/seo_clusters", {{"keywords", {"lampe", "lampes"}}});
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["output"]["clusters"][0]["landing_page"].is_null());  // no knowledge base
}

const char* const kTasks[] = {"support_answer", "product_description", "email_summary",
                              "ticket_analysis", "seo_clusters"};

// Each task through the HTTP API on the local engine.
class TaskOnLocalEngine : public testing::TestWithParam<const char*> {};

TEST_P(TaskOnLocalEngine, AnswersValidAndGrounded) {
  TQ_REQUIRE_PATH(gold_slm());
  const std::string task = GetParam();
  const auto dir = test::scratch_dir("task_api_local_" + task);
  const auto shop = test::build_shop(dir);
  test::TaskGateway gw(dir, local_provider("local") + tasks_section(shop, dir));
  auto c = gw.client();
  check_task(c, shop, "local", task);
  check_ledger(gw.ledger(), "local", task);
}

INSTANTIATE_TEST_SUITE_P(TaskApi, TaskOnLocalEngine, testing::ValuesIn(kTasks));

// Each task through the HTTP API on a remote OpenAI-compatible provider: another triptyque
// serving the gold model.
class TaskOnRemoteProvider : public testing::TestWithParam<const char*> {};

TEST_P(TaskOnRemoteProvider, AnswersValidAndGrounded) {
  TQ_REQUIRE_PATH(gold_slm());
  const std::string task = GetParam();
  const auto dir = test::scratch_dir("task_api_remote_" + task);
  const auto shop = test::build_shop(dir);
  test::TaskGateway upstream(test::scratch_dir("task_api_upstream_" + task),
                             local_provider("engine"));
  test::TaskGateway gw(dir, "[providers.remote]\nkind = \"openai\"\nbase_url = \"" +
                                upstream.base_url() +
                                "\"\nmodels = [\"slm\"]\nmax_retries = 0\nprices = { slm = { "
                                "input_eur_per_mtok = 1.0, output_eur_per_mtok = 2.0 } }\n" +
                                tasks_section(shop, dir) + "slm = \"remote/slm\"\n");
  auto c = gw.client();
  check_task(c, shop, "remote", task);
  check_ledger(gw.ledger(), "remote", task);
  // The upstream served the calls as chat completions (its own ledger).
  EXPECT_EQ(upstream.ledger().count(), gw.ledger().count());
}

INSTANTIATE_TEST_SUITE_P(TaskApi, TaskOnRemoteProvider, testing::ValuesIn(kTasks));

// Local-only data: served by a local model, refused when the only model is remote.
TEST(TaskApi, LocalOnlyDataStaysOnLocalModels) {
  TQ_REQUIRE_PATH(gold_slm());
  const auto dir = test::scratch_dir("task_api_local_only");
  test::TaskGateway upstream(test::scratch_dir("task_api_local_only_up"), local_provider("engine"));
  test::TaskGateway remote(dir, "[providers.remote]\nkind = \"openai\"\nbase_url = \"" +
                                    upstream.base_url() + "\"\nmodels = [\"slm\"]\n");
  auto rc = remote.client();
  const auto refused = post_json(rc, "/v1/tasks/email_summary", {{"email", "Mon IBAN est…"}},
                                 {{"x-triptyque-data", "local-only"}});
  EXPECT_EQ(refused.status, 403) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "local_only");
  EXPECT_EQ(upstream.ledger().count(), 0);  // nothing left the machine
  test::TaskGateway local(test::scratch_dir("task_api_local_only_l"), local_provider("local"));
  auto lc = local.client();
  const auto served = post_json(lc, "/v1/tasks/email_summary", {{"email", "Merci, à demain."}},
                                {{"x-triptyque-data", "local-only"}});
  EXPECT_EQ(served.status, 200) << served.raw;
}

// An LLM that plans (answers the plan schema) and writes faithful descriptions when a
// step escalates to it.
void scripted_llm(const httplib::Request& req, httplib::Response& res, int) {
  const json body = json::parse(req.body);
  const json& schema = body["response_format"]["json_schema"]["schema"];
  std::string answer;
  if (schema["properties"].contains("steps")) {
    answer = json{{"steps",
                   {{{"id", "describe"},
                     {"task", "product_description"},
                     {"input", {{"language", "fr"}}},
                     {"for_each",
                      {{"source", "records"},
                       {"as", "record"},
                       {"where", {{"category", "suspensions"}, {"description", nullptr}}}}},
                     {"depends_on", json::array()},
                     {"parallel_group", "descriptions"}}}}}
                 .dump();
  } else {
    answer = json{{"description", "Une suspension élégante qui habille la pièce."},
                  {"seo_title", "Suspension élégante"},
                  {"meta_description", "Une suspension élégante qui habille la pièce."}}
                 .dump();
  }
  res.set_content(test::completion_json(answer, 120, 40), "application/json");
}

TEST(TaskApi, PlanByTheLlmRunOnTheSmallModelAndResumed) {
  TQ_REQUIRE_PATH(gold_slm());
  const auto dir = test::scratch_dir("task_api_plan");
  const auto shop = test::build_shop(dir);
  test::ScriptedUpstream llm(scripted_llm);
  test::TaskGateway gw(
      dir, local_provider("local") + "[providers.cloud]\nkind = \"openai\"\nbase_url = \"" +
               llm.base_url() +
               "\"\nmodels = [\"big\"]\nprices = { big = { input_eur_per_mtok = 2.5, "
               "output_eur_per_mtok = 10.0 } }\n[router]\ndefault_task = \"plan\"\n"
               "[router.tasks.plan]\nmode = \"llm\"\n"
               "llm = { provider = \"cloud\", model = \"big\" }\n"
               "[router.tasks.product_description]\nmode = \"slm\"\n"
               "slm = { provider = \"local\", model = \"slm\" }\n" +
               tasks_section(shop, dir) + "max_parallel = 2\n");
  auto c = gw.client();
  const auto list = get_json(c, "/v1/tasks");
  EXPECT_EQ(list.body["plan"]["routes"]["llm"]["model"], "cloud/big") << list.raw;

  // The records are the catalogue's rows; two suspensions have no description.
  const json request = {{"goal", "Écris une description pour chaque suspension qui n'en a pas"},
                        {"records_from", {{"collection", "catalogue"}}},
                        {"stream", true}};
  auto r = c.Post("/v1/tasks/plan", request.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  std::vector<json> events;
  for (size_t pos = 0; (pos = r->body.find("data: ", pos)) != std::string::npos;) {
    const size_t end = r->body.find("\n\n", pos);
    const std::string data = r->body.substr(pos + 6, end - pos - 6);
    if (data != "[DONE]") events.push_back(json::parse(data));
    pos = end;
  }
  ASSERT_GE(events.size(), 3u) << r->body;
  EXPECT_EQ(r->body.substr(r->body.size() - 14), "data: [DONE]\n\n");
  int done_events = 0;
  for (const auto& e : events) done_events += e.value("kind", "") == "step_done" ? 1 : 0;
  const json report = events.back();
  ASSERT_EQ(report.value("object", ""), "task.plan") << report.dump();
  EXPECT_EQ(report["counts"]["steps"], 2);
  EXPECT_EQ(report["counts"]["done"].get<int>() + report["counts"]["failed"].get<int>(), 2);
  EXPECT_EQ(done_events, report["counts"]["done"].get<int>());
  EXPECT_GT(report["tokens"]["llm"]["prompt"].get<int>(), 0);      // the plan
  EXPECT_GT(report["tokens"]["slm"]["completion"].get<int>(), 0);  // the steps
  EXPECT_GT(report["cost"]["llm"].get<double>(), 0);
  EXPECT_EQ(llm.calls(), 1);  // slm mode: the steps never escalate

  // Resuming re-runs nothing that is done.
  const std::string id = report["plan_id"];
  const auto again = post_json(c, "/v1/tasks/plan/" + id + "/resume", json::object());
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["counts"]["already_done"], report["counts"]["done"]);
  EXPECT_EQ(llm.calls(), 1);

  // The ledger: the planner on the LLM, the steps on the small model.
  std::map<std::string, int> by_route;
  for (const auto& a : gw.ledger().attempts()) ++by_route[a.route + " " + a.provider];
  EXPECT_EQ(by_route["task:planner cloud"], 1);
  EXPECT_GE(by_route["task:slm local"], 2);
}

}  // namespace
}  // namespace tq

// The hybrid, end to end on one machine, over real HTTP: instance A is a gateway serving a
// local model; instance B has its own small local model and uses A as its remote "LLM"
// through the `openai` provider. Requests route as B's configuration says; B's cascade
// escalates to A when its small model's answer fails the JSON schema; and a request
// carrying local-only data — by header, by API key policy, or because the guard finds a
// social-security number — never reaches A, which A's own ledger shows.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A: one local model, "llm" (random weights: the answers are noise, which is fine here).
toml::table config_a(const std::filesystem::path& dir) {
  return parse_config("[server]\nport = 0\nthreads = 6\n[ledger]\npath = \"" +
                          (dir / "a-ledger.sqlite").string() +
                          "\"\n[providers.a-local]\nkind = \"local\"\nn_slots = 2\nn_ctx = 512\n"
                          "threads = 1\nmodels = { llm = \"" +
                          test::gold_model("qwen2-gpt2-q8_0.gguf").string() + "\" }\n",
                      "instance A");
}

// B: its own SLM (stories260K), A as a paid remote LLM, a cascade for chat, an LLM-only
// task, and a local fallback for requests that must stay local.
toml::table config_b(const std::filesystem::path& dir, const std::string& a_url) {
  return parse_config(
      "[server]\nport = 0\nthreads = 6\n[ledger]\npath = \"" + (dir / "b-ledger.sqlite").string() +
          "\"\n[[server.keys]]\nname = \"app\"\nsha256 = \"" + sha256_hex("sk-app") +
          "\"\n[[server.keys]]\nname = \"hr\"\nsha256 = \"" + sha256_hex("sk-hr") +
          "\"\ndata_policy = \"local_only\"\n"
          "[providers.slm]\nkind = \"local\"\nn_slots = 2\nn_ctx = 512\nthreads = 1\n"
          "models = { story = \"" +
          test::gold_model("stories260K.gguf").string() +
          "\" }\n"
          "[providers.a]\nkind = \"openai\"\nbase_url = \"" +
          a_url +
          "/v1\"\nmodels = [\"llm\"]\nmax_retries = 0\n"
          "prices = { llm = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.6 } }\n"
          "[router]\ndefault_task = \"chat\"\nfallbacks = [{ provider = \"slm\", model = "
          "\"story\" }]\n"
          "[router.tasks.chat]\nmode = \"cascade\"\nslm = { provider = \"slm\", model = "
          "\"story\" }\nllm = { provider = \"a\", model = \"llm\" }\nmin_mean_logprob = -100.0\n"
          "[router.tasks.draft]\nmode = \"llm\"\nllm = { provider = \"a\", model = \"llm\" }\n",
      "instance B");
}

json chat(const std::string& model, const std::string& text, int max_tokens = 8) {
  return {{"model", model},
          {"messages", {{{"role", "user"}, {"content", text}}}},
          {"max_tokens", max_tokens},
          {"temperature", 0}};
}

TEST(Hybrid, TwoInstancesRouteCascadeAndKeepLocalDataLocal) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  TQ_REQUIRE_PATH(test::gold_model("qwen2-gpt2-q8_0.gguf"));
  const auto dir = fresh_dir("hybrid");
  test::RunningGateway a(config_a(dir), dir);
  test::RunningGateway b(config_b(dir, a.base_url()), dir);
  auto client = b.client("sk-app");
  auto post = [&](httplib::Client& c, const json& body,
                  const httplib::Headers& headers = {}) -> httplib::Result {
    return c.Post("/v1/chat/completions", headers, body.dump(), "application/json");
  };
  auto a_calls = [&] { return a.ledger_rows().size(); };

  // 1. A task routed to the LLM goes to A, whose ledger records it.
  auto r = post(client, chat("draft", "Write a tagline for a lamp shop."));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-route"), "draft:remote");
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "a/llm");
  EXPECT_GT(std::stod(r->get_header_value("x-triptyque-cost-eur")), 0.0);
  EXPECT_EQ(a_calls(), 1u);

  // 2. "auto" → the chat cascade: the SLM's answer is kept when nothing is wrong with it.
  r = post(client, chat("auto", "Once upon a time"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-route"), "chat:cascade");
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "slm/story");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("kept the SLM"), std::string::npos)
      << r->get_header_value("x-triptyque-reason");
  EXPECT_EQ(a_calls(), 1u);

  // 3. A JSON-schema request whose SLM answer is cut short (max_tokens) is not valid for
  //    the schema: the cascade escalates to A. Both attempts are in B's ledger.
  json structured = chat("auto", "Who is Lily?", 3);
  structured["response_format"] = {{"type", "json_schema"},
                                   {"json_schema",
                                    {{"name", "person"},
                                     {"schema",
                                      {{"type", "object"},
                                       {"properties", {{"name", {{"type", "string"}}}}},
                                       {"required", {"name"}}}}}}};
  r = post(client, structured);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "a/llm");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("escalated"), std::string::npos)
      << r->get_header_value("x-triptyque-reason");
  EXPECT_EQ(a_calls(), 2u);
  const auto b_rows = b.ledger_rows();
  ASSERT_EQ(b_rows.size(), 4u);  // draft, kept SLM, escalated SLM + LLM
  EXPECT_EQ(b_rows[2].cascade_role, "slm");
  EXPECT_EQ(b_rows[3].cascade_role, "llm");
  EXPECT_TRUE(b_rows[3].escalated);
  EXPECT_EQ(b_rows[3].provider, "a");
  EXPECT_EQ(b_rows[2].request_id, b_rows[3].request_id);

  // 4. Local-only data never reaches A, whichever way it is marked: the LLM-only task is
  //    served by B's local fallback instead, and saying so.
  r = post(client, chat("draft", "Internal memo."), {{"x-triptyque-data", "local-only"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "slm/story");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("x-triptyque-data"), std::string::npos);
  auto hr = b.client("sk-hr");
  r = post(hr, chat("draft", "Salary review."));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "slm/story");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("API key"), std::string::npos);
  r = post(client, chat("auto", "Mon numéro de sécurité sociale : 1 85 05 78 006 084 91"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-served-by"), "slm/story");
  EXPECT_NE(r->get_header_value("x-triptyque-reason").find("NIR"), std::string::npos);
  // Named explicitly, the remote model is refused rather than sent the data.
  r = post(client, chat("a/llm", "Mon numéro de sécurité sociale : 1 85 05 78 006 084 91"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  // Streamed, the same.
  json streamed = chat("draft", "Internal memo, streamed.");
  streamed["stream"] = true;
  r = post(client, streamed, {{"x-triptyque-data", "local-only"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"served_by\":\"slm/story\""), std::string::npos) << r->body;

  EXPECT_EQ(a_calls(), 2u);  // A saw only the two requests allowed to leave B
}

}  // namespace
}  // namespace tq

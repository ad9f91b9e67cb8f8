// OpenAIProvider against a real local HTTP upstream: request shape, answers, streaming,
// usage, log-probabilities, prices, embeddings, model list, config errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/config.h"
#include "core/error.h"
#include "providers/openai_provider.h"
#include "providers/scripted_upstream.h"

namespace tq {
namespace {

using nlohmann::json;
using test::ScriptedUpstream;

OpenAIConfig quick_config(const std::string& base_url) {
  OpenAIConfig c;
  c.base_url = base_url;
  c.connect_timeout = std::chrono::milliseconds(500);
  c.first_token_timeout = std::chrono::milliseconds(1000);
  c.total_timeout = std::chrono::milliseconds(1900);
  c.retry.max_retries = 2;
  c.retry.backoff_base = std::chrono::milliseconds(5);
  c.retry.backoff_max = std::chrono::milliseconds(20);
  return c;
}

ChatRequest hello(const std::string& model = "m") {
  ChatRequest r;
  r.model = model;
  r.messages = {{"system", "Réponds en français.", "", nullptr, ""},
                {"user", "Bonjour ?", "", nullptr, ""}};
  r.max_tokens = 32;
  return r;
}

TEST(OpenAIProvider, NonStreamedAnswerUsageLogprobsAndCost) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    json j = json::parse(test::completion_json("Bonjour à vous !", 21, 6));
    // Three tokens' log-probabilities: mean = (-0.1 - 0.2 - 0.6) / 3 = -0.3.
    j["choices"][0]["logprobs"] = {{"content",
                                    {{{"token", "Bon"}, {"logprob", -0.1}},
                                     {{"token", "jour"}, {"logprob", -0.2}},
                                     {{"token", "!"}, {"logprob", -0.6}}}}};
    res.set_content(j.dump(), "application/json");
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.api_key = "sk-test";
  c.prices.set("m", Price{2.0, 8.0});
  OpenAIProvider p("remote", c);
  ChatRequest r = hello();
  r.want_logprobs = true;
  r.temperature = 0.2;
  r.seed = 7;
  r.stop = {"\n\n"};
  r.json_schema = {{"type", "object"}};
  const ChatResult out = p.chat(r, nullptr);
  EXPECT_EQ(out.text, "Bonjour à vous !");
  EXPECT_EQ(out.finish_reason, "stop");
  EXPECT_EQ(out.usage.prompt_tokens, 21);
  EXPECT_EQ(out.usage.completion_tokens, 6);
  EXPECT_FALSE(out.usage_estimated);
  ASSERT_TRUE(out.mean_logprob.has_value());
  EXPECT_NEAR(*out.mean_logprob, -0.3, 1e-12);
  // 21 × 2 €/M + 6 × 8 €/M = 90e-6 €.
  EXPECT_NEAR(out.cost_eur, 90e-6, 1e-15);
  EXPECT_EQ(out.attempts, 1);

  ASSERT_EQ(up.bodies().size(), 1u);
  const json sent = json::parse(up.bodies()[0]);
  EXPECT_EQ(sent["model"], "m");
  EXPECT_EQ(sent["messages"][0]["role"], "system");
  EXPECT_EQ(sent["messages"][1]["content"], "Bonjour ?");
  EXPECT_EQ(sent["max_tokens"], 32);
  EXPECT_EQ(sent["temperature"], 0.2);
  EXPECT_EQ(sent["seed"], 7);
  EXPECT_EQ(sent["stop"], json::array({"\n\n"}));
  EXPECT_EQ(sent["logprobs"], true);
  EXPECT_EQ(sent["response_format"]["type"], "json_schema");
  EXPECT_EQ(sent["response_format"]["json_schema"]["schema"], json({{"type", "object"}}));
  EXPECT_FALSE(sent.contains("stream"));
  EXPECT_EQ(up.auth_headers()[0], "Bearer sk-test");
}

TEST(OpenAIProvider, StreamedAnswerArrivesInPiecesWithUsageChunk) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    test::stream_events(res,
                        {": keep-alive\n\n", test::delta_event("Un, "), test::delta_event("deux, "),
                         test::delta_event("trois €"), test::finish_event("stop"),
                         test::usage_event(12, 5), "data: [DONE]\n\n"},
                        std::chrono::milliseconds(5));
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  std::vector<std::string> pieces;
  const ChatResult out = p.chat(hello(), [&](const std::string& d) {
    pieces.push_back(d);
    return true;
  });
  EXPECT_EQ(pieces, (std::vector<std::string>{"Un, ", "deux, ", "trois €"}));
  EXPECT_EQ(out.text, "Un, deux, trois €");
  EXPECT_EQ(out.usage.prompt_tokens, 12);
  EXPECT_EQ(out.usage.completion_tokens, 5);
  EXPECT_FALSE(out.usage_estimated);
  EXPECT_GT(out.ttft_ms, 0);
  EXPECT_GE(out.total_ms, out.ttft_ms);
  const json sent = json::parse(up.bodies()[0]);
  EXPECT_EQ(sent["stream"], true);
  EXPECT_EQ(sent["stream_options"]["include_usage"], true);
}

TEST(OpenAIProvider, MissingUsageIsEstimatedAndSaysSo) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    test::stream_events(
        res, {test::delta_event("abcdefgh"), test::finish_event("length"), "data: [DONE]\n\n"});
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  const ChatResult out = p.chat(hello(), [](const std::string&) { return true; });
  EXPECT_TRUE(out.usage_estimated);
  EXPECT_EQ(out.usage.completion_tokens, 2);  // 8 bytes / 4
  EXPECT_EQ(out.finish_reason, "length");
}

TEST(OpenAIProvider, StreamedToolCallFragmentsAreJoined) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    auto ev = [](const json& tc) {
      return "data: " +
             json{{"choices", {{{"index", 0}, {"delta", {{"tool_calls", tc}}}}}}}.dump() + "\n\n";
    };
    test::stream_events(res,
                        {ev({{{"index", 0},
                              {"id", "call_1"},
                              {"type", "function"},
                              {"function", {{"name", "meteo"}, {"arguments", "{\"ville\":"}}}}}),
                         ev({{{"index", 0}, {"function", {{"arguments", "\"Lyon\"}"}}}}}),
                         test::finish_event("tool_calls"), "data: [DONE]\n\n"});
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  ChatRequest r = hello();
  r.tools = json::array({{{"type", "function"}, {"function", {{"name", "meteo"}}}}});
  r.tool_choice = "auto";
  const ChatResult out = p.chat(r, [](const std::string&) { return true; });
  ASSERT_TRUE(out.tool_calls.is_array());
  EXPECT_EQ(out.tool_calls[0]["id"], "call_1");
  EXPECT_EQ(out.tool_calls[0]["function"]["name"], "meteo");
  EXPECT_EQ(out.tool_calls[0]["function"]["arguments"], "{\"ville\":\"Lyon\"}");
  EXPECT_EQ(out.finish_reason, "tool_calls");
  const json sent = json::parse(up.bodies()[0]);
  EXPECT_EQ(sent["tool_choice"], "auto");
  EXPECT_EQ(sent["tools"][0]["function"]["name"], "meteo");
}

TEST(OpenAIProvider, EmbeddingsInIndexOrderAndModelList) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response&, int) {});
  up.server().Post("/v1/embeddings", [](const httplib::Request& req, httplib::Response& res) {
    const json in = json::parse(req.body);
    ASSERT_EQ(in["input"].size(), 2u);
    // Out of order on purpose: clients must place vectors by `index`.
    res.set_content(json{{"data",
                          {{{"index", 1}, {"embedding", {0.5, -0.5}}},
                           {{"index", 0}, {"embedding", {1.0, 0.0}}}}},
                         {"usage", {{"prompt_tokens", 9}, {"total_tokens", 9}}}}
                        .dump(),
                    "application/json");
  });
  up.server().Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"object":"list","data":[{"id":"a","object":"model"},{"id":"b"}]})",
                    "application/json");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  const EmbeddingResult e = p.embed("emb", {"chat", "chien"});
  ASSERT_EQ(e.vectors.size(), 2u);
  EXPECT_EQ(e.vectors[0], (std::vector<float>{1.0F, 0.0F}));
  EXPECT_EQ(e.vectors[1], (std::vector<float>{0.5F, -0.5F}));
  EXPECT_EQ(e.usage.prompt_tokens, 9);
  const auto models = p.models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].id, "a");
  EXPECT_EQ(models[1].owned_by, "remote");
}

TEST(OpenAIProvider, ConfigFromTomlWithSecretFromEnvironment) {
  ::setenv("TQ_TEST_REMOTE_KEY", "sk-from-env", 1);
  const toml::table t = parse_config(R"(
[providers.mistral]
kind = "openai"
base_url = "https://api.mistral.ai/v1/"
api_key_env = "TQ_TEST_REMOTE_KEY"
models = ["mistral-small-latest"]
connect_timeout_ms = 1500
first_token_timeout_ms = 9000
total_timeout_ms = 60000
max_retries = 4
backoff_base_ms = 100
backoff_max_ms = 3000
breaker_threshold = 3
breaker_cooldown_ms = 15000
[providers.mistral.prices]
"mistral-small-latest" = { input_eur_per_mtok = 0.2, output_eur_per_mtok = 0.6 }
)",
                                     "test.toml");
  const auto c = OpenAIConfig::from_toml("mistral", *t["providers"]["mistral"].as_table());
  EXPECT_EQ(c.base_url, "https://api.mistral.ai/v1");
  EXPECT_EQ(c.api_key, "sk-from-env");
  EXPECT_EQ(c.models, std::vector<std::string>{"mistral-small-latest"});
  EXPECT_EQ(c.connect_timeout.count(), 1500);
  EXPECT_EQ(c.first_token_timeout.count(), 9000);
  EXPECT_EQ(c.total_timeout.count(), 60000);
  EXPECT_EQ(c.retry.max_retries, 4);
  EXPECT_EQ(c.retry.backoff_base.count(), 100);
  EXPECT_EQ(c.retry.backoff_max.count(), 3000);
  EXPECT_EQ(c.breaker_threshold, 3);
  EXPECT_EQ(c.breaker_cooldown.count(), 15000);
  ASSERT_TRUE(c.prices.find("mistral-small-latest"));
  EXPECT_EQ(c.prices.find("mistral-small-latest")->output_eur_per_mtok, 0.6);
  auto provider = make_openai_provider("mistral", *t["providers"]["mistral"].as_table());
  EXPECT_EQ(provider->name(), "mistral");
  EXPECT_FALSE(provider->is_local());
  ASSERT_TRUE(provider->price("mistral-small-latest"));
}

TEST(OpenAIProvider, ConfigErrorsNameTheKey) {
  auto error_of = [](const char* text) {
    const toml::table t = parse_config(text, "t.toml");
    try {
      OpenAIConfig::from_toml("x", *t["providers"]["x"].as_table());
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("[providers.x]\nkind='openai'").find("needs base_url"), std::string::npos);
  EXPECT_NE(error_of("[providers.x]\nbase_url='ftp://a'").find("providers.x.base_url"),
            std::string::npos);
  EXPECT_NE(error_of("[providers.x]\nbase_url='http://a'\nmax_retries='3'").find("max_retries"),
            std::string::npos);
  EXPECT_NE(error_of("[providers.x]\nbase_url='http://a'\napi_key_env='TQ_SURELY_UNSET_VAR'")
                .find("TQ_SURELY_UNSET_VAR"),
            std::string::npos);
  EXPECT_NE(error_of("[providers.x]\nbase_url='http://a'\n[providers.x.prices]\nm = { "
                     "input_eur_per_mtok = -1 }")
                .find("negative"),
            std::string::npos);
}

}  // namespace
}  // namespace tq

// The local provider on the golden model files: greedy text equal to llama.cpp's,
// streaming equal to the whole answer, cancellation from the sink, embeddings equal to
// llama.cpp's vectors, the LRU, the cost formula and the CPU time / energy estimate.
#include "providers/local_provider.h"

#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "support/gold.h"

namespace tq {
namespace {

std::filesystem::path model(const std::string& name) {
  return test::gold_dir() / "models" / name;
}

LocalProviderOptions options() {
  LocalProviderOptions o;
  o.models = {{"story", model("stories260K.gguf")},
              {"noise", model("llama-spm-f32.gguf")},
              {"bert", model("bert-mean-q8_0.gguf")}};
  o.max_loaded = 2;
  o.n_slots = 2;
  o.n_ctx = 512;
  o.threads = 2;
  o.price_eur_per_hour = 3.6;
  return o;
}

#define REQUIRE_MODELS()                        \
  TQ_REQUIRE_PATH(model("stories260K.gguf"));   \
  TQ_REQUIRE_PATH(model("llama-spm-f32.gguf")); \
  TQ_REQUIRE_PATH(model("bert-mean-q8_0.gguf"))

ChatRequest greedy_completion(const std::string& prompt, int n) {
  ChatRequest r;
  r.model = "story";
  r.prompt = prompt;
  r.max_tokens = n;
  r.temperature = 0.0;
  return r;
}

TEST(LocalProvider, GreedyCompletionIsLlamaCpps) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  const ChatResult r = p.chat(greedy_completion("Once upon a time", 30), nullptr);
  EXPECT_EQ(r.text.rfind(", there was a little girl named Lily. She loved to play outside in the "
                         "park.",
                         0),
            0u)
      << r.text;
  EXPECT_EQ(r.finish_reason, "length");
  EXPECT_EQ(r.usage.completion_tokens, 30);
  EXPECT_GT(r.usage.prompt_tokens, 0);
  EXPECT_GT(r.total_ms, 0);
  EXPECT_LE(r.ttft_ms, r.total_ms);
}

TEST(LocalProvider, StreamingDeltasMakeTheWholeAnswer) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  ChatRequest r;
  r.model = "story";
  r.messages = {{"system", "You tell stories.", "", nullptr, ""},
                {"user", "A story about a cat, please.", "", nullptr, ""}};
  r.max_tokens = 20;
  r.temperature = 0.0;
  r.want_logprobs = true;
  std::string streamed;
  const ChatResult out = p.chat(r, [&](const std::string& d) {
    streamed += d;
    return true;
  });
  EXPECT_EQ(streamed, out.text);
  ASSERT_TRUE(out.mean_logprob);
  EXPECT_LT(*out.mean_logprob, 0.0);
  const ChatResult again = p.chat(r, nullptr);
  EXPECT_EQ(again.text, out.text);
}

TEST(LocalProvider, SinkReturningFalseCancels) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  ChatRequest r;
  r.model = "noise";
  r.messages = {{"user", "go", "", nullptr, ""}};
  r.max_tokens = 400;
  int pieces = 0;
  const ChatResult out = p.chat(r, [&](const std::string&) { return ++pieces < 5; });
  EXPECT_EQ(out.finish_reason, "cancelled");
  EXPECT_LT(out.usage.completion_tokens, 400);
}

TEST(LocalProvider, JsonSchemaConstrainsTheAnswer) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  ChatRequest r;
  r.model = "story";
  r.messages = {{"user", "Give me a color.", "", nullptr, ""}};
  r.max_tokens = 40;
  r.seed = 7;
  r.json_schema = nlohmann::json::parse(
      R"({"type":"object","properties":{"color":{"enum":["red","green","blue"]}},"required":["color"]})");
  const ChatResult out = p.chat(r, nullptr);
  const auto j = nlohmann::json::parse(out.text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out.text;
  const std::string color = j.at("color");
  EXPECT_TRUE(color == "red" || color == "green" || color == "blue") << color;
}

TEST(LocalProvider, EmbeddingsMatchLlamaCpp) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  const auto gold = nlohmann::json::parse(test::read_file(model("bert-mean-q8_0.embd.json")));
  const auto sentences =
      nlohmann::json::parse(test::read_file(model("bert.tokens.json")))["sentences"]
          .get<std::vector<std::string>>();
  const EmbeddingResult e = p.embed("bert", sentences);
  ASSERT_EQ(e.vectors.size(), 3u);
  EXPECT_EQ(e.usage.prompt_tokens, 11 + 21 + 17);  // bert.tokens.json lengths
  for (size_t i = 0; i < 3; ++i) {
    const auto want = gold["data"][i]["embedding"].get<std::vector<float>>();
    ASSERT_EQ(e.vectors[i].size(), want.size());
    float worst = 0;
    for (size_t k = 0; k < want.size(); ++k)
      worst = std::max(worst, std::abs(e.vectors[i][k] - want[k]));
    EXPECT_LT(worst, 2e-3f) << i;
  }
}

TEST(LocalProvider, LruKeepsAtMostMaxLoaded) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  p.chat(greedy_completion("Hi", 1), nullptr);
  EXPECT_EQ(p.loaded(), (std::vector<std::string>{"story"}));
  p.embed("bert", {"x"});
  EXPECT_EQ(p.loaded(), (std::vector<std::string>{"bert", "story"}));
  p.chat(greedy_completion("Hi", 1), nullptr);  // story becomes the most recent
  EXPECT_EQ(p.loaded(), (std::vector<std::string>{"story", "bert"}));
  ChatRequest n = greedy_completion("Hi", 1);
  n.model = "noise";
  p.chat(n, nullptr);  // evicts bert, the least recently used
  EXPECT_EQ(p.loaded(), (std::vector<std::string>{"noise", "story"}));
}

TEST(LocalProvider, ErrorsAreProviderErrors) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  ChatRequest r = greedy_completion("Hi", 1);
  r.model = "missing";
  try {
    p.chat(r, nullptr);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderErrorKind::NotFound);
  }
  r.model = "bert";
  try {
    p.chat(r, nullptr);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderErrorKind::BadRequest);
  }
  r.model = "story";
  r.prompt = std::string(3000, 'a') + " " + std::string(3000, 'b');  // longer than n_ctx 512
  r.max_tokens = 4;
  try {
    p.chat(r, nullptr);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderErrorKind::BadRequest) << e.what();
  }
}

TEST(LocalProvider, CostIsTheMachineHourOverMeasuredThroughput) {
  REQUIRE_MODELS();
  LocalProvider p(options());
  EXPECT_EQ(p.cost_eur({100, 100}), 0.0);
  p.chat(greedy_completion("Once upon a time", 20), nullptr);
  const double tps = p.measured_tokens_per_second();
  ASSERT_GT(tps, 0);
  // 3.6 €/h = 0.001 €/s; 200 tokens at tps tokens/s take 200/tps seconds.
  EXPECT_NEAR(p.cost_eur({100, 100}), 0.001 * 200 / tps, 1e-15);
}

TEST(LocalProvider, ConcurrentCallsEachGetTheirCpuTimeAndEnergy) {
  REQUIRE_MODELS();
  LocalProviderOptions o = options();
  o.cpu_watts_per_core = 20;
  LocalProvider p(o);
  // Two calls at once share the scheduler's passes; each gets its share of their CPU time,
  // and the attempt the ledger sees carries the same figures as the result.
  auto call = [&](const std::string& prompt) {
    ChatRequest r = greedy_completion(prompt, 16);
    AttemptRecord seen;
    r.on_attempt = [&seen](const AttemptRecord& a) { seen = a; };
    ChatResult out = p.chat(r, nullptr);
    EXPECT_EQ(seen.cpu_ms, out.cpu_ms);
    EXPECT_EQ(seen.energy_wh, out.energy_wh);
    return out;
  };
  auto first = std::async(std::launch::async, call, "Once upon a time");
  auto second = std::async(std::launch::async, call, "The little dog");
  for (const ChatResult& r : {first.get(), second.get()}) {
    EXPECT_GT(r.cpu_ms, 0);
    EXPECT_NEAR(r.energy_wh, r.cpu_ms / 1000 * 20 / 3600, r.energy_wh * 1e-12);
    EXPECT_EQ(p.energy_wh(r.cpu_ms), r.energy_wh);
  }
  const EmbeddingResult e = p.embed("bert", {"a cat"});
  EXPECT_GT(e.cpu_ms, 0);
  EXPECT_EQ(e.energy_wh, p.energy_wh(e.cpu_ms));
}

TEST(LocalProvider, CpuWattsPerCoreComesFromTheConfig) {
  REQUIRE_MODELS();
  const std::string models =
      "models = { story = \"" + model("stories260K.gguf").string() + "\" }\n";
  const auto dir = std::filesystem::current_path();
  EXPECT_EQ(LocalProviderOptions::from_config("l", toml::parse(models), dir).cpu_watts_per_core,
            10);
  EXPECT_EQ(
      LocalProviderOptions::from_config("l", toml::parse(models + "cpu_watts_per_core = 4.5"), dir)
          .cpu_watts_per_core,
      4.5);
  EXPECT_THROW(
      LocalProviderOptions::from_config("l", toml::parse(models + "cpu_watts_per_core = -1"), dir),
      InputError);
}

}  // namespace
}  // namespace tq

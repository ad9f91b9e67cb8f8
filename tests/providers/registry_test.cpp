// The registry from TOML: kinds through the factory table, model lookup, prices worked
// out by hand, and errors that name the key.
#include "providers/registry.h"

#include <gtest/gtest.h>

#include "core/config.h"
#include "core/error.h"
#include "providers/local_provider.h"
#include "support/gold.h"

namespace tq {
namespace {

// A provider with fixed models, registered under a test kind (the way the openai
// provider registers "openai").
class EchoProvider : public Provider {
 public:
  explicit EchoProvider(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  bool is_local() const override { return false; }
  ChatResult chat(const ChatRequest& r, const DeltaSink&) override {
    ChatResult out;
    out.text = r.messages.empty() ? r.prompt : r.messages.back().content;
    return out;
  }
  EmbeddingResult embed(const std::string&, const std::vector<std::string>&) override { return {}; }
  std::vector<ModelInfo> models() const override { return {{"big", name_}, {"story", name_}}; }

 private:
  std::string name_;
};

std::string story() {
  return (test::gold_dir() / "models" / "stories260K.gguf").string();
}

TEST(Registry, BuildsKindsResolvesAndPrices) {
  TQ_REQUIRE_PATH(story());
  register_provider_kind("echo-test", [](const ProviderConfig& c) -> std::unique_ptr<Provider> {
    return std::make_unique<EchoProvider>(c.name);
  });
  const auto config = parse_config(
      "[providers.local]\nkind = \"local\"\nmodels = { story = \"" + story() +
          "\" }\nprice_eur_per_hour = 0.5\n"
          "[providers.remote]\nkind = \"echo-test\"\n"
          "prices = { big = { input_eur_per_mtok = 2.5, output_eur_per_mtok = 10.0 } }\n",
      "t");
  const auto reg = ProviderRegistry::from_config(config, ".");
  ASSERT_EQ(reg->providers().size(), 2u);
  // "story" is listed by both: the first in config order wins; "remote/story" reaches the other.
  auto s = reg->resolve("story");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->provider->name(), "local");
  auto rs = reg->resolve("remote/story");
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->provider->name(), "remote");
  EXPECT_EQ(rs->model, "story");
  EXPECT_FALSE(reg->resolve("nope"));
  EXPECT_FALSE(reg->resolve("remote/nope"));
  EXPECT_EQ(reg->models().size(), 3u);
  // 1200 input tokens at 2.5 €/M + 300 output at 10 €/M = 0.003 + 0.003 = 0.006 €.
  auto big = reg->resolve("big");
  ASSERT_TRUE(big);
  EXPECT_NEAR(reg->cost_eur(*big->provider, "big", Usage{1200, 300}), 0.006, 1e-12);
  EXPECT_EQ(reg->cost_eur(*big->provider, "story", Usage{1200, 300}), 0.0);  // no price
  // Local before any call: no measured throughput yet, so no cost.
  EXPECT_EQ(reg->cost_eur(*s->provider, "story", Usage{100, 100}), 0.0);
}

// The openai kind is built in: an OpenAI-compatible upstream is configured, not coded.
TEST(Registry, OpenAiKindIsBuiltIn) {
  const auto config = parse_config(
      "[providers.big]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
      "models = [\"gpt-large\"]\n",
      "t");
  const auto reg = ProviderRegistry::from_config(config, ".");
  ASSERT_EQ(reg->providers().size(), 1u);
  auto big = reg->resolve("gpt-large");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->provider->name(), "big");
  EXPECT_FALSE(big->provider->is_local());
}

TEST(Registry, ErrorsNameTheKey) {
  TQ_REQUIRE_PATH(story());
  auto expect_error = [](const std::string& toml, const std::string& needle) {
    try {
      ProviderRegistry::from_config(parse_config(toml, "t"), ".");
      ADD_FAILURE() << "accepted: " << toml;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("[providers.x]\nmodels = {}\n", "providers.x.kind");
  expect_error("[providers.x]\nkind = \"magic\"\n", "unknown kind 'magic'");
  expect_error("[providers.x]\nkind = \"local\"\n", "lists no model");
  expect_error("[providers.x]\nkind = \"local\"\nmodels = { a = \"/nonexistent.gguf\" }\n",
               "providers.x.models.a");
  expect_error("[providers.x]\nkind = \"local\"\nmodels = { a = 3 }\n", "providers.x.models.a");
  expect_error(
      "[providers.x]\nkind = \"local\"\nmodels = { a = \"" + story() + "\" }\nn_slots = \"four\"\n",
      "n_slots");
}

}  // namespace
}  // namespace tq

// Per-key limits per minute. The token window is checked with explicit clock values (no
// sleeping); over real HTTP a key with a small tokens_per_minute is refused with 429, in
// OpenAI's error shape and with Retry-After, once its calls spent it — and another key with
// the same limit is not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/config.h"
#include "server/rate_limit.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;
using std::chrono::seconds;

TEST(RateLimit, TokenWindowSlidesOverOneMinute) {
  const auto t0 = RateClock::time_point{} + std::chrono::hours(1);
  TokenWindow w;
  EXPECT_EQ(w.wait_s(40, t0), 0);
  w.spend(30, t0);
  EXPECT_EQ(w.wait_s(40, t0 + seconds(5)), 0);  // under the limit: admitted
  w.spend(20, t0 + seconds(10));                // this call crossed it (50 of 40)
  // Under 40 again once the first call (30) slides out, at t0 + 60 s.
  EXPECT_DOUBLE_EQ(w.wait_s(40, t0 + seconds(20)), 40.0);
  EXPECT_EQ(w.spent(t0 + seconds(20)), 50);
  EXPECT_EQ(w.wait_s(40, t0 + seconds(60)), 0);
  EXPECT_EQ(w.spent(t0 + seconds(60)), 20);
  EXPECT_EQ(w.spent(t0 + seconds(70)), 0);
}

TEST(RateLimit, RequestBucketStartsFullAndRefills) {
  const auto t0 = RateClock::time_point{} + std::chrono::hours(1);
  RequestBucket b;
  EXPECT_EQ(b.take(2, t0), 0);
  EXPECT_EQ(b.take(2, t0), 0);
  EXPECT_DOUBLE_EQ(b.take(2, t0), 30.0);  // one request every 30 s
  EXPECT_EQ(b.take(2, t0 + seconds(30)), 0);
}

toml::table two_keys_config(const std::filesystem::path& dir) {
  std::string text = "[server]\nport = 0\nthreads = 4\n[ledger]\npath = \"" +
                     (dir / "ledger.sqlite").string() + "\"\n";
  for (const char* name : {"small", "other"})
    text += std::string("[[server.keys]]\nname = \"") + name + "\"\nsha256 = \"" +
            sha256_hex(std::string("sk-") + name) + "\"\ntokens_per_minute = 40\n";
  text +=
      "[providers.local]\nkind = \"local\"\nthreads = 1\nn_slots = 2\nn_ctx = 256\n"
      "models = { story = \"" +
      test::gold_model("stories260K.gguf").string() + "\" }\n";
  return parse_config(text, "rate limit test");
}

TEST(RateLimitOverHttp, TokensPerMinuteRefusesTheKeyThatSpentThemOnly) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  const auto dir = test::scratch_dir("rate_limit_tokens");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::RunningGateway gw(two_keys_config(dir), dir);
  const json chat = {{"model", "story"},
                     {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}},
                     {"max_tokens", 8}};

  auto small = gw.client("sk-small");
  int64_t spent = 0;
  std::optional<httplib::Response> refused;
  for (int i = 0; i < 20; ++i) {  // each call spends a prompt and up to 8 tokens
    auto r = small.Post("/v1/chat/completions", chat.dump(), "application/json");
    ASSERT_TRUE(r);
    if (r->status != 200) {
      refused = *r;
      break;
    }
    spent += json::parse(r->body)["usage"]["total_tokens"].get<int64_t>();
  }
  ASSERT_TRUE(refused) << "never refused after spending " << spent << " tokens";
  EXPECT_GE(spent, 40);  // admitted while under the limit
  EXPECT_EQ(refused->status, 429);
  const json err = json::parse(refused->body);
  EXPECT_EQ(err["error"]["type"], "rate_limit_error");
  EXPECT_EQ(err["error"]["code"], "rate_limit_exceeded");
  EXPECT_NE(err["error"]["message"].get<std::string>().find("tokens"), std::string::npos);
  ASSERT_TRUE(refused->has_header("Retry-After"));
  const int retry = std::stoi(refused->get_header_value("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 61);

  // Embeddings spend tokens too; listing models does not.
  const json embed = {{"model", "story"}, {"input", "hello"}};
  auto e = small.Post("/v1/embeddings", embed.dump(), "application/json");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 429);
  auto models = small.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);

  // The other key has its own minute.
  auto other = gw.client("sk-other");
  auto r = other.Post("/v1/chat/completions", chat.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace tq

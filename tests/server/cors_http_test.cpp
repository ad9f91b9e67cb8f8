// [server.cors] over real HTTP: a browser's preflight from an allowed origin gets 204 with
// the methods, headers and max age; JSON answers, streamed answers and errors name the
// allowed origin; other origins get nothing; a gateway without [server.cors] adds nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "server/cors.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

constexpr const char* kApp = "https://app.example.com";

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

toml::table cors_config(const std::filesystem::path& dir) {
  return parse_config(
      "[server]\nport = 0\nthreads = 4\n[server.cors]\norigins = [\"" + std::string(kApp) +
          "\"]\nmax_age_s = 900\n[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
          "\"\n[[server.keys]]\nname = \"web\"\nsha256 = \"" + sha256_hex("sk-web") +
          "\"\n[providers.local]\nkind = \"local\"\nthreads = 1\nn_slots = 2\nn_ctx = 256\n"
          "models = { story = \"" +
          test::gold_model("stories260K.gguf").string() + "\" }\n",
      "cors test");
}

TEST(CorsOverHttp, PreflightAndEveryAnswerNameTheAllowedOrigin) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  const auto dir = fresh_dir("cors_allowed");
  test::RunningGateway gw(cors_config(dir), dir);
  auto c = gw.client("sk-web");

  auto pre = c.Options("/v1/chat/completions",
                       {{"Origin", kApp},
                        {"Access-Control-Request-Method", "POST"},
                        {"Access-Control-Request-Headers", "authorization, content-type"}});
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(pre->get_header_value("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  const std::string allowed = pre->get_header_value("Access-Control-Allow-Headers");
  for (const char* h : {"authorization", "content-type", "x-triptyque-data"})
    EXPECT_NE(allowed.find(h), std::string::npos) << h << " not in " << allowed;
  EXPECT_EQ(pre->get_header_value("Access-Control-Max-Age"), "900");

  const httplib::Headers from_app = {{"Origin", kApp}};
  auto models = c.Get("/v1/models", from_app);
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  EXPECT_EQ(models->get_header_value("Access-Control-Allow-Origin"), kApp);
  EXPECT_NE(models->get_header_value("Access-Control-Expose-Headers").find("x-triptyque-route"),
            std::string::npos);

  // A streamed answer: its handler returned before the first event was written.
  const json chat = {{"model", "story"},
                     {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}},
                     {"max_tokens", 4},
                     {"stream", true}};
  auto stream = c.Post("/v1/chat/completions", from_app, chat.dump(), "application/json");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_NE(stream->body.find("data: [DONE]"), std::string::npos);
  EXPECT_EQ(stream->get_header_value("Access-Control-Allow-Origin"), kApp);

  // Errors too, so the page can read why (here: no key).
  auto anonymous = gw.client("");
  auto refused = anonymous.Post("/v1/chat/completions", from_app, chat.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->get_header_value("Access-Control-Allow-Origin"), kApp);
  auto unknown = c.Get("/v1/nothing", from_app);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->get_header_value("Access-Control-Allow-Origin"), kApp);

  // Another origin: refused preflight, no header on answers.
  const httplib::Headers from_other = {{"Origin", "https://evil.example.net"}};
  auto other_pre = c.Options("/v1/chat/completions", from_other);
  ASSERT_TRUE(other_pre);
  EXPECT_EQ(other_pre->status, 403);
  EXPECT_FALSE(other_pre->has_header("Access-Control-Allow-Origin"));
  auto other = c.Get("/v1/models", from_other);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
}

TEST(CorsOverHttp, NothingWithoutConfiguration) {
  const auto dir = fresh_dir("cors_off");
  test::RunningGateway gw(parse_config("[server]\nport = 0\nthreads = 2\n[ledger]\npath = \"" +
                                           (dir / "ledger.sqlite").string() + "\"\n",
                                       "no cors"),
                          dir);
  auto c = gw.client("");
  const httplib::Headers from_app = {{"Origin", kApp}};
  auto pre = c.Options("/v1/chat/completions", from_app);
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 404);  // httplib: no handler for OPTIONS
  EXPECT_FALSE(pre->has_header("Access-Control-Allow-Origin"));
  auto health = c.Get("/health", from_app);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_FALSE(health->has_header("Access-Control-Allow-Origin"));
}

TEST(CorsConfig, RejectsOriginsThatCanNeverMatch) {
  for (const char* bad : {"app.example.com", "https://app.example.com/", "https://a.b/path/"}) {
    const auto config =
        parse_config(std::string("[server.cors]\norigins = [\"") + bad + "\"]\n", "bad cors");
    EXPECT_THROW(CorsOptions::from_config(config), InputError) << bad;
  }
}

}  // namespace
}  // namespace tq

// The gateway over real HTTP on loopback: OpenAI's shapes, streaming, errors with the
// right status and error JSON, the ledger, and a client that hangs up mid-stream.
// The greedy reference text is llama.cpp's, from ../shared/gold/README.md.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

json post(httplib::Client& c, const std::string& path, const json& body, int expect_status) {
  auto r = c.Post(path.c_str(), body.dump(), "application/json");
  EXPECT_TRUE(r) << "no response for " << path;
  if (!r) return json();
  EXPECT_EQ(r->status, expect_status) << r->body;
  return json::parse(r->body, nullptr, false);
}

// The data: payloads of an SSE body, in order.
std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    const size_t end = body.find("\n\n", pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

int64_t metric(const std::string& text, const std::string& name) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex("\n" + name + " (\\d+)"))) return std::stoll(m[1]);
  return -1;
}

TEST(Gateway, HealthAndModels) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_models");
  auto open = gw.client("");
  auto h = open.Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto c = gw.client();
  auto r = c.Get("/v1/models");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "list");
  std::vector<std::string> ids;
  for (const auto& m : j["data"]) {
    EXPECT_EQ(m["object"], "model");
    EXPECT_EQ(m["owned_by"], m["id"] == "auto" ? "triptyque" : "local");
    ids.push_back(m["id"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"auto", "bert", "noise", "story"}));
}

TEST(Gateway, CompletionMatchesLlamaCppGreedy) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_completion");
  auto c = gw.client();
  const json j = post(
      c, "/v1/completions",
      {{"model", "story"}, {"prompt", "Once upon a time"}, {"max_tokens", 20}, {"temperature", 0}},
      200);
  EXPECT_EQ(j["object"], "text_completion");
  const std::string text = j["choices"][0]["text"];
  // llama.cpp's greedy continuation of this prompt (gold README).
  EXPECT_EQ(text.rfind(", there was a little girl named Lily. She loved to play", 0), 0u) << text;
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 20);
  EXPECT_EQ(j["usage"]["total_tokens"].get<int>(), j["usage"]["prompt_tokens"].get<int>() + 20);
}

TEST(Gateway, ChatJsonAndStreamAgree) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_chat");
  auto c = gw.client();
  const json req = {{"model", "story"},
                    {"messages", {{{"role", "user"}, {"content", "Tell me a story about Lily."}}}},
                    {"max_tokens", 24},
                    {"temperature", 0}};
  auto r = c.Post("/v1/chat/completions", req.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("x-triptyque-route"), "explicit");
  EXPECT_FALSE(r->get_header_value("x-triptyque-reason").empty());
  EXPECT_FALSE(r->get_header_value("x-triptyque-cost-eur").empty());
  const json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "story");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  const std::string text = j["choices"][0]["message"]["content"];
  EXPECT_FALSE(text.empty());

  json sreq = req;
  sreq["stream"] = true;
  sreq["stream_options"] = {{"include_usage", true}};
  auto s = c.Post("/v1/chat/completions", sreq.dump(), "application/json");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200);
  EXPECT_NE(s->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  const auto events = sse_events(s->body);
  ASSERT_GE(events.size(), 4u) << s->body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string streamed;
  std::string finish;
  json usage;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json e = json::parse(events[i]);
    EXPECT_EQ(e["object"], "chat.completion.chunk");
    EXPECT_EQ(e["id"], json::parse(events[0])["id"]);
    if (!e["usage"].is_null()) usage = e["usage"];
    if (e["choices"].empty()) continue;
    const json& ch = e["choices"][0];
    if (i == 0) {
      EXPECT_EQ(ch["delta"]["role"], "assistant");
    }
    if (ch["delta"].contains("content")) streamed += ch["delta"]["content"].get<std::string>();
    if (!ch["finish_reason"].is_null()) finish = ch["finish_reason"];
  }
  EXPECT_EQ(streamed, text);  // greedy: the same answer either way
  EXPECT_EQ(finish, j["choices"][0]["finish_reason"]);
  EXPECT_EQ(usage, j["usage"]);

  // Both calls are in the ledger, with the route, reason, tokens and a price.
  const auto rows = gw.ledger_rows();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.status, "ok");
    EXPECT_EQ(row.key_id, "tester");
    EXPECT_EQ(row.route, "explicit");
    EXPECT_EQ(row.provider, "local");
    EXPECT_EQ(row.model, "story");
    EXPECT_TRUE(row.is_local);
    EXPECT_EQ(row.prompt_tokens, j["usage"]["prompt_tokens"].get<int64_t>());
    EXPECT_GT(row.cost_eur, 0.0);
    EXPECT_GT(row.total_ms, 0.0);
  }
}

TEST(Gateway, JsonSchemaResponseIsValidJson) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_schema");
  auto c = gw.client();
  const json schema = {{"type", "object"},
                       {"properties",
                        {{"name", {{"type", "string"}, {"maxLength", 12}}},
                         {"age", {{"type", "integer"}, {"minimum", 0}, {"maximum", 120}}}}},
                       {"required", {"name", "age"}}};
  const json j =
      post(c, "/v1/chat/completions",
           {{"model", "story"},
            {"messages", {{{"role", "user"}, {"content", "Who is Lily?"}}}},
            {"max_tokens", 64},
            {"seed", 3},
            {"response_format",
             {{"type", "json_schema"}, {"json_schema", {{"name", "person"}, {"schema", schema}}}}}},
           200);
  const std::string content = j["choices"][0]["message"]["content"];
  const json value = json::parse(content, nullptr, false);
  ASSERT_FALSE(value.is_discarded()) << content;
  ASSERT_TRUE(value.is_object()) << content;
  ASSERT_TRUE(value["name"].is_string()) << content;
  EXPECT_LE(value["name"].get<std::string>().size(), 12u);
  ASSERT_TRUE(value["age"].is_number_integer()) << content;
  EXPECT_GE(value["age"].get<int>(), 0);
  EXPECT_LE(value["age"].get<int>(), 120);
}

TEST(Gateway, ErrorsHaveOpenAIStatusAndShape) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_errors", 4096);
  auto check_shape = [](const json& e) {
    ASSERT_TRUE(e.contains("error")) << e.dump();
    for (const char* k : {"message", "type", "param", "code"})
      EXPECT_TRUE(e["error"].contains(k)) << k << " in " << e.dump();
  };
  const json chat = {
      {"model", "story"}, {"messages", {{{"role", "user"}, {"content", "Hi"}}}}, {"max_tokens", 2}};
  {  // no key, then a wrong key
    auto none = gw.client("");
    check_shape(post(none, "/v1/chat/completions", chat, 401));
    auto wrong = gw.client("sk-wrong");
    const json e = post(wrong, "/v1/chat/completions", chat, 401);
    check_shape(e);
    EXPECT_EQ(e["error"]["type"], "authentication_error");
  }
  auto c = gw.client();
  {  // malformed JSON
    auto r = c.Post("/v1/chat/completions", "{\"model\": \"story\", \"messages\": [",
                    "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    check_shape(json::parse(r->body));
  }
  {  // a wrong type names the field
    json bad = chat;
    bad["temperature"] = "hot";
    const json e = post(c, "/v1/chat/completions", bad, 400);
    check_shape(e);
    EXPECT_EQ(e["error"]["param"], "temperature");
    json bad2 = chat;
    bad2["messages"][0]["content"] = 42;
    EXPECT_EQ(post(c, "/v1/chat/completions", bad2, 400)["error"]["param"], "messages[0].content");
  }
  {  // unknown model
    json unknown = chat;
    unknown["model"] = "gpt-17";
    const json e = post(c, "/v1/chat/completions", unknown, 404);
    check_shape(e);
    EXPECT_EQ(e["error"]["code"], "model_not_found");
  }
  {  // body over the limit
    json big = chat;
    big["messages"][0]["content"] = std::string(8192, 'a');
    auto r = c.Post("/v1/chat/completions", big.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    check_shape(json::parse(r->body));
  }
  {  // a key without the chat scope
    auto e = gw.client("sk-embed");
    check_shape(post(e, "/v1/chat/completions", chat, 403));
  }
  {  // rate limit: the third request within a minute is refused with Retry-After
    auto l = gw.client("sk-limited");
    post(l, "/v1/chat/completions", chat, 200);
    post(l, "/v1/chat/completions", chat, 200);
    auto r = l.Post("/v1/chat/completions", chat.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    check_shape(json::parse(r->body));
    const int retry = std::stoi(r->get_header_value("Retry-After"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 31);
  }
  {  // an embedding model cannot chat: 400, not a crash
    json e = chat;
    e["model"] = "bert";
    check_shape(post(c, "/v1/chat/completions", e, 400));
  }
  // Still serving.
  post(c, "/v1/chat/completions", chat, 200);
}

// Opens a stream on a raw socket, reads the first event, and hangs up.
void hang_up_mid_stream(int port, const std::string& body) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer sk-test\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string got;
  char buf[4096];
  while (got.find("data: ") == std::string::npos) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_NE(got.find("200 OK"), std::string::npos) << got;
  close(fd);
}

TEST(Gateway, ClientHangingUpStopsGenerationAndFreesTheSlot) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_hangup");
  // Random weights never end on their own: 1000 tokens would take many seconds.
  const json body = {{"model", "noise"},
                     {"messages", {{{"role", "user"}, {"content", "Go on forever."}}}},
                     {"max_tokens", 1000},
                     {"stream", true}};
  hang_up_mid_stream(gw.port(), body.dump());
  auto c = gw.client();
  int64_t cancelled = 0;
  for (int i = 0; i < 600 && cancelled < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto m = c.Get("/metrics");
    ASSERT_TRUE(m);
    cancelled = metric(m->body, "triptyque_cancelled_total");
  }
  EXPECT_EQ(cancelled, 1);
  const auto rows = gw.ledger_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "cancelled");
  EXPECT_LT(rows[0].completion_tokens, 1000);
  // A new request is served.
  const json j = post(c, "/v1/chat/completions",
                      {{"model", "noise"},
                       {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                       {"max_tokens", 4}},
                      200);
  EXPECT_EQ(j["usage"]["completion_tokens"], 4);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(metric(m->body, "triptyque_in_flight"), 0);  // nothing left running
}

TEST(Gateway, ConcurrentRequestsShareTheScheduler) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_concurrent");
  std::vector<std::future<json>> results;
  results.reserve(8);
  for (int i = 0; i < 8; ++i)
    results.push_back(std::async(std::launch::async, [&gw, i] {
      auto c = gw.client();
      return post(c, "/v1/completions",
                  {{"model", "story"},
                   {"prompt", "Once upon a time"},
                   {"max_tokens", 12},
                   {"temperature", 0},
                   {"user", std::to_string(i)}},
                  200);
    }));
  std::string first;
  for (auto& f : results) {
    const json j = f.get();
    const std::string text = j["choices"][0]["text"];
    if (first.empty()) first = text;
    EXPECT_EQ(text, first);  // greedy: batching changes nothing
  }
  EXPECT_EQ(gw.ledger_rows().size(), 8u);
}

TEST(Gateway, EmbeddingsFloatAndBase64) {
  TQ_REQUIRE_GATEWAY_MODELS();
  test::RunningGateway gw("gw_embed");
  auto c = gw.client("sk-embed");
  const json gold = json::parse(test::read_file(test::gold_model("bert-mean-q8_0.embd.json")));
  const json sentences =
      json::parse(test::read_file(test::gold_model("bert.tokens.json")))["sentences"];
  const json j = post(c, "/v1/embeddings", {{"model", "bert"}, {"input", sentences}}, 200);
  EXPECT_EQ(j["object"], "list");
  ASSERT_EQ(j["data"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto got = j["data"][i]["embedding"].get<std::vector<float>>();
    const auto want = gold["data"][i]["embedding"].get<std::vector<float>>();
    ASSERT_EQ(got.size(), want.size());
    float worst = 0;
    for (size_t k = 0; k < got.size(); ++k) worst = std::max(worst, std::abs(got[k] - want[k]));
    EXPECT_LT(worst, 2e-3f) << "sentence " << i;  // llama.cpp's vectors
  }
  const json b =
      post(c, "/v1/embeddings",
           {{"model", "bert"}, {"input", sentences[0]}, {"encoding_format", "base64"}}, 200);
  const std::string b64 = b["data"][0]["embedding"];
  EXPECT_EQ(b64.size(), (256u * 4 + 2) / 3 * 4);  // 256 float32, base64 with padding
}

}  // namespace
}  // namespace tq

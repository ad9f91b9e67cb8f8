// tools / tool_choice reach a remote provider unchanged and its tool_calls come back to
// the client in OpenAI's shape, whole or streamed (the upstream streams them in fragments).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "providers/scripted_upstream.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

const json kTools = json::parse(R"([{"type": "function", "function": {"name": "get_order",
  "description": "Look an order up", "parameters": {"type": "object",
  "properties": {"id": {"type": "string"}}, "required": ["id"]}}}])");

void tool_answer(const httplib::Request& req, httplib::Response& res, int) {
  const json body = json::parse(req.body);
  if (!body.value("stream", false)) {
    json j = json::parse(test::completion_json("", 20, 5));
    j["choices"][0]["message"]["content"] = nullptr;
    j["choices"][0]["message"]["tool_calls"] = {
        {{"id", "call_1"},
         {"type", "function"},
         {"function", {{"name", "get_order"}, {"arguments", "{\"id\":\"CMD-42\"}"}}}}};
    j["choices"][0]["finish_reason"] = "tool_calls";
    res.set_content(j.dump(), "application/json");
    return;
  }
  auto fragment = [](const json& call) {
    return "data: " +
           json{{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {call}}}}}}}}.dump() + "\n\n";
  };
  test::stream_events(
      res, {fragment({{"index", 0},
                      {"id", "call_1"},
                      {"type", "function"},
                      {"function", {{"name", "get_order"}, {"arguments", "{\"id\":"}}}}),
            fragment({{"index", 0}, {"function", {{"arguments", "\"CMD-42\"}"}}}}),
            test::finish_event("tool_calls"), test::usage_event(20, 5), "data: [DONE]\n\n"});
}

TEST(ToolCallsOverHttp, RemoteToolCallsPassThrough) {
  test::ScriptedUpstream upstream(tool_answer);
  const auto dir = test::scratch_dir("tool_calls_http");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::RunningGateway gw(
      parse_config("[server]\nport = 0\nthreads = 4\n[ledger]\npath = \"" +
                       (dir / "ledger.sqlite").string() +
                       "\"\n[providers.cloud]\nkind = \"openai\"\nbase_url = \"" +
                       upstream.base_url() + "\"\nmodels = [\"big\"]\nmax_retries = 0\n",
                   "tools test"),
      dir);
  auto c = gw.client("");
  const json choice = {{"type", "function"}, {"function", {{"name", "get_order"}}}};
  json req = {{"model", "big"},
              {"messages", {{{"role", "user"}, {"content", "Where is order CMD-42?"}}}},
              {"tools", kTools},
              {"tool_choice", choice}};
  auto r = c.Post("/v1/chat/completions", req.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_TRUE(j["choices"][0]["message"]["content"].is_null());
  const json& call = j["choices"][0]["message"]["tool_calls"][0];
  EXPECT_EQ(call["function"]["name"], "get_order");
  EXPECT_EQ(call["function"]["arguments"], "{\"id\":\"CMD-42\"}");
  const json sent = json::parse(upstream.bodies().at(0));
  EXPECT_EQ(sent["tools"], kTools);
  EXPECT_EQ(sent["tool_choice"], choice);

  req["stream"] = true;
  auto s = c.Post("/v1/chat/completions", req.dump(), "application/json");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  json streamed_call;
  std::string finish;
  size_t pos = 0;
  while ((pos = s->body.find("data: ", pos)) != std::string::npos) {
    const size_t end = s->body.find("\n\n", pos);
    const json e = json::parse(s->body.substr(pos + 6, end - pos - 6), nullptr, false);
    pos = end;
    if (!e.is_object() || !e.contains("choices") || e["choices"].empty()) continue;
    const json& ch = e["choices"][0];
    if (ch["delta"].contains("tool_calls")) streamed_call = ch["delta"]["tool_calls"][0];
    if (ch["finish_reason"].is_string()) finish = ch["finish_reason"];
  }
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_EQ(streamed_call["index"], 0);
  EXPECT_EQ(streamed_call["function"]["arguments"], "{\"id\":\"CMD-42\"}");
}

}  // namespace
}  // namespace tq

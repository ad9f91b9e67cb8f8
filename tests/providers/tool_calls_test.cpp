// Hermes/Qwen <tool_call> blocks in a local model's answer → OpenAI tool_calls.
#include "providers/tool_calls.h"

#include <gtest/gtest.h>

namespace tq {
namespace {

using nlohmann::json;

TEST(HermesToolCalls, ParsesCallsAndKeepsTheRestOfTheText) {
  const std::string text =
      "Je regarde.\n<tool_call>\n{\"name\": \"get_order\", \"arguments\": {\"id\": \"CMD-42\"}}\n"
      "</tool_call>\n<tool_call>{\"name\": \"ping\"}</tool_call>";
  const ParsedToolCalls p = parse_hermes_tool_calls(text);
  ASSERT_TRUE(p.tool_calls.is_array());
  ASSERT_EQ(p.tool_calls.size(), 2u);
  EXPECT_EQ(p.text, "Je regarde.");
  EXPECT_EQ(p.tool_calls[0]["type"], "function");
  EXPECT_EQ(p.tool_calls[0]["function"]["name"], "get_order");
  // OpenAI sends arguments as a JSON string.
  EXPECT_EQ(json::parse(p.tool_calls[0]["function"]["arguments"].get<std::string>()),
            json({{"id", "CMD-42"}}));
  EXPECT_EQ(p.tool_calls[1]["function"]["arguments"], "{}");
  EXPECT_NE(p.tool_calls[0]["id"], p.tool_calls[1]["id"]);
  EXPECT_EQ(parse_hermes_tool_calls(text).tool_calls, p.tool_calls);  // stable ids
}

TEST(HermesToolCalls, AnUnterminatedLastCallCountsWhenItsJsonIsComplete) {
  const ParsedToolCalls p =
      parse_hermes_tool_calls("<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\":1}\"}");
  ASSERT_EQ(p.tool_calls.size(), 1u);
  EXPECT_EQ(p.tool_calls[0]["function"]["arguments"], "{\"a\":1}");
  EXPECT_EQ(p.text, "");
}

TEST(HermesToolCalls, WhatIsNotACallStaysText) {
  for (const char* t : {"plain answer", "<tool_call>not json</tool_call>",
                        "<tool_call>{\"arguments\": {}}</tool_call>",
                        "<tool_call>{\"name\": 3}</tool_call>", "<tool_call>", "</tool_call>"}) {
    const ParsedToolCalls p = parse_hermes_tool_calls(t);
    EXPECT_TRUE(p.tool_calls.is_null()) << t;
    EXPECT_EQ(p.text, t);
  }
}

TEST(HermesToolCalls, OnlyTemplatesThatRenderToolsTakePart) {
  EXPECT_TRUE(template_supports_tools(
      "{% if tools %}<tools>{{ tools | tojson }}</tools> answer with <tool_call>{% endif %}"));
  EXPECT_FALSE(template_supports_tools("{% for m in messages %}{{ m.content }}{% endfor %}"));
}

}  // namespace
}  // namespace tq

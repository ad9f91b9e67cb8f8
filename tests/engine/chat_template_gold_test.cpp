// Every case of ../shared/gold/templates/cases.json: real models' chat templates rendered by
// the reference Jinja2 (trim_blocks, lstrip_blocks, strftime_now at 2026-11-25 09:30), or
// the error the template raises for that conversation.
#include <gtest/gtest.h>

#include <string>

#include "engine/chat/chat_template.h"
#include "support/gold.h"

namespace tq {
namespace {

using jinja::Value;

std::tm gold_now() {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 25;
  tm.tm_hour = 9;
  tm.tm_min = 30;
  tm.tm_wday = 3;  // a Wednesday
  tm.tm_yday = 328;
  return tm;
}

const Value& field(const Value& obj, const char* key) {
  static const Value missing;
  const Value* v = obj.as_dict().find(key);
  return v ? *v : missing;
}

TEST(ChatTemplateGold, AllCases) {
  const auto dir = test::gold_dir() / "templates";
  TQ_REQUIRE_PATH(dir / "cases.json");
  const Value cases = jinja::parse_json(test::read_file(dir / "cases.json"));
  ASSERT_TRUE(cases.is_list());
  ChatRenderOptions options;
  options.clock = gold_now;
  int passed = 0;
  for (const auto& c : cases.as_list()) {
    const std::string name = field(c, "template").as_string();
    const std::string label = name + " / " + field(c, "conversation").as_string() +
                              (field(c, "add_generation_prompt").as_bool() ? " +gen" : "");
    SCOPED_TRACE(label);
    ChatInputs in;
    in.messages = field(c, "messages");
    in.add_generation_prompt = field(c, "add_generation_prompt").truthy();
    in.bos_token = field(c, "bos_token").as_string();
    in.eos_token = field(c, "eos_token").as_string();
    const Value& expected = field(c, "expected");
    try {
      const ChatTemplate tmpl(test::read_file(dir / name), name);
      const std::string got = tmpl.render(in, options);
      if (!expected.is_string()) {
        ADD_FAILURE() << "expected error '" << field(c, "error").str() << "', got a rendering";
        continue;
      }
      EXPECT_EQ(got, expected.as_string());
      if (got == expected.as_string()) ++passed;
    } catch (const jinja::TemplateError& e) {
      if (expected.is_string()) {
        ADD_FAILURE() << "unexpected error: " << e.what();
        continue;
      }
      EXPECT_EQ(e.message(), field(c, "error").as_string()) << e.what();
      if (e.message() == field(c, "error").as_string()) ++passed;
    }
  }
  std::printf("chat template gold: %d / %zu cases pass\n", passed, cases.as_list().size());
  EXPECT_EQ(static_cast<size_t>(passed), cases.as_list().size());
}

// The built-ins that mirror a gold family render its conversations identically.
TEST(ChatTemplateGold, BuiltinsMatchTheirFamilies) {
  const auto dir = test::gold_dir() / "templates";
  TQ_REQUIRE_PATH(dir / "cases.json");
  const Value cases = jinja::parse_json(test::read_file(dir / "cases.json"));
  int compared = 0;
  for (const auto& c : cases.as_list()) {
    const std::string name = field(c, "template").as_string();
    const Value& expected = field(c, "expected");
    std::string builtin;
    if (name == "microsoft-Phi-3.5-mini-instruct.jinja") builtin = "phi3";
    if (name == "google-gemma-2-2b-it.jinja" && expected.is_string()) builtin = "gemma";
    if (builtin.empty()) continue;
    SCOPED_TRACE(name + " / " + field(c, "conversation").as_string());
    ChatInputs in;
    in.messages = field(c, "messages");
    in.add_generation_prompt = field(c, "add_generation_prompt").truthy();
    in.bos_token = field(c, "bos_token").as_string();
    in.eos_token = field(c, "eos_token").as_string();
    EXPECT_EQ(ChatTemplate::builtin(builtin).render(in), expected.as_string());
    ++compared;
  }
  EXPECT_GT(compared, 6);
}

}  // namespace
}  // namespace tq

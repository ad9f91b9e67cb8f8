// `triptyque template` as a user runs it: a built-in, a template file, a model file's own
// template with its BOS/EOS, --now, --json, and one-line errors with a non-zero exit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/gguf/gguf.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

fs::path write(const std::string& name, const std::string& text) {
  const fs::path p = test::scratch_dir("tq_template_cli") / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

const char* kConversation =
    R"([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Où ?"}])";

TEST(TemplateCli, RendersABuiltin) {
  const auto msgs = write("msgs.json", kConversation);
  const auto r = test::run({test::cli_path(), "template", "--builtin", "chatml", "--messages",
                            msgs.string(), "--add-generation-prompt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nOù ?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(TemplateCli, TemplateFileWithToolsClockAndJson) {
  const auto msgs = write("req.json", std::string(R"({"messages": )") + kConversation +
                                          R"(, "tools": [{"name": "lookup"}]})");
  const auto tmpl = write("t.jinja",
                          "{{ bos_token }}{{ strftime_now('%d %b %Y') }}\n"
                          "{% for t in tools %}[{{ t | tojson }}]{% endfor %}\n"
                          "{% for m in messages %}{{ m.role }}={{ m.content }};{% endfor %}"
                          "{{ eos_token if not add_generation_prompt }}");
  const auto r = test::run({test::cli_path(), "template", "--template-file", tmpl.string(),
                            "--messages", msgs.string(), "--bos", "<s>", "--eos", "</s>", "--now",
                            "2026-11-25T09:30", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["prompt"], "<s>25 Nov 2026\n[{\"name\": \"lookup\"}]system=Be brief.;user=Où ?;</s>");
}

TEST(TemplateCli, TemplateErrorIsOneLineWithTheLine) {
  const auto msgs = write("msgs2.json", kConversation);
  const auto tmpl = write("bad.jinja",
                          "ok\n{% if messages[0].role == 'system' %}"
                          "{{ raise_exception('System role not supported') }}{% endif %}");
  const auto r = test::run({test::cli_path(), "template", "--template-file", tmpl.string(),
                            "--messages", msgs.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("line 2: System role not supported"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  const auto syntax = write("syntax.jinja", "{% for m in messages %}\n{{ m.content }");
  const auto s = test::run({test::cli_path(), "template", "--template-file", syntax.string(),
                            "--messages", msgs.string()});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("line 2"), std::string::npos) << s.err;
}

TEST(TemplateCli, BadArguments) {
  const auto msgs = write("msgs3.json", kConversation);
  auto r =
      test::run({test::cli_path(), "template", "--builtin", "nope", "--messages", msgs.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chatml"), std::string::npos) << r.err;
  r = test::run({test::cli_path(), "template", "--messages", msgs.string()});
  EXPECT_EQ(r.exit_code, 2);
  const auto bad = write("bad.json", "[{\"role\": ");
  r = test::run({test::cli_path(), "template", "--builtin", "chatml", "--messages", bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

TEST(TemplateCli, ModelFileTemplateAndSpecialTokens) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("tokenizer.ggml.tokens",
        GgufValue::of_array(std::vector<std::string>{"<unk>", "<B>", "<E>", "x"}));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::of(uint32_t{1}));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::of(uint32_t{2}));
  w.set("tokenizer.chat_template",
        GgufValue::of(std::string("{{ bos_token }}{% for m in messages %}{{ m.content }}"
                                  "{% endfor %}{{ eos_token }}")));
  const fs::path model = test::scratch_dir("tq_template_cli") / "tmpl.gguf";
  w.write(model.string());
  const auto msgs = write("msgs4.json", kConversation);
  const auto r =
      test::run({test::cli_path(), "template", "-m", model.string(), "--messages", msgs.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<B>Be brief.Où ?<E>");
}

}  // namespace
}  // namespace tq

// The named built-in templates: each renders a system + two-turn conversation as its
// model family expects (expected strings rendered from the same sources by the reference
// Jinja2), and template-less model files get the built-in their special tokens point to.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/chat/chat_template.h"
#include "engine/gguf/gguf.h"
#include "support/gold.h"

namespace tq {
namespace {

ChatInputs conversation() {
  ChatInputs in;
  in.messages = jinja::parse_json(R"([{"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
      {"role": "user", "content": "Où ?"}])");
  in.add_generation_prompt = true;
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  return in;
}

struct BuiltinCase {
  const char* name;
  const char* expected;
};

const BuiltinCase kBuiltins[] = {
    {"chatml",
     "<|im_start|>system\nBe "
     "brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|"
     "im_start|>user\nOù ?<|im_end|>\n<|im_start|>assistant\n"},
    {"llama2",
     "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Où ? [/INST]"},
    {"llama3",
     "<s><|start_header_id|>system<|end_header_id|>\n\nBe "
     "brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>"
     "assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nOù "
     "?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
    {"mistral", "<s>[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] Où ? [/INST]"},
    {"phi3",
     "<|system|>\nBe "
     "brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nOù "
     "?<|end|>\n<|assistant|>\n"},
    {"gemma",
     "<s><start_of_turn>user\nBe "
     "brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>"
     "user\nOù ?<end_of_turn>\n<start_of_turn>model\n"},
    {"zephyr",
     "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n<|user|>\nOù "
     "?</s>\n<|assistant|>\n"},
};

TEST(ChatBuiltin, EachFamilyRendersItsFormat) {
  EXPECT_EQ(ChatTemplate::builtin_names().size(), std::size(kBuiltins));
  for (const auto& c : kBuiltins) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ChatTemplate::builtin(c.name).render(conversation()), c.expected);
  }
}

TEST(ChatBuiltin, AlternationIsChecked) {
  ChatInputs in = conversation();
  in.messages = jinja::parse_json(R"([{"role": "user", "content": "a"},
      {"role": "user", "content": "b"}])");
  for (const char* name : {"llama2", "mistral", "gemma"}) {
    SCOPED_TRACE(name);
    try {
      ChatTemplate::builtin(name).render(in);
      ADD_FAILURE() << "no error";
    } catch (const jinja::TemplateError& e) {
      EXPECT_NE(e.message().find("alternate"), std::string::npos) << e.what();
    }
  }
}

TEST(ChatBuiltin, UnknownNameListsTheKnownOnes) {
  try {
    ChatTemplate::builtin("vicuna");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("chatml, llama2"), std::string::npos) << e.what();
  }
}

std::string model_with_tokens(const std::string& name, std::vector<std::string> tokens,
                              const std::string& chat_template = "") {
  GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("tokenizer.ggml.model", GgufValue::of(std::string("llama")));
  w.set("tokenizer.ggml.tokens", GgufValue::of_array(std::move(tokens)));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::of(uint32_t{1}));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::of(uint32_t{2}));
  if (!chat_template.empty()) w.set("tokenizer.chat_template", GgufValue::of(chat_template));
  const auto path = (test::scratch_dir("tq_chat_builtin") / name).string();
  w.write(path);
  return path;
}

TEST(ChatBuiltin, ModelFilesWithoutATemplateGetTheirFamily) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"<unk>", "<s>", "</s>", "<|start_header_id|>", "<|eot_id|>"}, "built-in llama3"},
      {{"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"}, "built-in chatml"},
      {{"<unk>", "<bos>", "<eos>", "<start_of_turn>"}, "built-in gemma"},
      {{"<unk>", "<s>", "</s>", "<|user|>", "<|end|>"}, "built-in phi3"},
      {{"<unk>", "<s>", "</s>", "[INST]", "[/INST]"}, "built-in mistral"},
      {{"<unk>", "<s>", "</s>", "a", "b"}, "built-in llama2"},
  };
  int i = 0;
  for (const auto& [tokens, expected] : cases) {
    const auto f = GgufFile::open(model_with_tokens("m" + std::to_string(i++) + ".gguf", tokens));
    EXPECT_EQ(ChatTemplate::from_model(*f).name(), expected);
  }
  const auto f = GgufFile::open(model_with_tokens("own.gguf", {"<unk>", "<B>", "<E>"},
                                                  "{{ bos_token }}{{ messages | length }}"));
  const auto tmpl = ChatTemplate::from_model(*f);
  const auto special = model_special_tokens(*f);
  EXPECT_EQ(special.bos, "<B>");
  EXPECT_EQ(special.eos, "<E>");
  ChatInputs in = conversation();
  in.bos_token = special.bos;
  EXPECT_EQ(tmpl.render(in), "<B>4");
}

TEST(ChatBuiltin, BrokenModelTemplateNamesTheFile) {
  const auto path = model_with_tokens("broken.gguf", {"<unk>", "<s>", "</s>"}, "{% if %}");
  try {
    ChatTemplate::from_model(*GgufFile::open(path));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer.chat_template"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tq

#include "engine/chat/chat_template.h"

#include "engine/chat/parser.h"
#include "engine/gguf/gguf.h"

namespace tq {

ChatTemplate::ChatTemplate(std::string source, std::string name)
    : source_(std::move(source)), name_(std::move(name)) {
  program_ = std::make_shared<const jinja::Program>(jinja::parse_template(source_));
}

ChatTemplate ChatTemplate::builtin(std::string_view name) {
  if (const char* src = builtin_template_source(name))
    return ChatTemplate(src, "built-in " + std::string(name));
  std::string known;
  for (const auto& n : builtin_names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("no built-in chat template named '" + std::string(name) + "' (known: " + known +
                   ")");
}

namespace {

// Which built-in a template-less file wants, judged by the special tokens its vocabulary
// defines (each family's turn markers are distinctive).
std::string_view guess_builtin(const GgufFile& file) {
  const auto* tokens = file.get_string_array("tokenizer.ggml.tokens");
  if (!tokens) return "chatml";
  bool has_inst = false;
  for (const auto& t : *tokens) {
    if (t == "<|start_header_id|>") return "llama3";
    if (t == "<|im_start|>") return "chatml";
    if (t == "<start_of_turn>") return "gemma";
    if (t == "<|end|>") return "phi3";
    if (t == "[INST]") has_inst = true;
  }
  if (has_inst) return "mistral";
  // A plain SentencePiece Llama vocabulary: Llama 2's [INST] format.
  const auto arch = file.get_string("general.architecture");
  const auto kind = file.get_string("tokenizer.ggml.model");
  if (arch && *arch == "llama" && kind && *kind == "llama") return "llama2";
  return "chatml";
}

}  // namespace

ChatTemplate ChatTemplate::from_model(const GgufFile& file) {
  if (auto src = file.get_string("tokenizer.chat_template")) {
    try {
      return ChatTemplate(*src, file.path() + ": tokenizer.chat_template");
    } catch (...) {
      rethrow_with_context(file.path() + ": tokenizer.chat_template");
    }
  }
  return builtin(guess_builtin(file));
}

SpecialTokenTexts model_special_tokens(const GgufFile& file) {
  SpecialTokenTexts out;
  const auto* tokens = file.get_string_array("tokenizer.ggml.tokens");
  if (!tokens) return out;
  auto text = [&](const char* key) -> std::string {
    const auto id = file.get_uint(key);
    return id && *id < tokens->size() ? (*tokens)[*id] : std::string();
  };
  out.bos = text("tokenizer.ggml.bos_token_id");
  out.eos = text("tokenizer.ggml.eos_token_id");
  return out;
}

std::string ChatTemplate::render(const ChatInputs& inputs, const ChatRenderOptions& options) const {
  jinja::ValueDict vars;
  vars.set("messages", inputs.messages);
  if (!inputs.tools.is_undefined()) vars.set("tools", inputs.tools);
  vars.set("add_generation_prompt", jinja::Value(inputs.add_generation_prompt));
  vars.set("bos_token", jinja::Value(inputs.bos_token));
  vars.set("eos_token", jinja::Value(inputs.eos_token));
  for (const auto& [k, v] : inputs.extra.items()) vars.set(k, v);
  const auto globals =
      jinja::make_globals(options.clock ? options.clock : jinja::system_clock_local());
  jinja::Interpreter interp(*program_, options.limits);
  return interp.render(globals, vars);
}

}  // namespace tq

// Chat templates: turning a conversation into the exact prompt text a model was trained on.
// A model file carries its template as Jinja2 source (`tokenizer.chat_template`); files
// without one get a named built-in (chatml, llama2, llama3, mistral, phi3, gemma, zephyr).
// Rendering follows Hugging Face's apply_chat_template: the template sees `messages`,
// `add_generation_prompt`, `bos_token`, `eos_token`, `tools` when the request has tools,
// any extra variables, and the functions raise_exception() and strftime_now().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/json.h"
#include "engine/chat/template_error.h"
#include "engine/chat/value.h"

namespace tq {

class GgufFile;

struct ChatInputs {
  jinja::Value messages = jinja::Value(jinja::ValueList{});  // list of {role, content, …}
  jinja::Value tools;  // Undefined (the default) when the request has none
  bool add_generation_prompt = true;
  std::string bos_token;
  std::string eos_token;
  jinja::ValueDict extra;  // further variables (date_string, documents, …)
};

struct ChatRenderOptions {
  jinja::RenderLimits limits;
  jinja::Clock clock;  // strftime_now's clock; empty: local time now
};

class ChatTemplate {
 public:
  // Parses `source`; throws jinja::TemplateError (an InputError) on a syntax error.
  // `name` says where the source came from, for messages.
  ChatTemplate(std::string source, std::string name);

  // The file's own template, else the built-in that its vocabulary's special tokens
  // point to (chatml when nothing matches).
  static ChatTemplate from_model(const GgufFile& file);
  // InputError naming the known built-ins when `name` is not one of them.
  static ChatTemplate builtin(std::string_view name);
  static std::vector<std::string> builtin_names();

  // Renders; throws jinja::TemplateError (with the template line) when the template fails
  // or raises, e.g. "System role not supported".
  std::string render(const ChatInputs& inputs, const ChatRenderOptions& options = {}) const;

  const std::string& source() const { return source_; }
  const std::string& name() const { return name_; }

 private:
  std::string source_;
  std::string name_;
  std::shared_ptr<const jinja::Program> program_;
};

// The BOS and EOS token texts of a model file ("" when it declares none).
struct SpecialTokenTexts {
  std::string bos;
  std::string eos;
};
SpecialTokenTexts model_special_tokens(const GgufFile& file);

// Source of a named built-in, or nullptr.
const char* builtin_template_source(std::string_view name);

}  // namespace tq

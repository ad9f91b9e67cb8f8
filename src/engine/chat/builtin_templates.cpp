// Built-in templates for model files without `tokenizer.chat_template`, written as Jinja2
// so they run through the same interpreter as the files' own. Each follows the format its
// model family documents; families without a system role fold the system message into the
// first user turn rather than dropping it.
#include <string_view>

#include "engine/chat/chat_template.h"

namespace tq {
namespace {

struct Builtin {
  const char* name;
  const char* source;
};

// <|im_start|>role\ncontent<|im_end|>\n (Qwen, Hermes, SmolLM, many fine-tunes).
constexpr const char* kChatml = R"({%- for message in messages %}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|im_start|>assistant\n' }}
{%- endif %})";

// [INST] … [/INST] with the system prompt in <<SYS>> inside the first instruction.
constexpr const char* kLlama2 = R"({%- if messages and messages[0]['role'] == 'system' %}
{%- set system_message = messages[0]['content'] %}
{%- set loop_messages = messages[1:] %}
{%- else %}
{%- set loop_messages = messages %}
{%- endif %}
{%- for message in loop_messages %}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
{%- endif %}
{%- if message['role'] == 'user' %}
{%- if loop.first and system_message is defined %}
{{- bos_token + '[INST] <<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] | trim + ' [/INST]' }}
{%- else %}
{{- bos_token + '[INST] ' + message['content'] | trim + ' [/INST]' }}
{%- endif %}
{%- else %}
{{- ' ' + message['content'] | trim + ' ' + eos_token }}
{%- endif %}
{%- endfor %})";

// Llama 3 header blocks.
constexpr const char* kLlama3 = R"({{- bos_token }}
{%- for message in messages %}
{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %})";

// Mistral Instruct: [INST] user [/INST] answer</s>; no system role.
constexpr const char* kMistral = R"({%- if messages and messages[0]['role'] == 'system' %}
{%- set system_message = messages[0]['content'] %}
{%- set loop_messages = messages[1:] %}
{%- else %}
{%- set loop_messages = messages %}
{%- endif %}
{{- bos_token }}
{%- for message in loop_messages %}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
{%- endif %}
{%- if message['role'] == 'user' %}
{%- if loop.first and system_message is defined %}
{{- '[INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}
{%- else %}
{{- '[INST] ' + message['content'] + ' [/INST]' }}
{%- endif %}
{%- else %}
{{- message['content'] + eos_token }}
{%- endif %}
{%- endfor %})";

// Phi-3: <|role|>\ncontent<|end|>\n, EOS closing a prompt without a generation turn.
constexpr const char* kPhi3 = R"({%- for message in messages %}
{%- if message['role'] == 'system' and message['content'] %}
{{- '<|system|>\n' + message['content'] + '<|end|>\n' }}
{%- elif message['role'] == 'user' %}
{{- '<|user|>\n' + message['content'] + '<|end|>\n' }}
{%- elif message['role'] == 'assistant' %}
{{- '<|assistant|>\n' + message['content'] + '<|end|>\n' }}
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|assistant|>\n' }}
{%- else %}
{{- eos_token }}
{%- endif %})";

// Gemma: <start_of_turn>user|model; the system message joins the first user turn.
constexpr const char* kGemma = R"({{- bos_token }}
{%- if messages and messages[0]['role'] == 'system' %}
{%- set system_message = messages[0]['content'] | trim %}
{%- set loop_messages = messages[1:] %}
{%- else %}
{%- set loop_messages = messages %}
{%- endif %}
{%- for message in loop_messages %}
{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
{{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
{%- endif %}
{%- set role = 'model' if message['role'] == 'assistant' else message['role'] %}
{%- set content = message['content'] | trim %}
{%- if loop.first and system_message is defined %}
{%- set content = system_message + '\n\n' + content %}
{%- endif %}
{{- '<start_of_turn>' + role + '\n' + content + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<start_of_turn>model\n' }}
{%- endif %})";

// Zephyr: <|role|>\ncontent</s>\n.
constexpr const char* kZephyr = R"({%- for message in messages %}
{{- '<|' + message['role'] + '|>\n' + message['content'] + eos_token + '\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|assistant|>\n' }}
{%- endif %})";

constexpr Builtin kBuiltins[] = {
    {"chatml", kChatml}, {"llama2", kLlama2}, {"llama3", kLlama3}, {"mistral", kMistral},
    {"phi3", kPhi3},     {"gemma", kGemma},   {"zephyr", kZephyr},
};

}  // namespace

const char* builtin_template_source(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return b.source;
  return nullptr;
}

std::vector<std::string> ChatTemplate::builtin_names() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) out.emplace_back(b.name);
  return out;
}

}  // namespace tq

// triptyque chat: an interactive conversation with a local model in its own chat format.
// Each line read is a user turn; the whole conversation is rendered with the model's chat
// template (or a named built-in) and generated through the Scheduler, whose prefix reuse
// means earlier turns are not recomputed. /reset forgets the history, /exit (or end of
// input) quits. Works on a pipe too, one turn per line, with --json for scripts.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "core/error.h"
#include "engine/chat/chat_template.h"
#include "engine/generation/scheduler.h"
#include "engine/gguf/gguf.h"

namespace tq::cli {
namespace {

struct ChatOptions {
  ModelOptions model;
  GenerationParams gen;
  std::string system;
  std::string builtin;  // --template NAME instead of the file's own
  bool json = false;
};

jinja::Value message(const std::string& role, const std::string& content) {
  jinja::ValueDict m;
  m.set("role", jinja::Value(role));
  m.set("content", jinja::Value(content));
  return jinja::Value(std::move(m));
}

int run_chat(ChatOptions& o) {
  LoadedModel lm = load_model(o.model);
  const GgufFile& file = lm.model->file();
  const ChatTemplate tmpl =
      o.builtin.empty() ? ChatTemplate::from_model(file) : ChatTemplate::builtin(o.builtin);
  const SpecialTokenTexts special = model_special_tokens(file);
  const Vocab& vocab = lm.model->vocab();
  Scheduler sched(lm.model, *lm.pool, SchedulerOptions{.n_slots = 1, .n_ctx = lm.n_ctx});
  const bool tty = isatty(STDIN_FILENO) != 0 && !o.json;
  if (tty)
    std::fprintf(stderr, "chat with %s (template: %s). /reset forgets, /exit quits.\n",
                 o.model.path.c_str(), tmpl.name().c_str());

  jinja::ValueList history;
  auto reset = [&] {
    history.clear();
    if (!o.system.empty()) history.push_back(message("system", o.system));
  };
  reset();
  std::string line;
  for (;;) {
    if (tty) std::fputs("> ", stderr);
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      reset();
      if (tty) std::fputs("(history cleared)\n", stderr);
      continue;
    }
    if (line.empty()) continue;
    history.push_back(message("user", line));
    ChatInputs in;
    in.messages = jinja::Value(history);
    in.add_generation_prompt = true;
    in.bos_token = special.bos;
    in.eos_token = special.eos;
    const std::string prompt_text = tmpl.render(in);
    // The template writes BOS itself when the model wants one; add it only when it did not.
    const bool has_bos = !special.bos.empty() && prompt_text.rfind(special.bos, 0) == 0;
    std::vector<TokenId> prompt = vocab.tokenize(prompt_text, false, true);
    if (!has_bos && vocab.add_bos() && vocab.bos() >= 0) prompt.insert(prompt.begin(), vocab.bos());

    TextSink sink = nullptr;
    if (!o.json)
      sink = [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return true;
      };
    const GenerationResult r = sched.submit(prompt, o.gen, sink)->wait();
    history.push_back(message("assistant", r.text));
    if (o.json) {
      nlohmann::json j;
      j["user"] = line;
      j["assistant"] = r.text;
      j["prompt_tokens"] = r.prompt_tokens.size();
      j["reused_prompt_tokens"] = r.reused_prompt_tokens;
      j["generated_tokens"] = r.generated.size();
      j["finish_reason"] = finish_reason_name(r.finish);
      j["time_to_first_token_s"] = r.prompt_seconds;
      j["decode_tok_s"] = r.decode_tok_s();
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      std::fflush(stdout);
    } else {
      std::printf("\n");
      std::fflush(stdout);
      std::fprintf(stderr,
                   "[%zu prompt tokens, %d reused, first token %.2f s | %zu generated, "
                   "%.1f tok/s | %s]\n",
                   r.prompt_tokens.size(), r.reused_prompt_tokens, r.prompt_seconds,
                   r.generated.size(), r.decode_tok_s(),
                   std::string(finish_reason_name(r.finish)).c_str());
    }
  }
  return kExitOk;
}

}  // namespace

Action register_chat(CLI::App& app) {
  auto o = std::make_shared<ChatOptions>();
  CLI::App* cmd = app.add_subcommand(
      "chat", "Chat with a local GGUF model in its own chat format (one line per turn)");
  add_model_options(cmd, o->model);
  add_sampling_options(cmd, o->gen);
  o->gen.max_tokens = 512;
  cmd->add_option("--system", o->system, "System message at the start of the conversation");
  cmd->add_option("--template", o->builtin,
                  "Use this built-in template instead of the file's (chatml, llama2, llama3, "
                  "mistral, phi3, gemma, zephyr)");
  cmd->add_flag("--json", o->json,
                "One JSON object per turn: user, assistant, prompt/reused/generated tokens, "
                "finish_reason, time_to_first_token_s, decode_tok_s");
  return [o] { return run_chat(*o); };
}

}  // namespace tq::cli

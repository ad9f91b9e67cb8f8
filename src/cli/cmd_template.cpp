// triptyque template (-m FILE | --template-file F | --builtin NAME) --messages F.json …:
// renders a conversation through a chat template and prints the prompt text, so users can
// see exactly what a model will be fed. A failing template prints one line naming the
// template and line, and exits non-zero.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "engine/chat/chat_template.h"
#include "engine/gguf/gguf.h"

namespace tq::cli {
namespace {

struct TemplateOptions {
  std::string model;
  std::string template_file;
  std::string builtin;
  std::string messages;
  std::string tools;
  std::string vars;
  bool add_generation_prompt = false;
  std::string bos;
  std::string eos;
  std::string now;
  bool json = false;
};

std::string read_text(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(path + ": cannot open");
  std::string out;
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw InputError(path + ": read error");
  return out;
}

jinja::Value read_json(const std::string& path) {
  try {
    return jinja::parse_json(read_text(path));
  } catch (...) {
    rethrow_with_context(path);
  }
}

// "2026-11-25T09:30" or "2026-11-25 09:30:15": the moment strftime_now() reports.
std::tm parse_now(const std::string& s) {
  std::tm tm{};
  int year = 0;
  int mon = 0;
  int day = 0;
  int hour = 0;
  int min = 0;
  int sec = 0;
  char sep = 0;
  const int n =
      std::sscanf(s.c_str(), "%d-%d-%d%c%d:%d:%d", &year, &mon, &day, &sep, &hour, &min, &sec);
  if (n < 6 || (sep != 'T' && sep != ' ') || mon < 1 || mon > 12 || day < 1 || day > 31 ||
      hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
    throw InputError("--now: expected YYYY-MM-DDTHH:MM[:SS], got '" + s + "'");
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  // timegm fills in the weekday and day of year (%a, %j) without a time-zone shift.
  std::tm norm = tm;
  if (timegm(&norm) == static_cast<std::time_t>(-1))
    throw InputError("--now: not a valid time: '" + s + "'");
  return norm;
}

int run_template(const TemplateOptions& o) {
  const int sources = !o.model.empty() + !o.template_file.empty() + !o.builtin.empty();
  if (sources != 1) throw InputError("give exactly one of -m, --template-file, --builtin");

  ChatInputs in;
  std::optional<ChatTemplate> tmpl;
  if (!o.model.empty()) {
    const auto file = GgufFile::open(o.model);
    tmpl.emplace(ChatTemplate::from_model(*file));
    const auto special = model_special_tokens(*file);
    in.bos_token = special.bos;
    in.eos_token = special.eos;
  } else if (!o.template_file.empty()) {
    tmpl.emplace(read_text(o.template_file), o.template_file);
  } else {
    tmpl.emplace(ChatTemplate::builtin(o.builtin));
  }
  if (!o.bos.empty()) in.bos_token = o.bos;
  if (!o.eos.empty()) in.eos_token = o.eos;
  in.add_generation_prompt = o.add_generation_prompt;

  // Either a list of messages or a request body {"messages": […], "tools": […]}.
  const jinja::Value doc = read_json(o.messages);
  if (doc.is_dict()) {
    const jinja::Value* m = doc.as_dict().find("messages");
    if (!m || !m->is_list()) throw InputError(o.messages + ": no \"messages\" list");
    in.messages = *m;
    if (const jinja::Value* t = doc.as_dict().find("tools")) in.tools = *t;
  } else if (doc.is_list()) {
    in.messages = doc;
  } else {
    throw InputError(o.messages + ": expected a list of messages or {\"messages\": […]}");
  }
  if (!o.tools.empty()) in.tools = read_json(o.tools);
  if (!o.vars.empty()) {
    const jinja::Value vars = read_json(o.vars);
    if (!vars.is_dict()) throw InputError(o.vars + ": expected a JSON object");
    in.extra = vars.as_dict();
  }

  ChatRenderOptions ro;
  if (!o.now.empty()) {
    const std::tm now = parse_now(o.now);
    ro.clock = [now] { return now; };
  }
  std::string out;
  try {
    out = tmpl->render(in, ro);
  } catch (const jinja::TemplateError& e) {
    throw InputError("template " + tmpl->name() + ", " + e.what());
  }
  if (o.json) {
    const nlohmann::ordered_json j = {{"template", tmpl->name()}, {"prompt", out}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return kExitOk;
}

}  // namespace

Action register_template(CLI::App& app) {
  auto o = std::make_shared<TemplateOptions>();
  CLI::App* cmd =
      app.add_subcommand("template", "Render a conversation through a model's chat template");
  cmd->add_option("-m,--model", o->model, "GGUF file (its tokenizer.chat_template, BOS and EOS)");
  cmd->add_option("--template-file", o->template_file, "Jinja2 chat template file");
  cmd->add_option("--builtin", o->builtin,
                  "Built-in template: chatml, llama2, llama3, mistral, phi3, gemma, zephyr");
  cmd->add_option("--messages", o->messages,
                  "JSON file: a list of {role, content} messages, or {\"messages\", \"tools\"}")
      ->required();
  cmd->add_option("--tools", o->tools, "JSON file with the tools list passed as `tools`");
  cmd->add_option("--vars", o->vars, "JSON object file: extra template variables");
  cmd->add_flag("--add-generation-prompt", o->add_generation_prompt,
                "End with the header that opens the assistant's turn");
  cmd->add_option("--bos", o->bos, "bos_token text (default: the model's, else empty)");
  cmd->add_option("--eos", o->eos, "eos_token text (default: the model's, else empty)");
  cmd->add_option("--now", o->now, "Fix strftime_now()'s clock, e.g. 2026-11-25T09:30");
  cmd->add_flag("--json", o->json, "Print {\"template\", \"prompt\"} as JSON");
  return [o] { return run_template(*o); };
}

}  // namespace tq::cli

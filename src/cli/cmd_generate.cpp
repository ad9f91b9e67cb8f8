// triptyque generate: complete a prompt with the local engine, streaming text as it comes.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "core/error.h"
#include "engine/generation/generator.h"
#include "engine/grammar/grammar_constraint.h"
#include "engine/grammar/json_schema.h"

namespace tq::cli {
namespace {

struct GenerateOptions {
  ModelOptions model;
  std::string prompt;
  GenerationParams gen;
  bool json = false;
  std::string grammar_file;  // GBNF
  std::string schema_file;   // JSON Schema
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The --grammar / --json-schema constraint, or none.
std::shared_ptr<TokenConstraint> load_constraint(const GenerateOptions& o, const Vocab& vocab) {
  if (!o.schema_file.empty()) {
    try {
      return make_grammar_constraint(json_schema_to_gbnf(read_text(o.schema_file)), vocab);
    } catch (const Error&) {
      rethrow_with_context(o.schema_file);
    }
  }
  if (!o.grammar_file.empty()) {
    try {
      return make_grammar_constraint(read_text(o.grammar_file), vocab);
    } catch (const Error&) {
      rethrow_with_context(o.grammar_file);
    }
  }
  return nullptr;
}

int run_generate(GenerateOptions& o) {
  LoadedModel lm = load_model(o.model);
  const std::vector<TokenId> prompt = tokenize_prompt(lm, o.prompt, o.model);
  Generator gen(lm.model, *lm.pool, lm.n_ctx);
  o.gen.constraint = load_constraint(o, lm.model->vocab());
  TextSink sink = nullptr;
  if (!o.json) {
    std::fputs(o.prompt.c_str(), stdout);
    std::fflush(stdout);
    sink = [](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      return true;
    };
  }
  GenerationResult r = gen.generate(prompt, o.gen, sink);
  if (o.json) {
    nlohmann::json j;
    j["tokens"] = r.prompt_tokens;
    j["generated"] = r.generated;
    j["text"] = r.text;
    j["finish_reason"] = finish_reason_name(r.finish);
    j["prompt_tok_s"] = r.prompt_tok_s();
    j["decode_tok_s"] = r.decode_tok_s();
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::printf("\n");
    std::fprintf(stderr, "\n[%zu prompt tokens: %.1f tok/s | %zu generated: %.1f tok/s | %s]\n",
                 r.prompt_tokens.size(), r.prompt_tok_s(), r.generated.size(), r.decode_tok_s(),
                 std::string(finish_reason_name(r.finish)).c_str());
  }
  return kExitOk;
}

}  // namespace

Action register_generate(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand("generate", "Complete a prompt with a local GGUF model");
  add_model_options(cmd, o->model);
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  add_sampling_options(cmd, o->gen);
  cmd->add_option("--stop", o->gen.stop, "Stop string (repeatable)");
  auto* grammar = cmd->add_option("--grammar", o->grammar_file,
                                  "Constrain the output to a GBNF grammar (file; start rule: root)")
                      ->check(CLI::ExistingFile);
  cmd->add_option("--json-schema", o->schema_file,
                  "Constrain the output to JSON valid against a JSON Schema (file)")
      ->check(CLI::ExistingFile)
      ->excludes(grammar);
  cmd->add_flag("--ignore-eos", o->gen.ignore_eos, "Keep generating past end-of-text tokens");
  cmd->add_flag("--json", o->json,
                "Print {\"tokens\", \"generated\", \"text\", \"prompt_tok_s\", \"decode_tok_s\"}");
  return [o] { return run_generate(*o); };
}

}  // namespace tq::cli

// triptyque tokenize: the token ids llama.cpp would feed the model for a text. Only the
// vocabulary is read from the GGUF file (no weights are touched).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "engine/gguf/gguf.h"
#include "engine/tokenizer/vocab.h"

namespace tq::cli {
namespace {

struct TokenizeOptions {
  std::string model;
  std::string text;
  bool no_bos = false;
  bool no_parse_special = false;
  bool json = false;
};

int run_tokenize(const TokenizeOptions& o) {
  const auto file = GgufFile::open(o.model);
  const auto vocab = Vocab::from_gguf(*file);
  const auto ids = vocab->tokenize(o.text, !o.no_bos, !o.no_parse_special);
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"tokens", ids}}.dump().c_str());
    return kExitOk;
  }
  for (TokenId id : ids)
    std::printf("%d\t%s\n", id, quote_piece(vocab->token_to_piece(id, true)).c_str());
  return kExitOk;
}

}  // namespace

Action register_tokenize(CLI::App& app) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd =
      app.add_subcommand("tokenize", "Print the token ids of a text (as llama.cpp tokenizes it)");
  cmd->add_option("-m,--model", o->model, "GGUF file whose vocabulary to use")->required();
  cmd->add_flag("--no-bos", o->no_bos, "Do not add BOS/EOS even if the vocabulary asks for it");
  cmd->add_flag("--no-parse-special", o->no_parse_special,
                "Treat special-token texts as plain text");
  cmd->add_flag("--json", o->json, "Print {\"tokens\": [ids...]}");
  cmd->add_option("text", o->text, "Text to tokenize")->required();
  return [o] { return run_tokenize(*o); };
}

}  // namespace tq::cli

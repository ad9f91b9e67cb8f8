// triptyque embed: sentence embeddings (pooled final hidden state, L2-normalised), from
// decoder models or dedicated embedding models (bert). The pooling defaults to the one the
// file names ({arch}.pooling_type), else mean.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "engine/generation/embedder.h"

namespace tq::cli {
namespace {

struct EmbedOptions {
  ModelOptions model;
  std::string pooling;  // empty: the file's pooling_type, else mean
  std::vector<std::string> texts;
  bool json = false;
};

int run_embed(const EmbedOptions& o) {
  LoadedModel lm = load_model(o.model);
  const Pooling pooling =
      o.pooling.empty() ? default_pooling(*lm.model) : pooling_from_name(o.pooling);
  nlohmann::json j;
  j["embeddings"] = nlohmann::json::array();
  for (const std::string& text : o.texts) {
    const auto tokens = tokenize_prompt(lm, text, o.model);
    const auto v = embed_tokens(*lm.model, *lm.pool, tokens, pooling);
    if (o.json) {
      j["embeddings"].push_back(v);
    } else {
      std::printf("%zu tokens, %zu dims:", tokens.size(), v.size());
      for (size_t i = 0; i < std::min<size_t>(v.size(), 8); ++i) std::printf(" %.5f", v[i]);
      std::printf("%s\n", v.size() > 8 ? " …" : "");
    }
  }
  if (o.json) std::printf("%s\n", j.dump().c_str());
  return kExitOk;
}

}  // namespace

Action register_embed(CLI::App& app) {
  auto o = std::make_shared<EmbedOptions>();
  CLI::App* cmd = app.add_subcommand("embed", "Embed texts (pooled, L2-normalised hidden states)");
  add_model_options(cmd, o->model);
  cmd->add_option("--pooling", o->pooling,
                  "mean, last or cls (default: the model file's pooling_type, else mean)")
      ->check(CLI::IsMember({"mean", "last", "cls"}));
  cmd->add_flag("--json", o->json, "Print {\"embeddings\": [[...], ...]}");
  cmd->add_option("texts", o->texts, "Texts to embed")->required();
  return [o] { return run_embed(*o); };
}

}  // namespace tq::cli

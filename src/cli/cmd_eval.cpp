// triptyque eval: run a prompt through the model and print, for every prompt position,
// the highest logits — the machine-readable form used to compare with llama.cpp.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "engine/model/model.h"
#include "engine/tokenizer/vocab.h"

namespace tq::cli {
namespace {

struct EvalOptions {
  ModelOptions model;
  std::string prompt;
  int top = 10;
  bool json = false;
};

std::vector<std::pair<int32_t, float>> top_logits(const float* logits, int64_t n_vocab, int k) {
  std::vector<int32_t> ids(static_cast<size_t>(n_vocab));
  std::iota(ids.begin(), ids.end(), 0);
  const auto kk = std::min<int64_t>(k, n_vocab);
  std::partial_sort(ids.begin(), ids.begin() + kk, ids.end(), [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  std::vector<std::pair<int32_t, float>> out;
  for (int64_t i = 0; i < kk; ++i)
    out.emplace_back(ids[static_cast<size_t>(i)], logits[ids[static_cast<size_t>(i)]]);
  return out;
}

int run_eval(const EvalOptions& o) {
  LoadedModel lm = load_model(o.model);
  const std::vector<TokenId> tokens = tokenize_prompt(lm, o.prompt, o.model);
  ForwardOutput out = evaluate_all(lm, tokens);

  nlohmann::json j;
  j["tokens"] = tokens;
  j["top"] = nlohmann::json::array();
  for (size_t r = 0; r < out.batch_index.size(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (auto [id, logit] : top_logits(out.logits_row(r), out.n_vocab, o.top))
      row.push_back({id, logit});
    j["top"].push_back(row);
  }
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  const Vocab& vocab = lm.model->vocab();
  for (size_t r = 0; r < out.batch_index.size(); ++r) {
    const TokenId tok = tokens[r];
    std::printf("%4zu %6d %-16s →", r, tok, quote_piece(vocab.token_to_piece(tok, true)).c_str());
    for (auto [id, logit] : top_logits(out.logits_row(r), out.n_vocab, std::min(o.top, 5)))
      std::printf("  %s %.3f", quote_piece(vocab.token_to_piece(id, true)).c_str(), logit);
    std::printf("\n");
  }
  return kExitOk;
}

}  // namespace

Action register_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd =
      app.add_subcommand("eval", "Run a prompt and print the top logits at every position");
  add_model_options(cmd, o->model);
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  cmd->add_option("--top", o->top, "How many logits to print per position")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", o->json, "Print {\"tokens\": [...], \"top\": [[[id, logit]...]...]}");
  return [o] { return run_eval(*o); };
}

}  // namespace tq::cli

// Options and steps shared by the subcommands that load a model (eval, generate, embed).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "engine/generation/generator.h"
#include "engine/model/model.h"
#include "engine/tokenizer/vocab.h"

namespace tq::cli {

struct ModelOptions {
  std::string path;
  int threads = 0;  // 0: physical cores
  int ctx = 0;      // 0: the model's training context, capped at 4096
  bool no_bos = false;
  bool no_parse_special = false;
};

void add_model_options(CLI::App* cmd, ModelOptions& o);
// -n, --temp, --top-k, --top-p, --min-p, the penalties and --seed (generate, chat).
void add_sampling_options(CLI::App* cmd, GenerationParams& g);

struct LoadedModel {
  std::shared_ptr<Model> model;
  std::unique_ptr<ThreadPool> pool;
  int32_t n_ctx = 0;
};

LoadedModel load_model(const ModelOptions& o);
// Tokenizes with the vocabulary's BOS/EOS flags (unless --no-bos) and special tokens
// parsed (unless --no-parse-special); InputError when longer than the context.
std::vector<TokenId> tokenize_prompt(const LoadedModel& lm, const std::string& text,
                                     const ModelOptions& o);
// One forward pass over the tokens with every position's logits.
ForwardOutput evaluate_all(LoadedModel& lm, const std::vector<TokenId>& tokens);
// A token piece made printable: control characters escaped, wrapped in quotes.
std::string quote_piece(const std::string& piece);

}  // namespace tq::cli

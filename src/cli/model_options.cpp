#include "cli/model_options.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"

namespace tq::cli {

void add_model_options(CLI::App* cmd, ModelOptions& o) {
  cmd->add_option("-m,--model", o.path, "GGUF model file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-t,--threads", o.threads, "Worker threads (default: physical cores)")
      ->check(CLI::Range(0, 512));
  cmd->add_option("-c,--ctx", o.ctx, "Context length (default: the model's, at most 4096)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_flag("--no-bos", o.no_bos, "Do not add BOS/EOS even if the vocabulary asks for it");
  cmd->add_flag("--no-parse-special", o.no_parse_special,
                "Treat special-token texts in the prompt as plain text");
}

void add_sampling_options(CLI::App* cmd, GenerationParams& g) {
  SamplingParams& s = g.sampling;
  cmd->add_option("-n,--max-tokens", g.max_tokens, "Tokens to generate at most")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--temp", s.temperature, "Temperature (0: greedy)")->capture_default_str();
  cmd->add_option("--top-k", s.top_k, "Keep the k most likely tokens (0: off)")
      ->capture_default_str();
  cmd->add_option("--top-p", s.top_p, "Nucleus sampling threshold (1: off)")->capture_default_str();
  cmd->add_option("--min-p", s.min_p, "Drop tokens below min-p × the best one's probability")
      ->capture_default_str();
  cmd->add_option("--repeat-penalty", s.repeat_penalty, "Repetition penalty (1: off)")
      ->capture_default_str();
  cmd->add_option("--frequency-penalty", s.frequency_penalty, "Frequency penalty")
      ->capture_default_str();
  cmd->add_option("--presence-penalty", s.presence_penalty, "Presence penalty")
      ->capture_default_str();
  cmd->add_option("--repeat-last-n", s.penalty_last_n, "Tokens the penalties look back over")
      ->capture_default_str();
  cmd->add_option("--seed", s.seed, "Random seed (same seed, same output)");
}

LoadedModel load_model(const ModelOptions& o) {
  LoadedModel lm;
  lm.model = Model::load(o.path);
  lm.pool = std::make_unique<ThreadPool>(o.threads);
  const int32_t train = lm.model->hparams().n_ctx_train;
  lm.n_ctx = o.ctx > 0 ? o.ctx : std::min(train, 4096);
  return lm;
}

std::vector<TokenId> tokenize_prompt(const LoadedModel& lm, const std::string& text,
                                     const ModelOptions& o) {
  std::vector<TokenId> tokens = lm.model->vocab().tokenize(text, !o.no_bos, !o.no_parse_special);
  if (tokens.empty()) throw InputError("the prompt is empty after tokenization");
  if (static_cast<int64_t>(tokens.size()) > lm.n_ctx)
    throw InputError("the prompt is " + std::to_string(tokens.size()) +
                     " tokens but the context holds " + std::to_string(lm.n_ctx) +
                     " (shorten the prompt or raise --ctx, up to the model's " +
                     std::to_string(lm.model->hparams().n_ctx_train) + ")");
  return tokens;
}

ForwardOutput evaluate_all(LoadedModel& lm, const std::vector<TokenId>& tokens) {
  KvCache cache = lm.model->make_cache(1, lm.n_ctx);
  Batch batch;
  for (size_t i = 0; i < tokens.size(); ++i) batch.add(tokens[i], static_cast<int32_t>(i), 0, true);
  ForwardOutput out;
  lm.model->forward(*lm.pool, batch, cache, ForwardRequest{}, out);
  return out;
}

std::string quote_piece(const std::string& piece) {
  std::string s = "'";
  for (unsigned char c : piece) {
    if (c == '\n')
      s += "\\n";
    else if (c == '\t')
      s += "\\t";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    } else {
      s += static_cast<char>(c);
    }
  }
  return s + "'";
}

}  // namespace tq::cli

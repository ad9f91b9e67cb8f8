// compute_perplexity, following llama.cpp's examples/perplexity (perplexity()).
#include "engine/generation/perplexity.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "core/error.h"
#include "engine/model/model.h"

namespace tq {
namespace {

// log p(token) from raw logits: max-shifted, the sum of exponentials in double, as
// llama.cpp's log_softmax does it.
double log_prob(const float* logits, int64_t n_vocab, TokenId token) {
  float max_logit = logits[0];
  for (int64_t i = 1; i < n_vocab; ++i) max_logit = std::max(max_logit, logits[i]);
  double sum_exp = 0.0;
  for (int64_t i = 0; i < n_vocab; ++i) sum_exp += std::exp(logits[i] - max_logit);
  return logits[token] - max_logit - std::log(sum_exp);
}

}  // namespace

PerplexityResult compute_perplexity(const Model& model, ThreadPool& pool,
                                    const std::vector<TokenId>& tokens,
                                    const PerplexityParams& params,
                                    const PerplexityProgress& progress) {
  const int32_t n_ctx = params.n_ctx;
  if (n_ctx < 4) throw InputError("perplexity needs a context of at least 4 tokens");
  const int64_t n_tokens = static_cast<int64_t>(tokens.size());
  if (n_tokens < 2 * static_cast<int64_t>(n_ctx))
    throw InputError("the text is " + std::to_string(n_tokens) + " tokens; at least " +
                     std::to_string(2 * n_ctx) + " are needed to compute perplexity with a " +
                     "context of " + std::to_string(n_ctx) +
                     " (use a longer text or a smaller -c)");
  int32_t n_chunks = static_cast<int32_t>(n_tokens / n_ctx);
  if (params.max_chunks > 0) n_chunks = std::min(n_chunks, params.max_chunks);
  const int32_t first = n_ctx / 2;  // positions before this are context only
  const int32_t n_batch = std::max(1, params.n_batch);
  const TokenId bos = model.vocab().add_bos() ? model.vocab().bos() : -1;

  const auto start_time = std::chrono::steady_clock::now();
  PerplexityResult res;
  double nll = 0.0;
  double nll2 = 0.0;
  for (int32_t c = 0; c < n_chunks; ++c) {
    const int64_t start = static_cast<int64_t>(c) * n_ctx;
    KvCache cache = model.make_cache(1, n_ctx);
    ForwardOutput all;  // logits of positions first .. n_ctx-2, in order
    for (int32_t b = 0; b < n_ctx; b += n_batch) {
      Batch batch;
      const int32_t end = std::min(n_ctx, b + n_batch);
      for (int32_t pos = b; pos < end; ++pos) {
        TokenId tok = tokens[static_cast<size_t>(start + pos)];
        if (pos == 0 && bos >= 0) tok = bos;  // every chunk starts like a fresh text
        batch.add(tok, pos, 0, pos >= first && pos < n_ctx - 1);
      }
      ForwardOutput out;
      model.forward(pool, batch, cache, ForwardRequest{}, out);
      all.n_vocab = out.n_vocab;
      all.logits.insert(all.logits.end(), out.logits.begin(), out.logits.end());
    }
    // Logits at position p predict token p+1.
    for (int32_t p = first; p < n_ctx - 1; ++p) {
      const float* row = all.logits.data() + static_cast<size_t>(p - first) * all.n_vocab;
      const double lp = log_prob(row, all.n_vocab, tokens[static_cast<size_t>(start + p + 1)]);
      nll -= lp;
      nll2 += lp * lp;
      ++res.tokens_scored;
    }
    res.running.push_back(std::exp(nll / static_cast<double>(res.tokens_scored)));
    if (progress) progress(c + 1, n_chunks, res.running.back());
  }
  const double count = static_cast<double>(res.tokens_scored);
  const double mean = nll / count;
  const double var = nll2 / count - mean * mean;
  res.perplexity = std::exp(mean);
  res.stderr_ppl = var > 0 && count > 1 ? std::sqrt(var / (count - 1)) * res.perplexity : 0.0;
  res.chunks = n_chunks;
  res.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return res;
}

}  // namespace tq

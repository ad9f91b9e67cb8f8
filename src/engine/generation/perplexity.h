// Perplexity of a model on a text, computed as llama.cpp's `llama-perplexity` does so the
// numbers can be compared: the tokenized text is cut into chunks of n_ctx tokens, each
// chunk is evaluated from an empty cache (its first token replaced by BOS when the
// vocabulary adds one), and only the second half of each chunk is scored — the first
// n_ctx/2 tokens serve as context. PPL = exp(mean negative log-likelihood).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine/tokenizer/vocab.h"

namespace tq {

class Model;
class ThreadPool;

struct PerplexityParams {
  int32_t n_ctx = 128;     // tokens per chunk
  int32_t n_batch = 512;   // tokens per forward pass within a chunk
  int32_t max_chunks = 0;  // 0: every whole chunk of the text
};

struct PerplexityResult {
  double perplexity = 0.0;
  double stderr_ppl = 0.0;  // llama.cpp's ± (standard error of the mean NLL, times PPL)
  int32_t chunks = 0;
  int64_t tokens_scored = 0;
  std::vector<double> running;  // PPL over the chunks so far, after each chunk
  double seconds = 0.0;
};

// After each chunk: its number (from 1), the chunk count, the running PPL.
using PerplexityProgress = std::function<void(int32_t chunk, int32_t n_chunks, double ppl)>;

// `tokens` is the whole text as the model's tokenizer gives it (with BOS if the vocabulary
// adds one). Throws InputError when the text is shorter than two chunks (llama.cpp's rule)
// or n_ctx is below 4.
PerplexityResult compute_perplexity(const Model& model, ThreadPool& pool,
                                    const std::vector<TokenId>& tokens,
                                    const PerplexityParams& params,
                                    const PerplexityProgress& progress = nullptr);

}  // namespace tq

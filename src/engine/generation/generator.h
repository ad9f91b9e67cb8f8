// Text generation for one sequence: prompt processing in batches, then token-by-token
// decoding through the KV cache with the sampler chain, stop strings, a token limit, the
// context-length check, and streaming of complete UTF-8 text as it is produced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sampling/sampler_chain.h"
#include "engine/tokenizer/vocab.h"

namespace tq {

class Model;
class ThreadPool;
class TokenConstraint;

struct GenerationParams {
  int32_t max_tokens = 128;
  SamplingParams sampling;
  std::vector<std::string> stop;  // stop strings; generation ends before them
  bool ignore_eos = false;        // keep going past end-of-generation tokens
  int32_t n_batch = 256;          // prompt tokens per forward pass
  bool logprobs = false;          // record each generated token's log-probability (one
                                  // pass over the vocabulary per token)
  // Optional (grammar, JSON schema): masks logits before sampling; generation ends when it
  // is finished. Reset at the start of generate(); one generation at a time.
  std::shared_ptr<TokenConstraint> constraint;
};

enum class FinishReason { Stop, Length, EndOfGeneration, ContextFull, Cancelled };
std::string_view finish_reason_name(FinishReason r);  // OpenAI-style: "stop", "length", …

struct GenerationResult {
  std::vector<TokenId> prompt_tokens;
  std::vector<TokenId> generated;
  std::vector<float> logprobs;  // with params.logprobs: each generated token's log-probability
                                // under the unmodified logits
  std::string text;             // what was emitted (stop string excluded)
  FinishReason finish = FinishReason::Length;
  double prompt_seconds = 0.0;       // to the first token (the Scheduler counts queueing too)
  double decode_seconds = 0.0;       // from the first token to the last
  int32_t reused_prompt_tokens = 0;  // prompt tokens whose KV came from a cached prefix
  // CPU time spent on this sequence (Scheduler only; 0 elsewhere): each batch step's CPU
  // time, shared among its sequences by their tokens in the step.
  double cpu_seconds = 0.0;

  double prompt_tok_s() const;
  double decode_tok_s() const;
};

// Receives text as it becomes final; return false to cancel generation.
using TextSink = std::function<bool(std::string_view)>;

class Generator {
 public:
  Generator(std::shared_ptr<const Model> model, ThreadPool& pool, int32_t n_ctx);

  // Throws InputError when the prompt does not fit the context.
  GenerationResult generate(const std::vector<TokenId>& prompt, const GenerationParams& params,
                            const TextSink& on_text = nullptr);

  int32_t n_ctx() const { return n_ctx_; }

 private:
  std::shared_ptr<const Model> model_;
  ThreadPool& pool_;
  int32_t n_ctx_;
};

}  // namespace tq

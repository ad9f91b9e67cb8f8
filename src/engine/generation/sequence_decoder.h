// What happens to one sequence's output, token by token: the optional constraint masks the
// logits, the sampler chain picks, the token is recorded with its log-probability, its text
// goes through the streaming detokenizer and the stop strings to the sink, and the reasons
// to end (end-of-generation token, stop string, closed constraint, token limit,
// cancellation by the sink) are checked. Shared by Generator (one sequence) and Scheduler
// (many sequences in one batch); neither the model nor the KV cache is touched here.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine/generation/generator.h"
#include "engine/sampling/stop_strings.h"
#include "engine/tokenizer/vocab.h"

namespace tq {

class SequenceDecoder {
 public:
  // The prompt feeds the sampler's penalty window (as llama.cpp does) and result().
  SequenceDecoder(std::shared_ptr<const Vocab> vocab, const GenerationParams& params,
                  const std::vector<TokenId>& prompt, TextSink on_text);

  // Consumes the logits that follow the last token; returns the token chosen. done()
  // tells whether generation ended with it (the token is recorded either way).
  TokenId step(std::span<const float> logits);
  bool done() const { return done_; }

  // Ends generation for a reason found outside (context full, cancelled by the caller) and
  // flushes held-back text. Idempotent; step() must not be called afterwards.
  void finish(FinishReason reason);

  GenerationResult& result() { return res_; }

 private:
  bool emit(const std::string& text);
  void end(FinishReason reason);

  std::shared_ptr<const Vocab> vocab_;
  GenerationParams params_;
  TextSink on_text_;
  SamplerChain sampler_;
  StopStringMatcher stops_;
  TokenStreamDecoder decoder_;
  std::vector<float> masked_;
  GenerationResult res_;
  bool done_ = false;
};

}  // namespace tq

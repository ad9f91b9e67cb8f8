#include "engine/generation/generator.h"

#include <chrono>
#include <span>

#include "core/error.h"
#include "engine/model/model.h"
#include "engine/sampling/log_prob.h"
#include "engine/sampling/stop_strings.h"
#include "engine/sampling/token_constraint.h"

namespace tq {

std::string_view finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::Stop:
    case FinishReason::EndOfGeneration:
      return "stop";
    case FinishReason::Length:
    case FinishReason::ContextFull:
      return "length";
    case FinishReason::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

double GenerationResult::prompt_tok_s() const {
  return prompt_seconds > 0 ? static_cast<double>(prompt_tokens.size()) / prompt_seconds : 0.0;
}
double GenerationResult::decode_tok_s() const {
  // The first generated token comes from the prompt pass; decode speed counts the rest.
  const size_t n = generated.size() > 0 ? generated.size() - 1 : 0;
  return decode_seconds > 0 ? static_cast<double>(n) / decode_seconds : 0.0;
}

Generator::Generator(std::shared_ptr<const Model> model, ThreadPool& pool, int32_t n_ctx)
    : model_(std::move(model)), pool_(pool), n_ctx_(n_ctx) {}

GenerationResult Generator::generate(const std::vector<TokenId>& prompt,
                                     const GenerationParams& params, const TextSink& on_text) {
  using Clock = std::chrono::steady_clock;
  if (prompt.empty()) throw InputError("the prompt is empty");
  if (static_cast<int64_t>(prompt.size()) >= n_ctx_)
    throw InputError("the prompt is " + std::to_string(prompt.size()) +
                     " tokens but the context holds " + std::to_string(n_ctx_) +
                     " (including at least one generated token); shorten the prompt or "
                     "raise the context length");
  if (params.max_tokens < 0) throw InputError("max_tokens must be >= 0");

  GenerationResult res;
  res.prompt_tokens = prompt;
  SamplerChain sampler(params.sampling);
  StopStringMatcher stops(params.stop);
  TokenStreamDecoder decoder(model_->shared_vocab());
  KvCache cache = model_->make_cache(1, n_ctx_);
  ForwardOutput out;
  const Vocab& vocab = model_->vocab();
  for (TokenId t : prompt) sampler.accept(t);  // penalties see the prompt, as in llama.cpp
  TokenConstraint* constraint = params.constraint.get();
  std::vector<float> masked;
  if (constraint != nullptr) constraint->reset();

  // Prompt processing, in batches; logits only for the last prompt token.
  auto t0 = Clock::now();
  const int32_t n_batch = std::max<int32_t>(1, params.n_batch);
  for (size_t start = 0; start < prompt.size(); start += static_cast<size_t>(n_batch)) {
    Batch batch;
    const size_t end = std::min(prompt.size(), start + static_cast<size_t>(n_batch));
    for (size_t i = start; i < end; ++i)
      batch.add(prompt[i], static_cast<int32_t>(i), 0, i + 1 == prompt.size());
    model_->forward(pool_, batch, cache, ForwardRequest{}, out);
  }
  auto t1 = Clock::now();
  res.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();

  auto emit = [&](const std::string& text) {
    if (text.empty()) return true;
    res.text += text;
    return on_text ? on_text(text) : true;
  };

  res.finish = FinishReason::Length;
  for (int32_t i = 0; i < params.max_tokens; ++i) {
    std::span<const float> logits(out.logits_row(0), static_cast<size_t>(out.n_vocab));
    TokenId next;
    if (constraint != nullptr) {
      masked.assign(logits.begin(), logits.end());
      constraint->mask(masked);
      next = sampler.sample(masked);
      constraint->accept(next);
    } else {
      next = sampler.sample(logits);
    }
    sampler.accept(next);
    res.generated.push_back(next);
    res.logprobs.push_back(log_softmax_at(logits, next));
    if (!params.ignore_eos && vocab.is_eog(next)) {
      res.finish = FinishReason::EndOfGeneration;
      break;
    }
    const auto step = stops.feed(decoder.push(next));
    if (!emit(step.emit)) {
      res.finish = FinishReason::Cancelled;
      break;
    }
    if (step.stopped) {
      res.finish = FinishReason::Stop;
      break;
    }
    if (constraint != nullptr && constraint->finished()) {
      // The value is closed: the same ending as an end-of-generation token ("stop").
      res.finish = FinishReason::EndOfGeneration;
      break;
    }
    if (i + 1 == params.max_tokens) break;
    const int32_t pos = static_cast<int32_t>(prompt.size() + res.generated.size()) - 1;
    if (pos >= n_ctx_) {
      res.finish = FinishReason::ContextFull;
      break;
    }
    Batch batch;
    batch.add(next, pos, 0, true);
    model_->forward(pool_, batch, cache, ForwardRequest{}, out);
  }
  if (res.finish != FinishReason::Stop && res.finish != FinishReason::Cancelled) {
    auto tail = stops.feed(decoder.flush());
    if (tail.stopped) res.finish = FinishReason::Stop;
    std::string rest = tail.emit;
    if (!tail.stopped) rest += stops.flush();
    emit(rest);
  }
  res.decode_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return res;
}

}  // namespace tq

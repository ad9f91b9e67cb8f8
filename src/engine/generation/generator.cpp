#include "engine/generation/generator.h"

#include <chrono>
#include <span>

#include "core/error.h"
#include "engine/generation/sequence_decoder.h"
#include "engine/model/model.h"

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

  SequenceDecoder seq(model_->shared_vocab(), params, prompt, on_text);
  GenerationResult& res = seq.result();
  KvCache cache = model_->make_cache(1, n_ctx_);
  ForwardOutput out;

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

  while (!seq.done()) {
    const TokenId next =
        seq.step(std::span<const float>(out.logits_row(0), static_cast<size_t>(out.n_vocab)));
    if (seq.done()) break;
    const int32_t pos = static_cast<int32_t>(prompt.size() + res.generated.size()) - 1;
    if (pos >= n_ctx_) {
      seq.finish(FinishReason::ContextFull);
      break;
    }
    Batch batch;
    batch.add(next, pos, 0, true);
    model_->forward(pool_, batch, cache, ForwardRequest{}, out);
  }
  res.decode_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return std::move(res);
}

}  // namespace tq

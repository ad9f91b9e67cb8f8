#include "engine/generation/sequence_decoder.h"

#include "engine/sampling/log_prob.h"
#include "engine/sampling/token_constraint.h"

namespace tq {

SequenceDecoder::SequenceDecoder(std::shared_ptr<const Vocab> vocab, const GenerationParams& params,
                                 const std::vector<TokenId>& prompt, TextSink on_text)
    : vocab_(vocab),
      params_(params),
      on_text_(std::move(on_text)),
      sampler_(params.sampling),
      stops_(params.stop),
      decoder_(std::move(vocab)) {
  res_.prompt_tokens = prompt;
  res_.finish = FinishReason::Length;
  for (TokenId t : prompt) sampler_.accept(t);
  if (params_.constraint != nullptr) params_.constraint->reset();
  if (params_.max_tokens == 0) finish(FinishReason::Length);
}

bool SequenceDecoder::emit(const std::string& text) {
  if (text.empty()) return true;
  res_.text += text;
  return on_text_ ? on_text_(text) : true;
}

TokenId SequenceDecoder::step(std::span<const float> logits) {
  TokenConstraint* constraint = params_.constraint.get();
  TokenId next;
  if (constraint != nullptr) {
    masked_.assign(logits.begin(), logits.end());
    constraint->mask(masked_);
    next = sampler_.sample(masked_);
    constraint->accept(next);
  } else {
    next = sampler_.sample(logits);
  }
  sampler_.accept(next);
  res_.generated.push_back(next);
  if (params_.logprobs) res_.logprobs.push_back(log_softmax_at(logits, next));
  if (!params_.ignore_eos && vocab_->is_eog(next)) {
    finish(FinishReason::EndOfGeneration);
    return next;
  }
  const auto s = stops_.feed(decoder_.push(next));
  if (!emit(s.emit)) {
    end(FinishReason::Cancelled);
  } else if (s.stopped) {
    end(FinishReason::Stop);
  } else if (constraint != nullptr && constraint->finished()) {
    // The value is closed: the same ending as an end-of-generation token ("stop").
    finish(FinishReason::EndOfGeneration);
  } else if (static_cast<int32_t>(res_.generated.size()) >= params_.max_tokens) {
    finish(FinishReason::Length);
  }
  return next;
}

void SequenceDecoder::end(FinishReason reason) {
  res_.finish = reason;
  done_ = true;
}

void SequenceDecoder::finish(FinishReason reason) {
  if (done_) return;
  end(reason);
  if (reason == FinishReason::Cancelled) return;
  // Text held back by the detokenizer or a possible stop-string prefix is final now.
  auto tail = stops_.feed(decoder_.flush());
  if (tail.stopped) res_.finish = FinishReason::Stop;
  std::string rest = tail.emit;
  if (!tail.stopped) rest += stops_.flush();
  emit(rest);
}

}  // namespace tq

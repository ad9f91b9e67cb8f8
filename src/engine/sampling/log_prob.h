// Log-probabilities straight from logits, for confidence scores (cascade routing) and
// OpenAI-style logprobs, independent of what the sampler chain did to the candidates.
#pragma once

#include <cstdint>
#include <span>

namespace tq {

// log softmax(logits)[id], computed stably (max-shifted, summed in double). Throws
// tq::Error when id is out of range; NaN when the largest logit is not finite.
float log_softmax_at(std::span<const float> logits, int32_t id);

}  // namespace tq

// The sampler chain the engine uses to turn one position's logits into the next token.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/sampling/sampler.h"
#include "engine/sampling/selection.h"

namespace tq {

// Defaults are llama.cpp's (common_params_sampling), so users' habits carry over.
struct SamplingParams {
  float temperature = 0.8f;     // <= 0: greedy
  int32_t top_k = 40;           // 0: off
  float top_p = 0.95f;          // (0, 1]; 1: off
  float min_p = 0.05f;          // [0, 1]; 0: off
  float repeat_penalty = 1.0f;  // > 0; 1: off
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  int32_t penalty_last_n = 64;  // >= 0; 0: penalties off
  int32_t min_keep = 1;         // >= 0; truncation stages never keep fewer (nor fewer than 1)
  uint64_t seed = DistSampler::kRandomSeed;  // kRandomSeed: a fresh seed per chain/reset

  // Throws InputError naming the first bad parameter and its allowed range.
  void validate() const;
};

class SamplerChain {
 public:
  // An empty chain, to be filled with add(); its last stage must pick (greedy or dist).
  SamplerChain() = default;
  // llama.cpp's default order: penalties → top-k → top-p → min-p → temperature → dist,
  // or penalties → greedy when temperature <= 0. Validates `params` first.
  explicit SamplerChain(const SamplingParams& params);

  void add(std::unique_ptr<Sampler> stage);

  // The next token for `logits` (one float per vocabulary entry). Does not accept it:
  // call accept() with the token actually appended, so that penalties see it.
  int32_t sample(std::span<const float> logits);
  void accept(int32_t token);
  void reset();

  // "penalties -> top-k -> ...", for logs.
  std::string describe() const;
  size_t size() const { return stages_.size(); }

 private:
  std::vector<std::unique_ptr<Sampler>> stages_;
  CandidateList candidates_;  // kept between calls only to reuse its allocation
  // Greedy with neutral penalties (as constructed, nothing added since): the pick is the
  // argmax of the logits, found without building the candidate list — on a 150k-token
  // vocabulary that list cost more per token than a small model's whole forward pass tail.
  bool argmax_only_ = false;
};

}  // namespace tq

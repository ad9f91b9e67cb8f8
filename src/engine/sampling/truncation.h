// Stages that drop unlikely tokens before the draw. Each keeps at least `min_keep`
// candidates (and always at least one), as llama.cpp's do, so a stage can never leave
// the final draw with nothing to pick. All of them measure probabilities at temperature 1,
// because the default chain applies temperature after them (llama.cpp's order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/sampling/sampler.h"

namespace tq {

// The k highest logits. k <= 0 disables the stage.
class TopKSampler : public Sampler {
 public:
  TopKSampler(int32_t k, size_t min_keep);
  std::string_view name() const override { return "top-k"; }
  void apply(CandidateList& candidates) override;

 private:
  int32_t k_;
  size_t min_keep_;
};

// Nucleus: the smallest set of best tokens whose probabilities sum to at least p.
// p >= 1 disables the stage.
class TopPSampler : public Sampler {
 public:
  TopPSampler(float p, size_t min_keep);
  std::string_view name() const override { return "top-p"; }
  void apply(CandidateList& candidates) override;

 private:
  float p_;
  size_t min_keep_;
};

// Tokens whose probability is at least min_p times the best token's. min_p <= 0 disables.
class MinPSampler : public Sampler {
 public:
  MinPSampler(float min_p, size_t min_keep);
  std::string_view name() const override { return "min-p"; }
  void apply(CandidateList& candidates) override;

 private:
  float min_p_;
  size_t min_keep_;
};

}  // namespace tq

// Repetition, frequency and presence penalties over the last N accepted tokens, with
// llama.cpp's semantics (llama_sampler_penalties), so settings tuned there carry over:
//   repetition: a seen token's logit is divided by `repeat` when positive and multiplied
//               when negative (both push it down for repeat > 1);
//   frequency:  logit -= count * frequency;
//   presence:   logit -= presence if count > 0.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "engine/sampling/sampler.h"

namespace tq {

class PenaltySampler : public Sampler {
 public:
  // last_n = 0 disables the stage. Parameters are validated by SamplingParams.
  PenaltySampler(int32_t last_n, float repeat, float frequency, float presence);

  std::string_view name() const override { return "penalties"; }
  void apply(CandidateList& candidates) override;
  void accept(int32_t token) override;
  void reset() override;

  // How often `token` occurs in the window (for tests and diagnostics).
  int32_t count(int32_t token) const;

 private:
  bool active() const;

  size_t last_n_;
  float repeat_;
  float frequency_;
  float presence_;
  std::deque<int32_t> window_;                   // oldest first, at most last_n_ tokens
  std::unordered_map<int32_t, int32_t> counts_;  // token → occurrences in window_
};

}  // namespace tq

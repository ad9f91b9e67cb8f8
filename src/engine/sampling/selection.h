// The last stages of a chain: temperature reshapes the distribution, greedy or dist picks.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "engine/sampling/sampler.h"

namespace tq {

// logit /= temperature. temperature <= 0 keeps only the best token (ties → lowest id),
// which makes any later draw deterministic, as llama.cpp's temp stage does; so does a
// temperature small enough to overflow the division.
class TemperatureSampler : public Sampler {
 public:
  explicit TemperatureSampler(float temperature);
  std::string_view name() const override { return "temperature"; }
  void apply(CandidateList& candidates) override;

 private:
  float temperature_;
};

// The highest logit; ties go to the lowest id so results do not depend on list order.
class GreedySampler : public Sampler {
 public:
  std::string_view name() const override { return "greedy"; }
  void apply(CandidateList& candidates) override;
};

// Draws from softmax(logits) of what is left.
//
// Reproducibility: std::mt19937's output sequence is fixed by the C++ standard, and so is
// std::seed_seq, but std::uniform_real_distribution is not (libstdc++ and libc++ consume
// and combine engine outputs differently). So the draw is done by hand:
//   engine  = std::mt19937(std::seed_seq{seed & 0xffffffff, seed >> 32})
//   u       = engine() / 2^32                      (one 32-bit output, u in [0, 1))
//   pick    = first candidate, in the list's current order, whose running sum of p
//             exceeds u * sum(p)                   (sums in double)
// The list order is itself deterministic (see CandidateList::sort), so a given seed and
// logits give the same token on every platform.
class DistSampler : public Sampler {
 public:
  // Pass kRandomSeed to seed from std::random_device (a fresh seed at every reset()).
  static constexpr uint64_t kRandomSeed = UINT64_MAX;

  explicit DistSampler(uint64_t seed);
  std::string_view name() const override { return "dist"; }
  void apply(CandidateList& candidates) override;
  // Restarts the random sequence from the seed.
  void reset() override;

  // The seed in use (the drawn one when constructed with kRandomSeed), for logging.
  uint64_t seed() const { return seed_in_use_; }

 private:
  void restart();

  uint64_t seed_;
  uint64_t seed_in_use_ = 0;
  std::mt19937 engine_;
};

}  // namespace tq

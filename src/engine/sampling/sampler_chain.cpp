#include "engine/sampling/sampler_chain.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "engine/sampling/penalties.h"
#include "engine/sampling/truncation.h"

namespace tq {

namespace {

[[noreturn]] void bad_param(const char* name, const char* range, double got) {
  throw InputError(std::string("sampling: ") + name + " must be " + range + ", got " +
                   std::to_string(got));
}

}  // namespace

void SamplingParams::validate() const {
  // Written as !(ok) so NaN fails every check.
  if (!std::isfinite(temperature)) bad_param("temperature", "a finite number", temperature);
  if (top_k < 0) bad_param("top_k", ">= 0 (0 disables it)", top_k);
  if (!(top_p > 0.0f && top_p <= 1.0f)) bad_param("top_p", "in (0, 1]", top_p);
  if (!(min_p >= 0.0f && min_p <= 1.0f)) bad_param("min_p", "in [0, 1]", min_p);
  if (!(repeat_penalty > 0.0f) || !std::isfinite(repeat_penalty))
    bad_param("repeat_penalty", "a finite number > 0 (1 disables it)", repeat_penalty);
  if (!std::isfinite(frequency_penalty))
    bad_param("frequency_penalty", "a finite number", frequency_penalty);
  if (!std::isfinite(presence_penalty))
    bad_param("presence_penalty", "a finite number", presence_penalty);
  if (penalty_last_n < 0)
    bad_param("penalty_last_n", ">= 0 (0 disables penalties)", penalty_last_n);
  if (min_keep < 0) bad_param("min_keep", ">= 0", min_keep);
}

SamplerChain::SamplerChain(const SamplingParams& params) {
  params.validate();
  const auto min_keep = static_cast<size_t>(params.min_keep);
  add(std::make_unique<PenaltySampler>(params.penalty_last_n, params.repeat_penalty,
                                       params.frequency_penalty, params.presence_penalty));
  if (params.temperature <= 0.0f) {
    add(std::make_unique<GreedySampler>());
    // The penalty stage changes nothing when every penalty is off or looks back over no
    // token; GreedySampler's tie rule (lowest id) is max_element's.
    argmax_only_ = params.penalty_last_n == 0 ||
                   (params.repeat_penalty == 1.0f && params.frequency_penalty == 0.0f &&
                    params.presence_penalty == 0.0f);
    return;
  }
  add(std::make_unique<TopKSampler>(params.top_k, min_keep));
  add(std::make_unique<TopPSampler>(params.top_p, min_keep));
  add(std::make_unique<MinPSampler>(params.min_p, min_keep));
  add(std::make_unique<TemperatureSampler>(params.temperature));
  add(std::make_unique<DistSampler>(params.seed));
}

void SamplerChain::add(std::unique_ptr<Sampler> stage) {
  stages_.push_back(std::move(stage));
  argmax_only_ = false;
}

int32_t SamplerChain::sample(std::span<const float> logits) {
  if (argmax_only_ && !logits.empty())
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  candidates_.assign(logits);
  for (auto& stage : stages_) stage->apply(candidates_);
  const auto picked = candidates_.selected();
  if (!picked) throw Error("sampling: chain '" + describe() + "' ends without a pick");
  return candidates_[*picked].id;
}

void SamplerChain::accept(int32_t token) {
  for (auto& stage : stages_) stage->accept(token);
}

void SamplerChain::reset() {
  for (auto& stage : stages_) stage->reset();
}

std::string SamplerChain::describe() const {
  std::string out;
  for (const auto& stage : stages_) {
    if (!out.empty()) out += " -> ";
    out += stage->name();
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace tq

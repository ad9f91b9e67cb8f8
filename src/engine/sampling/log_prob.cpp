#include "engine/sampling/log_prob.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace tq {

float log_softmax_at(std::span<const float> logits, int32_t id) {
  if (id < 0 || static_cast<size_t>(id) >= logits.size())
    throw Error("log_softmax_at: token " + std::to_string(id) + " outside [0, " +
                std::to_string(logits.size()) + ")");
  const double m = *std::max_element(logits.begin(), logits.end());
  if (!std::isfinite(m)) return std::numeric_limits<float>::quiet_NaN();
  double sum = 0.0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - m);
  return static_cast<float>(static_cast<double>(logits[static_cast<size_t>(id)]) - m -
                            std::log(sum));
}

}  // namespace tq

// One stage of a sampler chain (the shape llama.cpp uses): each stage narrows or reshapes
// the candidate list; stateful stages learn from the tokens the caller accepts.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/sampling/candidates.h"

namespace tq {

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(CandidateList& candidates) = 0;
  // Called with every token that becomes part of the sequence (prompt tokens included,
  // if the caller wants penalties to see them).
  virtual void accept(int32_t /*token*/) {}
  // Back to the state right after construction (new conversation).
  virtual void reset() {}
};

}  // namespace tq

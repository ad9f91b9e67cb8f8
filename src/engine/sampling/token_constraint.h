// A constraint on which tokens may come next (a grammar, a JSON schema), consulted by the
// generator around the sampler chain: disallowed logits become -inf before any stage runs,
// so truncation and the draw only ever see tokens the constraint accepts.
#pragma once

#include <cstdint>
#include <span>

namespace tq {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // Sets the logit of every token that cannot come next to -inf. Throws tq::Error when no
  // token can (the constraint cannot be satisfied with this vocabulary).
  virtual void mask(std::span<float> logits) = 0;
  virtual bool allows(int32_t token) = 0;
  // Advances past `token`; throws tq::Error when it is not allowed.
  virtual void accept(int32_t token) = 0;
  // Nothing more can follow what was accepted: generation ends here.
  virtual bool finished() const = 0;
  // Back to the start (a new generation).
  virtual void reset() = 0;
};

}  // namespace tq

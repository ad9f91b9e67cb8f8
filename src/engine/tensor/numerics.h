// Which kernels the engine runs. Exact: the reference kernels, whose float order mirrors
// llama.cpp's CPU backend and which are bit-identical across instruction sets (logits
// match llama.cpp's to ~1e-5). Fast (the default): tiled matrix kernels and vectorised
// element-wise/attention steps with their own summation order — same maths, differences
// at float rounding, which quantised activations can amplify to ~0.1 on a logit.
// TQ_NUMERICS=exact in the environment selects Exact at start-up.
#pragma once

namespace tq {

enum class Numerics { Fast, Exact };

Numerics numerics();
void set_numerics(Numerics mode);  // takes effect for the next forward pass

// Sets a mode for a scope and restores the previous one (tests, benchmarks).
class ScopedNumerics {
 public:
  explicit ScopedNumerics(Numerics mode) : saved_(numerics()) { set_numerics(mode); }
  ~ScopedNumerics() { set_numerics(saved_); }
  ScopedNumerics(const ScopedNumerics&) = delete;
  ScopedNumerics& operator=(const ScopedNumerics&) = delete;

 private:
  Numerics saved_;
};

}  // namespace tq

// Looks up weight tensors by name and checks their shapes against the hyper-parameters,
// so that a file with a wrong or missing tensor fails at load with a message naming it.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "engine/model/weights.h"

namespace tq {

class GgufFile;

class WeightLoader {
 public:
  explicit WeightLoader(const GgufFile& file) : file_(file) {}

  // A [n_in, n_out] matrix (ggml order); the type must have a dot-product kernel.
  WeightMatrix matrix(const std::string& name, int64_t n_in, int64_t n_out) const;
  WeightMatrix optional_matrix(const std::string& name, int64_t n_in, int64_t n_out) const;
  // A 1-D vector of length n, converted to F32 (kept alive by this loader's storage).
  WeightVector vector(const std::string& name, int64_t n);
  WeightVector optional_vector(const std::string& name, int64_t n);
  bool has(const std::string& name) const;

  // Owned F32 copies of vectors stored as F16/BF16 (kept for the model's lifetime).
  std::deque<std::vector<float>>& storage() { return storage_; }

 private:
  const GgufFile& file_;
  std::deque<std::vector<float>> storage_;
};

}  // namespace tq

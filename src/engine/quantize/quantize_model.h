// Quantising a GGUF model file: llama-quantize's job for the mixes of type_mix.h, from
// F32/F16/BF16 weights. Metadata is copied (general.file_type and
// general.quantization_version set as llama.cpp sets them), tensors are written in
// llama.cpp's order with its type per tensor, and the file is written atomically.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/quantize/type_mix.h"
#include "engine/tensor/ggml_type.h"

namespace tq {

class ThreadPool;

struct TensorQuantReport {
  std::string name;
  std::vector<int64_t> ne;
  GgmlType from = GgmlType::F32;
  GgmlType to = GgmlType::F32;
  bool converted = false;  // false: copied unchanged
  bool fallback = false;
  std::string note;  // the fallback's reason, when there was one
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

struct QuantizeReport {
  QuantMix mix = QuantMix::Q8_0;
  std::vector<TensorQuantReport> tensors;  // in the order written
  uint64_t tensor_bytes_in = 0;
  uint64_t tensor_bytes_out = 0;
  uint64_t file_bytes_in = 0;
  uint64_t file_bytes_out = 0;
  int64_t n_elements = 0;
  double bits_per_weight_in() const;  // tensor data bits / elements
  double bits_per_weight_out() const;
};

// Called after each tensor: its position (from 0), the tensor count and what was done.
using QuantizeProgress = std::function<void(size_t i, size_t n, const TensorQuantReport&)>;

// Throws InputError naming the tensor when an input tensor is already quantised and would
// need requantising (llama.cpp refuses that too unless asked), UnsupportedError where
// type_mix.h says so, and Error when the output cannot be written.
QuantizeReport quantize_model(const std::string& in_path, const std::string& out_path, QuantMix mix,
                              ThreadPool& pool, const QuantizeProgress& progress = nullptr);

}  // namespace tq

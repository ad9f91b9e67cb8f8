// The plan of a synthetic model: every metadata key and every tensor (name, type, shape,
// how to fill it), built without generating a single weight, so tests can check the
// shapes of 1B-parameter models in milliseconds and the writer can stream the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/synth/synth_shapes.h"
#include "engine/synth/synth_vocab.h"
#include "engine/tensor/ggml_type.h"

namespace tq {

// The --type choices, named as llama-quantize names them. Values are llama.cpp's
// llama_ftype numbers (general.file_type).
enum class SynthFileType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q8_0 = 7,
  Q4_K_M = 15,
  Q5_K_M = 17,
  Q6_K = 18,
  BF16 = 32,
};
std::optional<SynthFileType> synth_file_type_from_name(std::string_view name);  // any case
std::string_view synth_file_type_name(SynthFileType t);                         // "Q4_K_M"
std::string synth_file_type_names();  // the list, for help and errors

// How a tensor's values are made.
enum class WeightInit {
  Normal,  // N(0, 0.02²)-like noise, as models are initialised: activations stay O(1)
  Ones,    // RMSNorm weights: the identity scale
  Given,   // explicit values (rope_freqs)
};

struct SynthTensor {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<int64_t> ne;  // ggml order
  WeightInit init = WeightInit::Normal;
  std::vector<float> values;  // WeightInit::Given

  int64_t n_elements() const;
  uint64_t nbytes() const;
};

struct SynthOptions {
  SynthFileType type = SynthFileType::Q8_0;
  int32_t n_layer = 0;  // 0: the shape's; otherwise fewer (or more) blocks
  uint64_t seed = 0;
};

struct SynthPlan {
  SynthShape shape;  // with the n_layer override applied
  SynthFileType file_type = SynthFileType::Q8_0;
  GgufMetadata metadata;
  std::vector<SynthTensor> tensors;

  // Elements of every tensor except rope_freqs (which model cards do not count).
  uint64_t n_params() const;
  uint64_t n_bytes() const;  // tensor data, without padding
};

// Throws InputError for a bad override and UnsupportedError for a type whose quantiser
// this build lacks.
SynthPlan plan_synth_model(const SynthShape& shape, const SynthOptions& options);

// The type llama-quantize gives a tensor of a model quantised to `ftype` (legacy and float
// types; K mixtures come from the quantize module). 1-D tensors stay F32.
GgmlType synth_tensor_type(SynthFileType ftype, const std::string& name,
                           const std::vector<int64_t>& ne, bool is_output_matrix);

}  // namespace tq

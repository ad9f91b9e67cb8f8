// The plan of a synthetic model: every metadata key and every tensor (name, type, shape,
// how to fill it), built without generating a single weight, so tests can check the
// shapes of 1B-parameter models in milliseconds and the writer can stream the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/quantize/type_mix.h"
#include "engine/synth/synth_shapes.h"
#include "engine/synth/synth_vocab.h"
#include "engine/tensor/ggml_type.h"

namespace tq {

// The --type choices: a float type (F32, F16, BF16: what a converter writes) or one of
// llama-quantize's mixes (Q8_0, Q4_0, Q4_K_M, …), whose per-tensor types come from the
// quantize module, exactly as `triptyque quantize` would choose them.
struct SynthType {
  GgmlType float_type = GgmlType::F32;  // when there is no mix
  std::optional<QuantMix> mix;

  std::string name() const;    // "F16", "Q4_K_M"
  uint32_t file_type() const;  // llama.cpp's LLAMA_FTYPE_* (general.file_type)
};
std::optional<SynthType> synth_type_from_name(std::string_view name);  // any case
std::string synth_type_names();  // the list, for help and errors

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
  SynthType type = {GgmlType::F32, QuantMix::Q8_0};
  int32_t n_layer = 0;  // 0: the shape's; otherwise fewer (or more) blocks
  uint64_t seed = 0;
};

struct SynthPlan {
  SynthShape shape;  // with the n_layer override applied
  SynthType type;
  GgufMetadata metadata;
  std::vector<SynthTensor> tensors;

  // Elements of every tensor except rope_freqs (which model cards do not count).
  uint64_t n_params() const;
  uint64_t n_bytes() const;  // tensor data, without padding
};

// Throws InputError for a bad override. For a quantisation mix the quantize module plans
// the types from the model's layout, which it reads from a data-less file written to the
// temporary directory and removed at once.
SynthPlan plan_synth_model(const SynthShape& shape, const SynthOptions& options);

}  // namespace tq

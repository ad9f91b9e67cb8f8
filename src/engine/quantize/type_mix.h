// Which type each tensor gets when a model is quantised to a llama.cpp "file type" (a type
// mix such as Q4_K_M): the rules of llama.cpp's llama_tensor_get_type (src/llama-quant.cpp,
// 2025), so that our files hold the same type per tensor as llama-quantize's.
//
// The rules depend on the order tensors are visited (layer counters), so planning walks
// the tensors in llama.cpp's order (llama_quantize_order) and is one pass over the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tensor/ggml_type.h"

namespace tq {

class GgufFile;
struct GgufTensorInfo;

// llama.cpp's quantisation targets that we can write (the K-quant _S/_M/_L mixes and the
// legacy single-type ones).
enum class QuantMix {
  Q4_0,
  Q4_1,
  Q5_0,
  Q5_1,
  Q8_0,
  Q2_K,
  Q3_K_S,
  Q3_K_M,
  Q3_K_L,
  Q4_K_S,
  Q4_K_M,
  Q5_K_S,
  Q5_K_M,
  Q6_K,
};

struct QuantMixInfo {
  QuantMix mix;
  std::string_view name;  // as llama-quantize spells it: "Q4_K_M"
  uint32_t ftype;         // llama.cpp's LLAMA_FTYPE_MOSTLY_* number (general.file_type)
  GgmlType base;          // the type most tensors get
};

const QuantMixInfo& quant_mix_info(QuantMix mix);
std::optional<QuantMix> quant_mix_from_name(std::string_view name);  // case-insensitive
std::string quant_mix_names();  // "Q4_0, Q4_1, …" for messages

// llama.cpp's tensor order when it quantises (its weight map's comparer): tensors outside
// the blocks first, then block by block; by name within each. Indices into file.tensors().
std::vector<size_t> llama_quantize_order(const GgufFile& file);

struct TensorPlan {
  size_t index = 0;               // into file.tensors()
  bool quantize = false;          // false: copied as it is (1-D tensors, norms, …)
  GgmlType type = GgmlType::F32;  // the type to write when quantize is set
  bool fallback = false;          // the row length did not fit the chosen type (see `note`)
  std::string note;               // why a fallback happened, for the progress line
};

// The plan for every tensor, in llama_quantize_order. Reads only names, shapes and the
// hyper-parameters the rules need (block count, heads, architecture), never tensor types,
// so it can be checked against any file of the same model. Throws UnsupportedError for a
// fallback type we cannot write (IQ4_NL) or a mixture-of-experts model.
std::vector<TensorPlan> plan_quantization(const GgufFile& file, QuantMix mix);

}  // namespace tq

// plan_quantization: llama.cpp's choice of type per tensor (llama_tensor_get_type and the
// "should this tensor be quantised" test of llama_model_quantize_impl), for the mixes of
// QuantMix. Rules for types we do not write (IQ*, TQ*), for importance-matrix runs and for
// user overrides are left out; each rule below names the llama.cpp condition it follows.
#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/quantize/type_mix.h"

namespace tq {
namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}
bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// ggml_n_dims: trailing dimensions of size 1 do not count.
int n_dims(const GgufTensorInfo& t) {
  for (int i = static_cast<int>(t.ne.size()) - 1; i >= 1; --i)
    if (t.ne[static_cast<size_t>(i)] > 1) return i + 1;
  return 1;
}

// llama_model_quantize_impl's test: only 2-D/3-D "*weight" tensors, never norms, expert
// routers, position/token-type embeddings or the small conv/RWKV mixing weights.
bool wants_quantization(const GgufTensorInfo& t) {
  const std::string& name = t.name;
  if (n_dims(t) < 2 || !ends_with(name, "weight")) return false;
  for (std::string_view skip :
       {"_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
        "ssm_conv1d.weight", "shortconv.conv.weight", "attn_rel_b.weight", ".position_embd."})
    if (contains(name, skip)) return false;
  for (std::string_view rwkv : {"first", "w0", "w1", "w2", "v0", "v1", "v2", "a0", "a1", "a2", "g1",
                                "g2", "decay_w1", "decay_w2", "lerp_fused"})
    if (contains(name, "time_mix_" + std::string(rwkv) + ".weight")) return false;
  return name != "position_embd.weight" && name != "token_types.weight";
}

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third
// layer in between, get more bits in the _M mixes.
bool use_more_bits(int i_layer, int n_layers) {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

struct ModelFacts {
  std::string arch;
  int n_layer = 0;
  int n_gqa = 1;  // query heads per KV head
  bool has_output = false;
  int n_attention_wv = 0;
};

ModelFacts read_facts(const GgufFile& file) {
  ModelFacts f;
  f.arch = file.get_string("general.architecture").value_or("");
  const std::string p = f.arch + ".";
  f.n_layer = static_cast<int>(file.get_uint(p + "block_count").value_or(0));
  if (file.get_uint(p + "expert_count").value_or(0) > 1)
    throw UnsupportedError(file.path() + ": quantising mixture-of-experts models (" + p +
                           "expert_count > 1) is not supported");
  // Per-layer head counts are arrays in some architectures; the GQA rules then do not apply.
  try {
    const auto heads = file.get_uint(p + "attention.head_count");
    const auto kv = file.get_uint(p + "attention.head_count_kv");
    if (heads && *heads > 0) f.n_gqa = static_cast<int>(*heads / (kv && *kv > 0 ? *kv : *heads));
  } catch (const InputError&) {
  }
  for (const auto& t : file.tensors()) {
    if (contains(t.name, "attn_v.weight") || contains(t.name, "attn_qkv.weight") ||
        contains(t.name, "attn_kv_b.weight"))
      ++f.n_attention_wv;
    if (t.name == "output.weight") f.has_output = true;
  }
  return f;
}

class TypeRules {
 public:
  TypeRules(QuantMix mix, ModelFacts facts) : mix_(mix), f_(std::move(facts)) {}

  // llama_tensor_get_type for one tensor; call in llama_quantize_order.
  GgmlType choose(const GgufTensorInfo& t) {
    using M = QuantMix;
    const std::string& name = t.name;
    const bool falcon = f_.arch == "falcon";
    GgmlType type = quant_mix_info(mix_).base;
    if (name == "output.weight" || (!f_.has_output && name == "token_embd.weight")) {
      // The output projection (or the token embedding standing in for it when tied) is the
      // most sensitive tensor: Q6_K unless the mix is Q8_0; Q8_0 when rows are not whole
      // super-blocks or for Falcon.
      if (falcon || t.ne[0] % 256 != 0)
        type = GgmlType::Q8_0;
      else if (type != GgmlType::Q8_0)
        type = GgmlType::Q6_K;
    } else if (name == "token_embd.weight") {
      // Only the IQ/TQ mixes change the token embedding.
    } else if (contains(name, "attn_v.weight")) {
      const int i = i_attention_wv_++;
      if (mix_ == M::Q2_K)
        type = f_.n_gqa >= 4 ? GgmlType::Q4_K : GgmlType::Q3_K;
      else if (mix_ == M::Q3_K_M)
        type = i < 2 ? GgmlType::Q5_K : GgmlType::Q4_K;
      else if ((mix_ == M::Q4_K_M || mix_ == M::Q5_K_M) && use_more_bits(i, f_.n_attention_wv))
        type = GgmlType::Q6_K;
      else if (mix_ == M::Q3_K_L || (mix_ == M::Q4_K_S && i < 4))
        type = GgmlType::Q5_K;
    } else if (contains(name, "ffn_down")) {
      const int i = i_ffn_down_++;
      const int n = f_.n_layer;
      if (mix_ == M::Q2_K)
        type = GgmlType::Q3_K;
      else if (mix_ == M::Q3_K_M)
        type = i < n / 16                       ? GgmlType::Q5_K
               : !falcon || use_more_bits(i, n) ? GgmlType::Q4_K
                                                : GgmlType::Q3_K;
      else if (mix_ == M::Q3_K_L)
        type = falcon ? GgmlType::Q4_K : GgmlType::Q5_K;
      else if (mix_ == M::Q4_K_M && falcon)
        type = i < n / 16 ? GgmlType::Q6_K : use_more_bits(i, n) ? GgmlType::Q5_K : GgmlType::Q4_K;
      else if ((mix_ == M::Q4_K_M || mix_ == M::Q5_K_M) && use_more_bits(i, n))
        type = GgmlType::Q6_K;
      else if (mix_ == M::Q4_K_S && !falcon && i < n / 8)
        type = GgmlType::Q5_K;
    } else if (contains(name, "attn_output.weight")) {
      if (!falcon) {
        if (mix_ == M::Q2_K) type = GgmlType::Q3_K;
        if (mix_ == M::Q3_K_M) type = GgmlType::Q4_K;
        if (mix_ == M::Q3_K_L) type = GgmlType::Q5_K;
      } else if (mix_ == M::Q3_K_L) {
        type = GgmlType::Q4_K;
      }
    } else if (contains(name, "attn_qkv.weight")) {
      if (mix_ == M::Q3_K_M || mix_ == M::Q3_K_L) type = GgmlType::Q4_K;
      if (mix_ == M::Q4_K_M) type = GgmlType::Q5_K;
      if (mix_ == M::Q5_K_M) type = GgmlType::Q6_K;
    }
    return type;
  }

 private:
  QuantMix mix_;
  ModelFacts f_;
  int i_attention_wv_ = 0;
  int i_ffn_down_ = 0;
};

// llama.cpp's fallback when the row length is not a multiple of the type's block: the
// K-quants step to a 32-weight type of similar size. For the 32-weight types llama.cpp has
// no fallback and stops ("Unsupported tensor size encountered"); we take its last resort
// instead (F16, what it uses when even the fallback does not fit), so that small models
// such as stories260K (ffn 172) still quantise.
GgmlType fallback_type(GgmlType type, const GgufTensorInfo& t) {
  GgmlType to = GgmlType::F16;
  switch (type) {
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
      throw UnsupportedError("tensor '" + t.name + "': row length " + std::to_string(t.ne[0]) +
                             " needs llama.cpp's IQ4_NL fallback for " +
                             std::string(type_name(type)) + ", which we cannot write");
    case GgmlType::Q4_K:
      to = GgmlType::Q5_0;
      break;
    case GgmlType::Q5_K:
      to = GgmlType::Q5_1;
      break;
    case GgmlType::Q6_K:
      to = GgmlType::Q8_0;
      break;
    default:
      break;
  }
  if (t.ne[0] % type_traits(to).block_size != 0) to = GgmlType::F16;
  return to;
}

}  // namespace

std::vector<TensorPlan> plan_quantization(const GgufFile& file, QuantMix mix) {
  TypeRules rules(mix, read_facts(file));
  std::vector<TensorPlan> plan;
  for (size_t index : llama_quantize_order(file)) {
    const GgufTensorInfo& t = file.tensors()[index];
    TensorPlan p;
    p.index = index;
    p.quantize = wants_quantization(t);
    if (p.quantize) {
      p.type = rules.choose(t);
      if (t.ne[0] % type_traits(p.type).block_size != 0) {
        const GgmlType chosen = p.type;
        p.type = fallback_type(chosen, t);
        p.fallback = true;
        p.note = "row length " + std::to_string(t.ne[0]) + " is not a multiple of " +
                 std::to_string(type_traits(chosen).block_size) + " (" +
                 std::string(type_name(chosen)) + "), using " + std::string(type_name(p.type));
      }
    }
    plan.push_back(std::move(p));
  }
  return plan;
}

}  // namespace tq

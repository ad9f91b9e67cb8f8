#include "engine/synth/synth_plan.h"

#include <cctype>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace tq {
namespace {

struct FileTypeName {
  SynthFileType type;
  std::string_view name;
};
constexpr FileTypeName kFileTypes[] = {
    {SynthFileType::F32, "F32"},       {SynthFileType::F16, "F16"},
    {SynthFileType::BF16, "BF16"},     {SynthFileType::Q8_0, "Q8_0"},
    {SynthFileType::Q4_0, "Q4_0"},     {SynthFileType::Q4_K_M, "Q4_K_M"},
    {SynthFileType::Q5_K_M, "Q5_K_M"}, {SynthFileType::Q6_K, "Q6_K"},
};

bool is_k_mixture(SynthFileType t) {
  return t == SynthFileType::Q4_K_M || t == SynthFileType::Q5_K_M || t == SynthFileType::Q6_K;
}

bool has_quantiser(GgmlType t, int64_t row) {
  const TypeTraits* tr = find_type_traits(static_cast<uint32_t>(t));
  return tr != nullptr && tr->from_float != nullptr && row % tr->block_size == 0;
}

// Llama 3.1+ "llama3" RoPE scaling, stored as per-dimension frequency divisors: long
// wavelengths are stretched by `factor`, short ones kept, the band between interpolated
// (low_freq_factor 1, high_freq_factor 4, as in Meta's configs).
std::vector<float> llama3_rope_factors(const SynthShape& s) {
  const double low_freq_factor = 1.0, high_freq_factor = 4.0;
  const double orig = s.rope_llama3_orig_ctx, factor = s.rope_llama3_factor;
  const double low_wavelen = orig / low_freq_factor, high_wavelen = orig / high_freq_factor;
  const int32_t hd = s.head_size();
  std::vector<float> out;
  for (int32_t i = 0; i < hd / 2; ++i) {
    const double freq = 1.0 / std::pow(static_cast<double>(s.rope_base), 2.0 * i / hd);
    const double wavelen = 2.0 * std::numbers::pi / freq;
    double f = 1.0;
    if (wavelen > low_wavelen) {
      f = factor;
    } else if (wavelen >= high_wavelen) {
      const double smooth =
          (orig / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor);
      f = 1.0 / ((1.0 - smooth) / factor + smooth);
    }
    out.push_back(static_cast<float>(f));
  }
  return out;
}

void add_hparams(const SynthShape& s, SynthFileType ftype, GgufMetadata& md) {
  auto put = [&](std::string key, GgufValue v) { md.emplace_back(std::move(key), std::move(v)); };
  auto u32 = [](int64_t v) { return GgufValue::of(static_cast<uint32_t>(v)); };
  const std::string p = s.arch + ".";
  put("general.architecture", GgufValue::of(s.arch));
  put("general.name", GgufValue::of(s.display_name));
  // Anyone who finds one of these files should learn at once that it says nothing.
  put("general.description",
      GgufValue::of(std::string("random weights with the shape of a real model, for "
                                "benchmarks; written by triptyque synth")));
  put("general.file_type", u32(static_cast<uint32_t>(ftype)));
  put(p + "vocab_size", u32(s.n_vocab));
  put(p + "context_length", u32(s.n_ctx_train));
  put(p + "embedding_length", u32(s.n_embd));
  put(p + "block_count", u32(s.n_layer));
  put(p + "feed_forward_length", u32(s.n_ff));
  put(p + "rope.dimension_count", u32(s.head_size()));
  put(p + "attention.head_count", u32(s.n_head));
  put(p + "attention.head_count_kv", u32(s.n_head_kv));
  if (s.head_dim > 0) {
    put(p + "attention.key_length", u32(s.head_dim));
    put(p + "attention.value_length", u32(s.head_dim));
  }
  put(p + "attention.layer_norm_rms_epsilon", GgufValue::of(s.rms_eps));
  put(p + "rope.freq_base", GgufValue::of(s.rope_base));
  if (ftype != SynthFileType::F32 && ftype != SynthFileType::F16 && ftype != SynthFileType::BF16)
    put("general.quantization_version", u32(2));
}

}  // namespace

std::optional<SynthFileType> synth_file_type_from_name(std::string_view name) {
  for (const auto& f : kFileTypes) {
    if (f.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size(); ++i)
      same = same && std::toupper(static_cast<unsigned char>(name[i])) == f.name[i];
    if (same) return f.type;
  }
  return std::nullopt;
}

std::string_view synth_file_type_name(SynthFileType t) {
  for (const auto& f : kFileTypes)
    if (f.type == t) return f.name;
  return "unknown";
}

std::string synth_file_type_names() {
  std::string s;
  for (const auto& f : kFileTypes) s += (s.empty() ? "" : ", ") + std::string(f.name);
  return s;
}

int64_t SynthTensor::n_elements() const {
  int64_t n = 1;
  for (int64_t d : ne) n *= d;
  return n;
}

uint64_t SynthTensor::nbytes() const {
  return row_size(type, ne[0]) * static_cast<uint64_t>(n_elements() / ne[0]);
}

uint64_t SynthPlan::n_params() const {
  uint64_t n = 0;
  for (const auto& t : tensors)
    if (t.name != "rope_freqs.weight") n += static_cast<uint64_t>(t.n_elements());
  return n;
}

uint64_t SynthPlan::n_bytes() const {
  uint64_t n = 0;
  for (const auto& t : tensors) n += t.nbytes();
  return n;
}

GgmlType synth_tensor_type(SynthFileType ftype, const std::string& name,
                           const std::vector<int64_t>& ne, bool is_output_matrix) {
  if (ne.size() < 2) return GgmlType::F32;
  switch (ftype) {
    case SynthFileType::F32:
      return GgmlType::F32;
    case SynthFileType::F16:
      return GgmlType::F16;
    case SynthFileType::BF16:
      return GgmlType::BF16;
    case SynthFileType::Q8_0:
      return GgmlType::Q8_0;
    case SynthFileType::Q4_0:
      // llama-quantize keeps the output matrix at Q6_K (it decides the next token, and
      // quantisation error there shows directly); Q8_0 is its own fallback for Q6_K.
      if (!is_output_matrix) return GgmlType::Q4_0;
      return has_quantiser(GgmlType::Q6_K, ne[0]) ? GgmlType::Q6_K : GgmlType::Q8_0;
    default:
      throw UnsupportedError("tensor '" + name + "': type " +
                             std::string(synth_file_type_name(ftype)) +
                             " needs the K-quant quantisers, which this build does not have yet");
  }
}

SynthPlan plan_synth_model(const SynthShape& base, const SynthOptions& opt) {
  if (opt.n_layer < 0 || opt.n_layer > 1024)
    throw InputError("--layers " + std::to_string(opt.n_layer) + " is outside [1, 1024]");
  if (is_k_mixture(opt.type))
    throw UnsupportedError("--type " + std::string(synth_file_type_name(opt.type)) +
                           ": the K-quant quantisers (src/engine/quantize) are not in this "
                           "build yet; use F32, F16, BF16, Q8_0 or Q4_0");
  SynthPlan plan;
  plan.shape = base;
  if (opt.n_layer > 0) plan.shape.n_layer = opt.n_layer;
  plan.file_type = opt.type;
  const SynthShape& s = plan.shape;
  add_hparams(s, opt.type, plan.metadata);
  add_synth_vocab(s, plan.metadata);

  const int64_t n_q = int64_t{s.n_head} * s.head_size();
  const int64_t n_kv = int64_t{s.n_head_kv} * s.head_size();
  auto add = [&](std::string name, std::vector<int64_t> ne, WeightInit init,
                 bool is_output = false) {
    SynthTensor t;
    t.type = synth_tensor_type(opt.type, name, ne, is_output);
    t.name = std::move(name);
    t.ne = std::move(ne);
    t.init = init;
    plan.tensors.push_back(std::move(t));
  };
  // Tensor order as llama.cpp's converter writes it.
  if (s.rope_llama3_factor > 0.0f) {
    add("rope_freqs.weight", {s.head_size() / 2}, WeightInit::Given);
    plan.tensors.back().values = llama3_rope_factors(s);
  }
  add("token_embd.weight", {s.n_embd, s.n_vocab}, WeightInit::Normal, s.tied_embeddings);
  for (int32_t i = 0; i < s.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    add(b + "attn_norm.weight", {s.n_embd}, WeightInit::Ones);
    add(b + "attn_q.weight", {s.n_embd, n_q}, WeightInit::Normal);
    if (s.qkv_bias) add(b + "attn_q.bias", {n_q}, WeightInit::Normal);
    add(b + "attn_k.weight", {s.n_embd, n_kv}, WeightInit::Normal);
    if (s.qkv_bias) add(b + "attn_k.bias", {n_kv}, WeightInit::Normal);
    add(b + "attn_v.weight", {s.n_embd, n_kv}, WeightInit::Normal);
    if (s.qkv_bias) add(b + "attn_v.bias", {n_kv}, WeightInit::Normal);
    add(b + "attn_output.weight", {n_q, s.n_embd}, WeightInit::Normal);
    add(b + "ffn_norm.weight", {s.n_embd}, WeightInit::Ones);
    add(b + "ffn_gate.weight", {s.n_embd, s.n_ff}, WeightInit::Normal);
    add(b + "ffn_up.weight", {s.n_embd, s.n_ff}, WeightInit::Normal);
    add(b + "ffn_down.weight", {s.n_ff, s.n_embd}, WeightInit::Normal);
  }
  add("output_norm.weight", {s.n_embd}, WeightInit::Ones);
  if (!s.tied_embeddings) add("output.weight", {s.n_embd, s.n_vocab}, WeightInit::Normal, true);
  return plan;
}

}  // namespace tq

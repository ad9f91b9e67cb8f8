#include "engine/synth/synth_plan.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "core/error.h"
#include "engine/gguf/gguf_stream.h"

namespace tq {
namespace {

struct FloatTypeName {
  GgmlType type;
  std::string_view name;
  uint32_t file_type;  // LLAMA_FTYPE_ALL_F32, _MOSTLY_F16, _MOSTLY_BF16
};
constexpr FloatTypeName kFloatTypes[] = {
    {GgmlType::F32, "F32", 0}, {GgmlType::F16, "F16", 1}, {GgmlType::BF16, "BF16", 32}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The per-tensor types `triptyque quantize` would give this model: its rules read names,
// shapes and a few hyper-parameters from a GgufFile, so we hand them one that has the
// layout and no data (a sparse file, written and removed in milliseconds).
void apply_quant_mix(SynthPlan& plan, QuantMix mix) {
  GgufStreamWriter layout;
  for (const auto& [key, value] : plan.metadata)
    if (key.rfind("tokenizer.", 0) != 0) layout.set(key, value);
  for (const auto& t : plan.tensors) layout.add_tensor_info(t.name, t.type, t.ne);
  static std::atomic<int> counter{0};
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("tq-synth-layout-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".gguf");
  std::vector<TensorPlan> types;
  try {
    layout.write_layout(path.string());
    auto file = GgufFile::open(path.string());
    std::filesystem::remove(path);  // the mapping stays valid while we read it
    types = plan_quantization(*file, mix);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw;
  }
  for (const TensorPlan& tp : types)
    if (tp.quantize) plan.tensors.at(tp.index).type = tp.type;
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

void add_hparams(const SynthShape& s, const SynthType& type, GgufMetadata& md) {
  auto put = [&](std::string key, GgufValue v) { md.emplace_back(std::move(key), std::move(v)); };
  auto u32 = [](int64_t v) { return GgufValue::of(static_cast<uint32_t>(v)); };
  const std::string p = s.arch + ".";
  put("general.architecture", GgufValue::of(s.arch));
  put("general.name", GgufValue::of(s.display_name));
  // Anyone who finds one of these files should learn at once that it says nothing.
  put("general.description",
      GgufValue::of(std::string("random weights with the shape of a real model, for "
                                "benchmarks; written by triptyque synth")));
  put("general.file_type", u32(type.file_type()));
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
  if (type.mix) put("general.quantization_version", u32(2));
}

}  // namespace

std::string SynthType::name() const {
  if (mix) return std::string(quant_mix_info(*mix).name);
  for (const auto& f : kFloatTypes)
    if (f.type == float_type) return std::string(f.name);
  return std::string(type_name(float_type));
}

uint32_t SynthType::file_type() const {
  if (mix) return quant_mix_info(*mix).ftype;
  for (const auto& f : kFloatTypes)
    if (f.type == float_type) return f.file_type;
  return 0;
}

std::optional<SynthType> synth_type_from_name(std::string_view name) {
  for (const auto& f : kFloatTypes)
    if (iequals(f.name, name)) return SynthType{f.type, std::nullopt};
  if (auto mix = quant_mix_from_name(name)) return SynthType{GgmlType::F32, *mix};
  return std::nullopt;
}

std::string synth_type_names() {
  return "F32, F16, BF16, " + quant_mix_names();
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

SynthPlan plan_synth_model(const SynthShape& base, const SynthOptions& opt) {
  if (opt.n_layer < 0 || opt.n_layer > 1024)
    throw InputError("--layers " + std::to_string(opt.n_layer) + " is outside [1, 1024]");
  SynthPlan plan;
  plan.shape = base;
  if (opt.n_layer > 0) plan.shape.n_layer = opt.n_layer;
  plan.type = opt.type;
  const SynthShape& s = plan.shape;
  add_hparams(s, opt.type, plan.metadata);
  add_synth_vocab(s, plan.metadata);

  const int64_t n_q = int64_t{s.n_head} * s.head_size();
  const int64_t n_kv = int64_t{s.n_head_kv} * s.head_size();
  // Converters store vectors (norms, biases) as F32 and matrices in the chosen float type;
  // a quantisation mix then re-types the matrices below.
  auto add = [&](std::string name, std::vector<int64_t> ne, WeightInit init) {
    SynthTensor t;
    t.type = ne.size() < 2 || opt.type.mix ? GgmlType::F32 : opt.type.float_type;
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
  add("token_embd.weight", {s.n_embd, s.n_vocab}, WeightInit::Normal);
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
  if (!s.tied_embeddings) add("output.weight", {s.n_embd, s.n_vocab}, WeightInit::Normal);
  if (opt.type.mix) apply_quant_mix(plan, *opt.type.mix);
  return plan;
}

}  // namespace tq

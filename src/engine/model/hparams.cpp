#include "engine/model/hparams.h"

#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace tq {
namespace {

int32_t required_int(const GgufFile& f, const std::string& key) {
  auto v = f.get_uint(key);
  if (!v)
    throw InputError(f.path() + ": metadata key '" + key +
                     "' is missing (required for this architecture)");
  if (*v == 0 || *v > (1u << 30))
    throw InputError(f.path() + ": metadata key '" + key + "' = " + std::to_string(*v) +
                     " is out of range");
  return static_cast<int32_t>(*v);
}

int32_t optional_int(const GgufFile& f, const std::string& key, int32_t fallback) {
  auto v = f.get_uint(key);
  if (!v) return fallback;
  if (*v == 0 || *v > (1u << 30))
    throw InputError(f.path() + ": metadata key '" + key + "' = " + std::to_string(*v) +
                     " is out of range");
  return static_cast<int32_t>(*v);
}

}  // namespace

ModelHParams ModelHParams::from_gguf(const GgufFile& f, RopeStyle rope_style) {
  ModelHParams hp;
  hp.arch = f.get_string("general.architecture").value_or("");
  hp.name = f.get_string("general.name").value_or("");
  const std::string p = hp.arch + ".";

  hp.n_embd = required_int(f, p + "embedding_length");
  hp.n_layer = required_int(f, p + "block_count");
  hp.n_head = required_int(f, p + "attention.head_count");
  hp.n_ff = required_int(f, p + "feed_forward_length");
  hp.n_ctx_train = optional_int(f, p + "context_length", 2048);
  hp.n_head_kv = optional_int(f, p + "attention.head_count_kv", hp.n_head);
  if (hp.n_embd % hp.n_head != 0)
    throw InputError(f.path() + ": embedding_length " + std::to_string(hp.n_embd) +
                     " is not a multiple of head_count " + std::to_string(hp.n_head));
  hp.head_dim = optional_int(f, p + "attention.key_length", hp.n_embd / hp.n_head);
  const int32_t v_len = optional_int(f, p + "attention.value_length", hp.head_dim);
  if (v_len != hp.head_dim)
    throw UnsupportedError(f.path() + ": attention.value_length " + std::to_string(v_len) +
                           " differs from key_length " + std::to_string(hp.head_dim));
  if (hp.n_head % hp.n_head_kv != 0)
    throw InputError(f.path() + ": head_count " + std::to_string(hp.n_head) +
                     " is not a multiple of head_count_kv " + std::to_string(hp.n_head_kv));
  if (auto eps = f.get_float(p + "attention.layer_norm_rms_epsilon"))
    hp.norm_rms_eps = static_cast<float>(*eps);
  if (auto eps = f.get_float(p + "attention.layer_norm_epsilon"))
    hp.norm_eps = static_cast<float>(*eps);

  hp.rope.style = rope_style;
  hp.rope.n_rot = optional_int(f, p + "rope.dimension_count", hp.head_dim);
  if (hp.rope.n_rot > hp.head_dim || hp.rope.n_rot % 2 != 0)
    throw InputError(f.path() + ": rope.dimension_count " + std::to_string(hp.rope.n_rot) +
                     " must be even and at most the head size " + std::to_string(hp.head_dim));
  hp.rope.freq_base = static_cast<float>(f.get_float(p + "rope.freq_base").value_or(10000.0));
  // Linear scaling ("rope.scaling.type" = linear, or the older "rope.scale_linear").
  double factor = 0.0;
  const std::string scaling = f.get_string(p + "rope.scaling.type").value_or("");
  if (scaling == "linear" || scaling.empty()) {
    factor = f.get_float(p + "rope.scaling.factor").value_or(0.0);
    if (factor == 0.0) factor = f.get_float(p + "rope.scale_linear").value_or(0.0);
  } else if (scaling != "none") {
    throw UnsupportedError(f.path() + ": rope scaling type '" + scaling +
                           "' is not supported (supported: none, linear; llama3-style "
                           "rope_freqs tensors are applied)");
  }
  hp.rope.freq_scale = factor > 0.0 ? static_cast<float>(1.0 / factor) : 1.0f;
  return hp;
}

}  // namespace tq

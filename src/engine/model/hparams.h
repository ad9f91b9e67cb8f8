// Hyper-parameters of a model, read from GGUF metadata under the architecture's prefix
// ("llama.embedding_length", "qwen2.rope.freq_base", …). Where a key is absent we use
// the default llama.cpp uses, so a file loads the same way in both.
#pragma once

#include <cstdint>
#include <string>

#include "engine/model/ops.h"

namespace tq {

class GgufFile;

struct ModelHParams {
  std::string arch;  // general.architecture
  std::string name;  // general.name (may be empty)
  int32_t n_vocab = 0;
  int32_t n_ctx_train = 0;     // {arch}.context_length
  int32_t n_embd = 0;          // {arch}.embedding_length
  int32_t n_layer = 0;         // {arch}.block_count
  int32_t n_head = 0;          // {arch}.attention.head_count
  int32_t n_head_kv = 0;       // {arch}.attention.head_count_kv (default: n_head)
  int32_t n_ff = 0;            // {arch}.feed_forward_length
  int32_t head_dim = 0;        // {arch}.attention.key_length (default: n_embd / n_head)
  float norm_rms_eps = 1e-5f;  // {arch}.attention.layer_norm_rms_epsilon
  float norm_eps = 1e-12f;     // {arch}.attention.layer_norm_epsilon (BERT)
  RopeParams rope;             // base, scaling, n_rot ({arch}.rope.dimension_count)

  int32_t n_embd_kv() const { return n_head_kv * head_dim; }
  int32_t n_embd_q() const { return n_head * head_dim; }

  // Reads the common keys; `rope_style` is the architecture's convention.
  static ModelHParams from_gguf(const GgufFile& file, RopeStyle rope_style);
};

}  // namespace tq

// Shapes of real small models, for building random-weight stand-ins ("synth" models):
// same architecture metadata, tensor names and shapes as the published GGUF files, so
// benchmarks on them read the same bytes per token as the real thing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

// Which synthetic tokenizer a shape gets; mirrors the real model's tokenizer kind.
enum class SynthTokenizer { SPM, BPE };

struct SynthSpecialToken {
  int32_t id;
  std::string text;
};

struct SynthShape {
  std::string name;  // --shape value: "tinyllama-1.1b", …
  std::string arch;  // general.architecture
  std::string display_name;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t n_ff = 0;
  int32_t n_vocab = 0;
  int32_t head_dim = 0;  // 0: n_embd / n_head
  int32_t n_ctx_train = 0;
  float rope_base = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied_embeddings = false;  // no output.weight: token_embd doubles as the output matrix
  bool qkv_bias = false;         // qwen2 has biases on Q, K and V
  // Llama-3 "rope_freqs" (per-dimension frequency factors); 0 = none.
  float rope_llama3_factor = 0.0f;
  int32_t rope_llama3_orig_ctx = 0;

  SynthTokenizer tokenizer = SynthTokenizer::SPM;
  std::string tokenizer_pre;  // tokenizer.ggml.pre for BPE
  std::vector<SynthSpecialToken> specials;
  int32_t bos = -1, eos = -1, eot = -1;
  bool add_bos = false;
  bool hidden = false;  // small test shapes: not offered in --help

  int32_t head_size() const { return head_dim > 0 ? head_dim : n_embd / n_head; }
};

// Every known shape, the real ones first.
const std::vector<SynthShape>& synth_shapes();
// Throws InputError listing the offered names when `name` is unknown.
const SynthShape& find_synth_shape(std::string_view name);
// "tinyllama-1.1b, qwen2.5-0.5b, …" (hidden test shapes left out).
std::string synth_shape_names();

}  // namespace tq

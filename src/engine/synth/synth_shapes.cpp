// Hyper-parameters from the models' config.json / published GGUF metadata. Parameter
// counts these give (checked in tests): TinyLlama 1,100,048,384; Qwen2.5-0.5B
// 494,032,768; Llama-3.2-1B 1,235,814,400; SmolLM2-360M 361,821,120.
#include "engine/synth/synth_shapes.h"

#include "core/error.h"

namespace tq {
namespace {

SynthShape tinyllama() {
  SynthShape s;
  s.name = "tinyllama-1.1b", s.arch = "llama", s.display_name = "TinyLlama 1.1B (synthetic)";
  s.n_embd = 2048, s.n_layer = 22, s.n_head = 32, s.n_head_kv = 4, s.n_ff = 5632;
  s.n_vocab = 32000, s.n_ctx_train = 2048, s.rope_base = 10000.0f, s.rms_eps = 1e-5f;
  s.tokenizer = SynthTokenizer::SPM;  // <unk>=0, <s>=1, </s>=2 as in Llama 2's tokenizer
  s.specials = {{0, "<unk>"}, {1, "<s>"}, {2, "</s>"}};
  s.bos = 1, s.eos = 2, s.add_bos = true;
  return s;
}

SynthShape qwen25_05b() {
  SynthShape s;
  s.name = "qwen2.5-0.5b", s.arch = "qwen2", s.display_name = "Qwen2.5 0.5B (synthetic)";
  s.n_embd = 896, s.n_layer = 24, s.n_head = 14, s.n_head_kv = 2, s.n_ff = 4864;
  s.n_vocab = 151936, s.n_ctx_train = 32768, s.rope_base = 1000000.0f, s.rms_eps = 1e-6f;
  s.tied_embeddings = true, s.qkv_bias = true;
  s.tokenizer = SynthTokenizer::BPE, s.tokenizer_pre = "qwen2";
  s.specials = {{151643, "<|endoftext|>"}, {151644, "<|im_start|>"}, {151645, "<|im_end|>"}};
  s.bos = 151643, s.eos = 151645;
  return s;
}

SynthShape llama32_1b() {
  SynthShape s;
  s.name = "llama-3.2-1b", s.arch = "llama", s.display_name = "Llama 3.2 1B (synthetic)";
  s.n_embd = 2048, s.n_layer = 16, s.n_head = 32, s.n_head_kv = 8, s.n_ff = 8192;
  s.n_vocab = 128256, s.head_dim = 64, s.n_ctx_train = 131072, s.rope_base = 500000.0f;
  s.rms_eps = 1e-5f, s.tied_embeddings = true;
  s.rope_llama3_factor = 32.0f, s.rope_llama3_orig_ctx = 8192;
  s.tokenizer = SynthTokenizer::BPE, s.tokenizer_pre = "llama-bpe";
  // Ids 128000..128255 are Llama 3's special tokens; the ones a chat needs get their names.
  for (int32_t id = 128000; id < 128256; ++id)
    s.specials.push_back({id, "<|reserved_special_token_" + std::to_string(id - 128000) + "|>"});
  s.specials[0].text = "<|begin_of_text|>";
  s.specials[1].text = "<|end_of_text|>";
  s.specials[6].text = "<|start_header_id|>";
  s.specials[7].text = "<|end_header_id|>";
  s.specials[9].text = "<|eot_id|>";
  s.bos = 128000, s.eos = 128001, s.eot = 128009, s.add_bos = true;
  return s;
}

SynthShape smollm2_360m() {
  SynthShape s;
  s.name = "smollm2-360m", s.arch = "llama", s.display_name = "SmolLM2 360M (synthetic)";
  s.n_embd = 960, s.n_layer = 32, s.n_head = 15, s.n_head_kv = 5, s.n_ff = 2560;
  s.n_vocab = 49152, s.n_ctx_train = 8192, s.rope_base = 100000.0f, s.rms_eps = 1e-5f;
  s.tied_embeddings = true;
  s.tokenizer = SynthTokenizer::BPE, s.tokenizer_pre = "smollm";
  s.specials = {{0, "<|endoftext|>"}, {1, "<|im_start|>"}, {2, "<|im_end|>"}};
  s.bos = 1, s.eos = 2;
  return s;
}

// Test shapes: the same code paths (SPM + llama, BPE + qwen2 with biases and tied
// embeddings) at a size that writes and runs in milliseconds; rows of 256 so that the
// K-quant types apply without fallbacks.
SynthShape tiny_llama() {
  SynthShape s = tinyllama();
  s.name = "tiny-llama", s.display_name = "tiny llama (synthetic test shape)";
  s.n_embd = 256, s.n_layer = 2, s.n_head = 4, s.n_head_kv = 2, s.n_ff = 512;
  s.n_vocab = 1024, s.n_ctx_train = 256, s.hidden = true;
  return s;
}

SynthShape tiny_qwen2() {
  SynthShape s = qwen25_05b();
  s.name = "tiny-qwen2", s.display_name = "tiny qwen2 (synthetic test shape)";
  s.n_embd = 256, s.n_layer = 2, s.n_head = 4, s.n_head_kv = 2, s.n_ff = 512;
  s.n_vocab = 1024, s.n_ctx_train = 256, s.hidden = true;
  s.specials = {{1021, "<|endoftext|>"}, {1022, "<|im_start|>"}, {1023, "<|im_end|>"}};
  s.bos = 1021, s.eos = 1023;
  return s;
}

}  // namespace

const std::vector<SynthShape>& synth_shapes() {
  static const std::vector<SynthShape> shapes = {tinyllama(),    qwen25_05b(), llama32_1b(),
                                                 smollm2_360m(), tiny_llama(), tiny_qwen2()};
  return shapes;
}

std::string synth_shape_names() {
  std::string names;
  for (const auto& s : synth_shapes())
    if (!s.hidden) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

const SynthShape& find_synth_shape(std::string_view name) {
  for (const auto& s : synth_shapes())
    if (s.name == name) return s;
  throw InputError("unknown model shape '" + std::string(name) +
                   "' (known: " + synth_shape_names() + ")");
}

}  // namespace tq

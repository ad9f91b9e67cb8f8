// The pre-norm decoder-only transformer shared by the llama family (Llama 2/3, Mistral,
// TinyLlama, SmolLM) and qwen2: RMSNorm → attention with RoPE and grouped KV heads →
// residual → RMSNorm → SwiGLU feed-forward → residual. Architectures differ in tensor
// names, biases and RoPE style, which arch_*.cpp set up.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/weights.h"

namespace tq {

class WeightLoader;

struct DecoderLayer {
  WeightVector attn_norm;     // (n_embd)
  WeightMatrix wq, wk, wv;    // (n_embd → n_head*head_dim), (n_embd → n_head_kv*head_dim) ×2
  WeightVector bq, bk, bv;    // optional biases (qwen2)
  WeightMatrix wo;            // (n_head*head_dim → n_embd)
  WeightVector bo;            // optional
  WeightVector ffn_norm;      // (n_embd)
  WeightMatrix w_gate, w_up;  // (n_embd → n_ff)
  WeightMatrix w_down;        // (n_ff → n_embd)
};

struct DecoderWeights {
  WeightMatrix tok_embd;     // (n_embd, n_vocab): row i is token i's embedding
  WeightVector output_norm;  // (n_embd)
  WeightMatrix output;       // (n_embd → n_vocab); token_embd when the file ties them
  std::vector<DecoderLayer> layers;
  WeightVector rope_freqs;  // optional (head_dim/2): Llama-3.1 frequency factors
};

// Reads the standard GGUF tensor names (token_embd, blk.N.attn_q, …, output) for a
// llama-like decoder. `qkv_bias` makes blk.N.attn_{q,k,v}.bias required.
DecoderWeights load_decoder_weights(WeightLoader& loader, const ModelHParams& hp, bool qkv_bias);

class DecoderModel : public Model {
 public:
  DecoderModel(std::shared_ptr<GgufFile> file, std::shared_ptr<const Vocab> vocab, ModelHParams hp,
               DecoderWeights weights, std::deque<std::vector<float>> storage);

  void forward(ThreadPool& pool, const Batch& batch, KvCache& cache, const ForwardRequest& req,
               ForwardOutput& out) const override;

 private:
  void attention(ThreadPool& pool, int32_t layer, const Batch& batch, const KvCache& cache,
                 const float* q, float* out) const;

  DecoderWeights w_;
  std::deque<std::vector<float>> storage_;  // F32 copies of small tensors stored as F16
};

}  // namespace tq

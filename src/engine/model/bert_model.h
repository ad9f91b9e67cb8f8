// The encoder of BERT-style embedding models (architecture "bert": bge, all-MiniLM, e5).
// Token + token-type + learned absolute position embeddings, LayerNorm, then post-norm
// blocks as BERT has them:
//   x = LN(x + Wo·Attention(x));  x = LN(x + Wdown·GELU(Wup·x))
// with every token attending to every token of its own sequence (non-causal). The hidden
// states it returns are the last block's output (BERT has no separate output norm).
//
// Non-causal means a token's state depends on the tokens after it, so a sequence cannot
// grow after the fact as a decoder's does. Each forward therefore carries whole
// sequences: positions 0..len-1 of each (several sequences may be interleaved in one
// batch; each attends only to its own tokens). The KvCache passed in bounds sequence ids
// and positions and lends its storage as F16 scratch for the fast attention kernel;
// nothing is kept in it between calls (its lengths stay 0), so one cache serves batch
// after batch.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/weights.h"

namespace tq {

struct BertLayer {
  WeightMatrix wq, wk, wv, wo;  // (n_embd → n_embd)
  WeightVector bq, bk, bv, bo;
  WeightVector attn_out_norm, attn_out_norm_b;    // LayerNorm after attention + residual
  WeightMatrix ffn_up, ffn_down;                  // (n_embd → n_ff), (n_ff → n_embd)
  WeightVector ffn_up_b, ffn_down_b;              //
  WeightVector layer_out_norm, layer_out_norm_b;  // LayerNorm after the feed-forward
};

struct BertWeights {
  WeightMatrix tok_embd;   // (n_embd, n_vocab)
  WeightMatrix type_embd;  // (n_embd, n_token_types): token_types.weight
  WeightMatrix pos_embd;   // (n_embd, n_positions): position_embd.weight
  WeightVector embd_norm, embd_norm_b;
  std::vector<BertLayer> layers;
};

class BertModel : public Model {
 public:
  BertModel(std::shared_ptr<GgufFile> file, std::shared_ptr<const Vocab> vocab, ModelHParams hp,
            BertWeights weights, std::deque<std::vector<float>> storage);

  bool causal() const override { return false; }

  // Fills out.hidden for the tokens marked want_output. BERT has no language-model head:
  // asking for logits is an UnsupportedError.
  void forward(ThreadPool& pool, const Batch& batch, KvCache& cache, const ForwardRequest& req,
               ForwardOutput& out) const override;

 private:
  // Batch indices of each sequence's tokens, in position order.
  using SeqTokens = std::vector<std::vector<int64_t>>;
  SeqTokens check_whole_sequences(const Batch& batch, const KvCache& cache) const;
  void attention(ThreadPool& pool, const Batch& batch, const SeqTokens& seqs, const float* q,
                 const float* k, const float* v, float* out) const;

  BertWeights w_;
  std::deque<std::vector<float>> storage_;  // F32 copies of small tensors stored as F16
};

}  // namespace tq

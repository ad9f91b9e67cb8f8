#include "engine/model/bert_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/fp16.h"
#include "core/thread_pool.h"
#include "engine/model/ops.h"

namespace tq {
namespace {

// llama.cpp's CPU GELU is not the F32 formula: with GGML_GELU_FP16 (always defined) it
// rounds the input to F16, reads the tanh-approximation GELU of that value from a 64K
// table stored as F16, and passes large |x| through. We compute the same values directly
// (no table) so that the pass stays as close to llama.cpp as the rest of it.
void gelu_like_ggml(float* x, int64_t n) {
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoef = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v <= -10.0f) {
      x[i] = 0.0f;
    } else if (v < 10.0f) {
      const float h = fp16_to_fp32(fp32_to_fp16(v));
      const float g = 0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoef * h * h)));
      x[i] = fp16_to_fp32(fp32_to_fp16(g));
    }
  }
}

}  // namespace

BertModel::BertModel(std::shared_ptr<GgufFile> file, std::shared_ptr<const Vocab> vocab,
                     ModelHParams hp, BertWeights weights, std::deque<std::vector<float>> storage)
    : w_(std::move(weights)), storage_(std::move(storage)) {
  file_ = std::move(file);
  vocab_ = std::move(vocab);
  hparams_ = std::move(hp);
}

BertModel::SeqTokens BertModel::check_whole_sequences(const Batch& batch,
                                                      const KvCache& cache) const {
  SeqTokens seqs(static_cast<size_t>(cache.n_seq()));
  // Said before validate_batch's generic "does not continue" so the reason is clear.
  for (size_t i = 0;
       i < batch.tokens.size() && i < batch.seq_ids.size() && i < batch.positions.size(); ++i) {
    const int32_t seq = batch.seq_ids[i], pos = batch.positions[i];
    if (seq < 0 || seq >= cache.n_seq()) continue;  // validate_batch reports it
    if (seqs[static_cast<size_t>(seq)].empty() && pos != 0)
      throw InputError("bert: sequence " + std::to_string(seq) + " starts at position " +
                       std::to_string(pos) +
                       "; a non-causal model runs whole sequences, from position 0, in one "
                       "forward pass");
    seqs[static_cast<size_t>(seq)].push_back(static_cast<int64_t>(i));
  }
  validate_batch(batch, cache);
  for (size_t i = 0; i < batch.positions.size(); ++i)
    if (batch.positions[i] >= w_.pos_embd.n_out)
      throw InputError("bert: position " + std::to_string(batch.positions[i]) +
                       " is beyond the model's " + std::to_string(w_.pos_embd.n_out) +
                       " learned positions");
  return seqs;
}

void BertModel::attention(ThreadPool& pool, const Batch& batch, const SeqTokens& seqs,
                          const float* q, const float* k, const float* v, float* out) const {
  const ModelHParams& hp = hparams_;
  const int32_t hd = hp.head_dim;
  const int32_t group = hp.n_head / hp.n_head_kv;
  const int64_t NKV = hp.n_embd_kv();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t n = batch.size();

  size_t max_len = 0;
  int64_t work = 0;
  for (const auto& s : seqs) {
    max_len = std::max(max_len, s.size());
    work += static_cast<int64_t>(s.size() * s.size()) * hp.n_head * hd * 2;
  }

  // In F32 as llama.cpp's BERT graph computes it (KQ and KQV as F32
  // matrix products, softmax with the sum in double and its exp).
  pool.parallel_for_sized(work, n * hp.n_head, [&](int64_t begin, int64_t end) {
    std::vector<float> scores(max_len);
    for (int64_t job = begin; job < end; ++job) {
      const int64_t t = job / hp.n_head;
      const int32_t h = static_cast<int32_t>(job % hp.n_head);
      const int64_t kv_off = (h / group) * hd;
      const auto& toks = seqs[static_cast<size_t>(batch.seq_ids[static_cast<size_t>(t)])];
      const float* qh = q + (t * hp.n_head + h) * hd;
      float max = -INFINITY;
      for (size_t j = 0; j < toks.size(); ++j) {
        const float* kj = k + toks[j] * NKV + kv_off;
        float s = 0.0f;
        for (int32_t d = 0; d < hd; ++d) s += qh[d] * kj[d];
        scores[j] = s * scale;
        max = std::max(max, scores[j]);
      }
      double sum = 0.0;
      for (size_t j = 0; j < toks.size(); ++j) {
        scores[j] = ggml_expf(scores[j] - max);
        sum += static_cast<double>(scores[j]);
      }
      const float inv = static_cast<float>(1.0 / sum);
      float* o = out + (t * hp.n_head + h) * hd;
      std::fill(o, o + hd, 0.0f);
      for (size_t j = 0; j < toks.size(); ++j) {
        const float p = scores[j] * inv;
        const float* vj = v + toks[j] * NKV + kv_off;
        for (int32_t d = 0; d < hd; ++d) o[d] += p * vj[d];
      }
    }
  });
}

void BertModel::forward(ThreadPool& pool, const Batch& batch, KvCache& cache,
                        const ForwardRequest& req, ForwardOutput& out) const {
  if (req.logits)
    throw UnsupportedError(
        "bert: an embedding model has no language-model head, so no logits (ask for hidden "
        "states, e.g. triptyque embed)");
  const SeqTokens seqs = check_whole_sequences(batch, cache);
  const ModelHParams& hp = hparams_;
  const int64_t n = batch.size();
  const int64_t E = hp.n_embd, NQ = hp.n_embd_q(), NKV = hp.n_embd_kv(), FF = hp.n_ff;

  std::vector<float> x(static_cast<size_t>(n * E));  // residual stream
  std::vector<float> cur(static_cast<size_t>(n * E));
  std::vector<float> q(static_cast<size_t>(n * NQ)), att(static_cast<size_t>(n * NQ));
  std::vector<float> k(static_cast<size_t>(n * NKV)), v(static_cast<size_t>(n * NKV));
  std::vector<float> up(static_cast<size_t>(n * FF));

  // Every token is of type 0 ("sentence A"), as llama.cpp feeds them.
  std::vector<float> type0(static_cast<size_t>(E)), pos_row(static_cast<size_t>(E));
  embedding_row(w_.type_embd, 0, type0.data());
  for (int64_t t = 0; t < n; ++t) {
    float* row = x.data() + t * E;
    embedding_row(w_.tok_embd, batch.tokens[static_cast<size_t>(t)], row);
    embedding_row(w_.pos_embd, batch.positions[static_cast<size_t>(t)], pos_row.data());
    for (int64_t i = 0; i < E; ++i)
      row[i] = (row[i] + type0[static_cast<size_t>(i)]) + pos_row[static_cast<size_t>(i)];
  }
  layer_norm(x.data(), n, E, w_.embd_norm, w_.embd_norm_b, hp.norm_eps);

  for (int32_t il = 0; il < hp.n_layer; ++il) {
    const BertLayer& L = w_.layers[static_cast<size_t>(il)];

    // Attention, then the residual and a LayerNorm (post-norm).
    const MatmulTarget qkv[] = {{&L.wq, q.data()}, {&L.wk, k.data()}, {&L.wv, v.data()}};
    matmul_many(pool, qkv, x.data(), n);
    add_bias(q.data(), n, NQ, L.bq);
    add_bias(k.data(), n, NKV, L.bk);
    add_bias(v.data(), n, NKV, L.bv);
    attention(pool, batch, seqs, q.data(), k.data(), v.data(), att.data());
    matmul(pool, L.wo, att.data(), cur.data(), n);
    add_bias(cur.data(), n, E, L.bo);
    add_inplace(cur.data(), x.data(), n * E);
    layer_norm(cur.data(), n, E, L.attn_out_norm, L.attn_out_norm_b, hp.norm_eps);

    // Feed-forward (GELU), the residual from the attention output, a LayerNorm.
    matmul(pool, L.ffn_up, cur.data(), up.data(), n);
    add_bias(up.data(), n, FF, L.ffn_up_b);
    gelu_like_ggml(up.data(), n * FF);
    matmul(pool, L.ffn_down, up.data(), x.data(), n);
    add_bias(x.data(), n, E, L.ffn_down_b);
    add_inplace(x.data(), cur.data(), n * E);
    layer_norm(x.data(), n, E, L.layer_out_norm, L.layer_out_norm_b, hp.norm_eps);
  }

  // Cleared, not replaced: a caller that keeps `out` across passes keeps its allocations.
  out.batch_index.clear();
  out.logits.clear();
  out.hidden.clear();
  out.n_vocab = hp.n_vocab;
  out.n_embd = E;
  for (int64_t t = 0; t < n; ++t) {
    if (!batch.want_output[static_cast<size_t>(t)]) continue;
    out.batch_index.push_back(t);
    if (req.hidden) out.hidden.insert(out.hidden.end(), x.begin() + t * E, x.begin() + (t + 1) * E);
  }
}

}  // namespace tq

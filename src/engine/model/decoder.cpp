#include "engine/model/decoder.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>
#include <string>

#include "core/error.h"
#include "core/fp16.h"
#include "core/thread_pool.h"
#include "engine/model/ops.h"
#include "engine/model/weight_loader.h"

namespace tq {

DecoderWeights load_decoder_weights(WeightLoader& ld, const ModelHParams& hp, bool qkv_bias) {
  DecoderWeights w;
  w.tok_embd = ld.matrix("token_embd.weight", hp.n_embd, hp.n_vocab);
  w.output_norm = ld.vector("output_norm.weight", hp.n_embd);
  // Tied embeddings: files without output.weight reuse the token embedding matrix.
  w.output = ld.optional_matrix("output.weight", hp.n_embd, hp.n_vocab);
  if (w.output.empty()) w.output = w.tok_embd;
  w.rope_freqs = ld.optional_vector("rope_freqs.weight", hp.rope.n_rot / 2);

  const int64_t nq = hp.n_embd_q(), nkv = hp.n_embd_kv();
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    DecoderLayer l;
    l.attn_norm = ld.vector(b + "attn_norm.weight", hp.n_embd);
    l.wq = ld.matrix(b + "attn_q.weight", hp.n_embd, nq);
    l.wk = ld.matrix(b + "attn_k.weight", hp.n_embd, nkv);
    l.wv = ld.matrix(b + "attn_v.weight", hp.n_embd, nkv);
    l.wo = ld.matrix(b + "attn_output.weight", nq, hp.n_embd);
    if (qkv_bias) {
      l.bq = ld.vector(b + "attn_q.bias", nq);
      l.bk = ld.vector(b + "attn_k.bias", nkv);
      l.bv = ld.vector(b + "attn_v.bias", nkv);
    } else {
      l.bq = ld.optional_vector(b + "attn_q.bias", nq);
      l.bk = ld.optional_vector(b + "attn_k.bias", nkv);
      l.bv = ld.optional_vector(b + "attn_v.bias", nkv);
    }
    l.bo = ld.optional_vector(b + "attn_output.bias", hp.n_embd);
    l.ffn_norm = ld.vector(b + "ffn_norm.weight", hp.n_embd);
    l.w_gate = ld.matrix(b + "ffn_gate.weight", hp.n_embd, hp.n_ff);
    l.w_up = ld.matrix(b + "ffn_up.weight", hp.n_embd, hp.n_ff);
    l.w_down = ld.matrix(b + "ffn_down.weight", hp.n_ff, hp.n_embd);
    w.layers.push_back(l);
  }
  return w;
}

DecoderModel::DecoderModel(std::shared_ptr<GgufFile> file, std::shared_ptr<const Vocab> vocab,
                           ModelHParams hp, DecoderWeights weights,
                           std::deque<std::vector<float>> storage)
    : w_(std::move(weights)), storage_(std::move(storage)) {
  file_ = std::move(file);
  vocab_ = std::move(vocab);
  hparams_ = std::move(hp);
  hparams_.rope.freq_factors = w_.rope_freqs.empty() ? nullptr : w_.rope_freqs.data;
}

void DecoderModel::attention(ThreadPool& pool, int32_t layer, const Batch& batch,
                             const KvCache& cache, const float* q, float* out) const {
  const ModelHParams& hp = hparams_;
  const int32_t hd = hp.head_dim;
  const int32_t group = hp.n_head / hp.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t n_tokens = batch.size();
  // Work grows with the longest context in the batch (every head reads it twice).
  int64_t max_ctx = 0;
  for (int32_t p : batch.positions) max_ctx = std::max<int64_t>(max_ctx, p + 1);
  const int64_t work = n_tokens * hp.n_head * max_ctx * hd * 2;
  pool.parallel_for_sized(work, n_tokens * hp.n_head, [&](int64_t begin, int64_t end) {
    std::vector<float> scores(static_cast<size_t>((max_ctx + 31) / 32 * 32));
    std::vector<float> lanes(static_cast<size_t>(16 * hd));
    for (int64_t job = begin; job < end; ++job) {
      const int64_t t = job / hp.n_head;
      const int32_t h = static_cast<int32_t>(job % hp.n_head);
      const int32_t seq = batch.seq_ids[static_cast<size_t>(t)];
      AttentionHead a;
      a.q = q + (t * hp.n_head + h) * hd;
      a.k = cache.k(layer, seq, 0) + (h / group) * hd;
      a.v = cache.v(layer, seq, 0) + (h / group) * hd;
      a.stride = static_cast<size_t>(cache.kv_width());
      a.head_dim = hd;
      a.n_kv = batch.positions[static_cast<size_t>(t)] + 1;  // causal: up to itself
      a.scale = scale;
      a.scores = scores.data();
      a.lanes = lanes.data();
      a.out = out + (t * hp.n_head + h) * hd;
      attention_head(a);
    }
  });
}

void DecoderModel::forward(ThreadPool& pool, const Batch& batch, KvCache& cache,
                           const ForwardRequest& req, ForwardOutput& out) const {
  validate_batch(batch, cache);
  const ModelHParams& hp = hparams_;
  const int64_t n = batch.size();
  const int64_t E = hp.n_embd, NQ = hp.n_embd_q(), NKV = hp.n_embd_kv(), FF = hp.n_ff;

  std::vector<float> x(static_cast<size_t>(n * E));  // residual stream
  std::vector<float> cur(static_cast<size_t>(n * E));
  std::vector<float> q(static_cast<size_t>(n * NQ)), att(static_cast<size_t>(n * NQ));
  std::vector<float> k(static_cast<size_t>(n * NKV)), v(static_cast<size_t>(n * NKV));
  std::vector<float> gate(static_cast<size_t>(n * FF)), up(static_cast<size_t>(n * FF));

  for (int64_t t = 0; t < n; ++t)
    embedding_row(w_.tok_embd, batch.tokens[static_cast<size_t>(t)], x.data() + t * E);

  // The steps between the matmuls work on each token's row alone, so a prompt shares them
  // out by tokens (same results in any split); for a few tokens they run inline, since a
  // parallel region would cost more than the work.
  auto per_token = [&](int64_t width, const std::function<void(int64_t, int64_t)>& fn) {
    pool.parallel_for_sized(n * width * 8, n, fn);
  };
  auto positions = [&](int64_t t0, int64_t t1) {
    return std::span<const int32_t>(batch.positions)
        .subspan(static_cast<size_t>(t0), static_cast<size_t>(t1 - t0));
  };

  for (int32_t il = 0; il < hp.n_layer; ++il) {
    const DecoderLayer& L = w_.layers[static_cast<size_t>(il)];

    // Attention block.
    per_token(E, [&](int64_t t0, int64_t t1) {
      std::copy(x.begin() + t0 * E, x.begin() + t1 * E, cur.begin() + t0 * E);
      rms_norm(cur.data() + t0 * E, t1 - t0, E, L.attn_norm, hp.norm_rms_eps);
    });
    const MatmulTarget qkv[] = {{&L.wq, q.data()}, {&L.wk, k.data()}, {&L.wv, v.data()}};
    matmul_many(pool, qkv, cur.data(), n);
    per_token(NQ + 2 * NKV, [&](int64_t t0, int64_t t1) {
      const int64_t nt = t1 - t0;
      add_bias(q.data() + t0 * NQ, nt, NQ, L.bq);
      add_bias(k.data() + t0 * NKV, nt, NKV, L.bk);
      add_bias(v.data() + t0 * NKV, nt, NKV, L.bv);
      rope(q.data() + t0 * NQ, nt, hp.n_head, hp.head_dim, positions(t0, t1), hp.rope);
      rope(k.data() + t0 * NKV, nt, hp.n_head_kv, hp.head_dim, positions(t0, t1), hp.rope);
      for (int64_t t = t0; t < t1; ++t) {
        const int32_t seq = batch.seq_ids[static_cast<size_t>(t)];
        const int32_t pos = batch.positions[static_cast<size_t>(t)];
        uint16_t* kc = cache.k(il, seq, pos);
        uint16_t* vc = cache.v(il, seq, pos);
        for (int64_t i = 0; i < NKV; ++i) {
          kc[i] = fp32_to_fp16(k[static_cast<size_t>(t * NKV + i)]);
          vc[i] = fp32_to_fp16(v[static_cast<size_t>(t * NKV + i)]);
        }
      }
    });
    attention(pool, il, batch, cache, q.data(), att.data());
    matmul(pool, L.wo, att.data(), cur.data(), n);

    // Residual, then the feed-forward block (SwiGLU).
    per_token(E, [&](int64_t t0, int64_t t1) {
      add_bias(cur.data() + t0 * E, t1 - t0, E, L.bo);
      add_inplace(x.data() + t0 * E, cur.data() + t0 * E, (t1 - t0) * E);
      std::copy(x.begin() + t0 * E, x.begin() + t1 * E, cur.begin() + t0 * E);
      rms_norm(cur.data() + t0 * E, t1 - t0, E, L.ffn_norm, hp.norm_rms_eps);
    });
    const MatmulTarget gate_up[] = {{&L.w_gate, gate.data()}, {&L.w_up, up.data()}};
    matmul_many(pool, gate_up, cur.data(), n);
    // One row at a time: ggml's silu takes its 16-float chunks per row.
    per_token(FF, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) swiglu(gate.data() + t * FF, up.data() + t * FF, FF);
    });
    matmul(pool, L.w_down, gate.data(), cur.data(), n);
    per_token(E, [&](int64_t t0, int64_t t1) {
      add_inplace(x.data() + t0 * E, cur.data() + t0 * E, (t1 - t0) * E);
    });
  }

  // Cache lengths advance only once the whole batch went through.
  for (int64_t t = 0; t < n; ++t) {
    const int32_t seq = batch.seq_ids[static_cast<size_t>(t)];
    const int32_t pos = batch.positions[static_cast<size_t>(t)];
    cache.set_length(seq, pos + 1);
  }

  // Final norm and logits for the requested rows only.
  // Cleared, not replaced: a caller that keeps `out` across passes keeps its allocations.
  out.batch_index.clear();
  out.logits.clear();
  out.hidden.clear();
  out.n_vocab = hp.n_vocab;
  out.n_embd = E;
  std::vector<float> rows;
  for (int64_t t = 0; t < n; ++t) {
    if (!batch.want_output[static_cast<size_t>(t)]) continue;
    out.batch_index.push_back(t);
    rows.insert(rows.end(), x.begin() + t * E, x.begin() + (t + 1) * E);
  }
  const int64_t n_out = static_cast<int64_t>(out.batch_index.size());
  rms_norm(rows.data(), n_out, E, w_.output_norm, hp.norm_rms_eps);
  if (req.hidden) out.hidden = rows;
  if (req.logits) {
    out.logits.resize(static_cast<size_t>(n_out * hp.n_vocab));
    matmul(pool, w_.output, rows.data(), out.logits.data(), n_out);
  }
}

}  // namespace tq

#include "engine/model/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/fp16.h"
#include "core/thread_pool.h"
#include "engine/model/simd_ops.h"
#include "engine/tensor/gemm.h"
#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/lane_order.h"
#include "engine/tensor/quantize_row.h"

namespace tq {

namespace {

// Output rows are computed in tiles of this many rows: a tile of weights stays in L1/L2
// while every token of the batch passes over it, so a prompt reads each weight once per
// tile instead of once per token.
constexpr int64_t kRowTile = 16;

// Activations converted for one vec_dot_type, shared by every target that needs it.
struct ConvertedActivations {
  GgmlType type = GgmlType::F32;
  size_t row_bytes = 0;
  const uint8_t* data = nullptr;
  std::vector<uint8_t> storage;
  // The same rows as panels (gemm_panel.h) for the targets whose kernels read one,
  // one per pack function.
  std::vector<std::pair<PanelPackFn, std::vector<uint8_t>>> panels;

  const uint8_t* panel(PanelPackFn pack) const {
    for (const auto& [fn, bytes] : panels)
      if (fn == pack) return bytes.data();
    return nullptr;
  }
};

}  // namespace

void matmul(ThreadPool& pool, const WeightMatrix& w, const float* x, float* y, int64_t n_tokens) {
  const MatmulTarget target{&w, y};
  matmul_many(pool, std::span<const MatmulTarget>(&target, 1), x, n_tokens);
}

void matmul_many(ThreadPool& pool, std::span<const MatmulTarget> targets, const float* x,
                 int64_t n_tokens) {
  if (targets.empty() || n_tokens == 0) return;
  const int64_t n_in = targets[0].w->n_in;
  std::vector<const TypeTraits*> traits;
  std::vector<GemmFn> gemms;
  std::vector<const PanelKernel*> panels;
  for (const MatmulTarget& t : targets) {
    gemms.push_back(gemm_kernel(t.w->type));
    const PanelKernel* pk = n_tokens >= kPanelMinTokens ? panel_kernel(t.w->type) : nullptr;
    panels.push_back(pk != nullptr && t.w->n_in % pk->row_multiple == 0 ? pk : nullptr);
    if (t.w->n_in != n_in) throw Error("matmul_many: targets differ in input width");
    const TypeTraits& wt = type_traits(t.w->type);
    if (wt.vec_dot == nullptr)
      throw UnsupportedError("no dot-product kernel for tensor type " + std::string(wt.name));
    traits.push_back(&wt);
  }

  // Convert the activations once per distinct vec_dot_type (Q/K/V or gate/up usually
  // share one), in parallel over tokens when there are enough of them.
  std::vector<ConvertedActivations> converted;
  std::vector<size_t> conv_of(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const GgmlType at = traits[i]->vec_dot_type;
    size_t c = 0;
    while (c < converted.size() && converted[c].type != at) ++c;
    if (c == converted.size()) {
      ConvertedActivations& ca = converted.emplace_back();
      ca.type = at;
      ca.row_bytes = row_size(at, n_in);
      if (at == GgmlType::F32) {
        ca.data = reinterpret_cast<const uint8_t*>(x);
      } else {
        ca.storage.resize(ca.row_bytes * static_cast<size_t>(n_tokens));
        auto convert = [&](int64_t t0, int64_t t1) {
          for (int64_t t = t0; t < t1; ++t)
            quantize_activations(at, x + t * n_in,
                                 ca.storage.data() + static_cast<size_t>(t) * ca.row_bytes, n_in);
        };
        if (n_tokens >= 4 * pool.size()) {
          pool.parallel_for(n_tokens, convert);
        } else {
          convert(0, n_tokens);
        }
        ca.data = ca.storage.data();
      }
    }
    conv_of[i] = c;
    ConvertedActivations& ca = converted[c];
    if (panels[i] != nullptr && ca.panel(panels[i]->pack) == nullptr) {
      const PanelKernel& pk = *panels[i];
      auto& panel = ca.panels.emplace_back(pk.pack, pk.panel_bytes(n_in, n_tokens));
      const int64_t n_groups = (n_tokens + kPanelTokens - 1) / kPanelTokens;
      pool.parallel_for(n_groups, [&](int64_t g0, int64_t g1) {
        panel.first(n_in, ca.data, ca.row_bytes, n_tokens, g0, g1, panel.second.data());
      });
    }
  }

  // One parallel region over the row tiles of all targets. Threads take contiguous runs
  // of tiles (so each streams a contiguous range of weights) from the pool's shared
  // counter rather than fixed halves: on a machine shared with other work one thread may
  // be descheduled for a while, and the other then carries on with the remaining runs.
  std::vector<int64_t> first_tile(targets.size() + 1, 0);
  for (size_t i = 0; i < targets.size(); ++i)
    first_tile[i + 1] = first_tile[i] + (targets[i].w->n_out + kRowTile - 1) / kRowTile;
  const int64_t n_tiles = first_tile.back();
  int64_t work = 0;
  for (const MatmulTarget& t : targets) work += t.w->n_out * n_in * n_tokens;
  pool.parallel_for_sized(work, n_tiles, [&](int64_t begin, int64_t end) {
    size_t ti = 0;
    for (int64_t tile = begin; tile < end; ++tile) {
      while (tile >= first_tile[ti + 1]) ++ti;
      const WeightMatrix& w = *targets[ti].w;
      const VecDotFn dot = traits[ti]->vec_dot;
      const ConvertedActivations& ca = converted[conv_of[ti]];
      const int64_t o0 = (tile - first_tile[ti]) * kRowTile;
      const int64_t o1 = std::min(w.n_out, o0 + kRowTile);
      if (panels[ti] != nullptr) {
        panels[ti]->run(n_in, w.row(o0), w.row_bytes, o1 - o0, ca.panel(panels[ti]->pack), n_tokens,
                        targets[ti].y + o0, w.n_out);
        continue;
      }
      if (gemms[ti] != nullptr) {
        gemms[ti](n_in, w.row(o0), w.row_bytes, o1 - o0, ca.data, ca.row_bytes, n_tokens,
                  targets[ti].y + o0, w.n_out);
        continue;
      }
      for (int64_t t = 0; t < n_tokens; ++t) {
        const uint8_t* a = ca.data + static_cast<size_t>(t) * ca.row_bytes;
        float* yt = targets[ti].y + t * w.n_out;
        for (int64_t o = o0; o < o1; ++o) yt[o] = dot(n_in, w.row(o), a);
      }
    }
  });
}

void embedding_row(const WeightMatrix& w, int64_t id, float* out) {
  const TypeTraits& t = type_traits(w.type);
  if (t.to_float == nullptr)
    throw UnsupportedError("cannot dequantise tensor type " + std::string(t.name));
  t.to_float(w.row(id), out, w.n_in);
}

void rms_norm(float* x, int64_t n_tokens, int64_t width, const WeightVector& weight, float eps) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* row = x + t * width;
    double sum = 0.0;
    for (int64_t i = 0; i < width; ++i) sum += static_cast<double>(row[i] * row[i]);
    const float mean = static_cast<float>(sum / static_cast<double>(width));
    const float scale = 1.0f / std::sqrt(mean + eps);
    for (int64_t i = 0; i < width; ++i) row[i] *= scale;
    if (!weight.empty())
      for (int64_t i = 0; i < width; ++i) row[i] *= weight.data[i];
  }
}

void layer_norm(float* x, int64_t n_tokens, int64_t width, const WeightVector& weight,
                const WeightVector& bias, float eps) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    float* row = x + t * width;
    double sum = 0.0;
    for (int64_t i = 0; i < width; ++i) sum += static_cast<double>(row[i]);
    const float mean = static_cast<float>(sum / static_cast<double>(width));
    double var = 0.0;
    for (int64_t i = 0; i < width; ++i) {
      row[i] -= mean;
      var += static_cast<double>(row[i] * row[i]);
    }
    const float scale =
        1.0f / std::sqrt(static_cast<float>(var / static_cast<double>(width)) + eps);
    for (int64_t i = 0; i < width; ++i) row[i] *= scale;
    if (!weight.empty())
      for (int64_t i = 0; i < width; ++i) row[i] *= weight.data[i];
    if (!bias.empty())
      for (int64_t i = 0; i < width; ++i) row[i] += bias.data[i];
  }
}

void add_bias(float* x, int64_t n_tokens, int64_t width, const WeightVector& bias) {
  if (bias.empty()) return;
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t i = 0; i < width; ++i) x[t * width + i] += bias.data[i];
}

void add_inplace(float* dst, const float* src, int64_t n) {
  if (avx2_ops_available()) return simd::add_avx2(dst, src, n);  // element-wise: identical
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

float ggml_expf(float x) {
  // Each step is one AVX-512 instruction there: fmadd/fnmadd are single roundings,
  // scalef is an exact power-of-two scaling for the range where it is used.
  const float r = 0x1.8p23f;
  const float z = std::fma(x, 0x1.715476p+0f, r);
  const float n = z - r;
  const float b = std::fma(-n, 0x1.7f7d1cp-20f, std::fma(-n, 0x1.62e4p-1f, x));
  const float u = b * b;
  const float p = std::fma(std::fma(std::fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                                    std::fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                           u, std::fma(0x1.ffffecp-1f, b, 1.0f));
  if (std::fabs(n) > 192.0f) return n <= 0.0f ? 0.0f : INFINITY;
  return std::ldexp(p, static_cast<int>(n));
}

void swiglu(float* gate, const float* up, int64_t n) {
  if (avx2_ops_available()) return simd::swiglu_avx2(gate, up, n);
  swiglu_reference(gate, up, n);
}

void swiglu_reference(float* gate, const float* up, int64_t n) {
  // llama.cpp: ggml_silu (x / (1 + exp(-x)), exp by ggml_expf for every full 16-float
  // chunk, libm expf for the rest) then ggml_mul by up. Chunks are per row there; they
  // coincide with chunks of the flat buffer because FFN widths are multiples of 16.
  const int64_t vec_end = n - n % 16;
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    const float e = i < vec_end ? ggml_expf(0.0f - g) : std::exp(-g);
    const float silu = g / (1.0f + e);
    gate[i] = silu * up[i];
  }
}

void gelu_inplace(float* x, int64_t n) {
  // The tanh approximation, which is what ggml_gelu computes for BERT models.
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoef = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * v * (1.0f + kCoef * v * v)));
  }
}

void rope(float* x, int64_t n_tokens, int32_t n_heads, int32_t head_dim,
          std::span<const int32_t> positions, const RopeParams& p) {
  // theta_i = pos * base^(-2i/n_rot), built by repeated multiplication in float exactly as
  // ggml's rope cache does, so the angles round the same way.
  const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.n_rot));
  std::vector<float> cos_cache(static_cast<size_t>(p.n_rot / 2));
  std::vector<float> sin_cache(cos_cache.size());
  for (int64_t t = 0; t < n_tokens; ++t) {
    float theta = static_cast<float>(positions[static_cast<size_t>(t)]);
    for (int32_t i = 0; i < p.n_rot / 2; ++i) {
      const float ff = p.freq_factors ? p.freq_factors[i] : 1.0f;
      const float angle = p.freq_scale * (theta / ff);
      cos_cache[static_cast<size_t>(i)] = std::cos(angle);
      sin_cache[static_cast<size_t>(i)] = std::sin(angle);
      theta *= theta_scale;
    }
    for (int32_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * head_dim;
      for (int32_t i = 0; i < p.n_rot / 2; ++i) {
        const int32_t a = p.style == RopeStyle::Normal ? 2 * i : i;
        const int32_t b = p.style == RopeStyle::Normal ? 2 * i + 1 : i + p.n_rot / 2;
        const float c = cos_cache[static_cast<size_t>(i)], s = sin_cache[static_cast<size_t>(i)];
        const float x0 = v[a], x1 = v[b];
        // ggml's rope_f32 writes x0*cos - x1*sin and x0*sin + x1*cos in C; GCC's default
        // -ffp-contract=fast fuses the first product of each into an FMA.
        v[a] = std::fma(x0, c, -(x1 * s));
        v[b] = std::fma(x0, s, x1 * c);
      }
    }
  }
}

void softmax(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = (x[i] == -INFINITY) ? 0.0f : std::exp(x[i] - max);
    x[i] = e;
    sum += static_cast<double>(e);
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void attention_head(const AttentionHead& a) {
  if (a.head_dim % 16 == 0 && a.head_dim <= 512) {
    if (avx512_ops_available()) return simd::attention_head_avx512(a);
    if (avx2_ops_available()) return simd::attention_head_avx2(a);
  }
  attention_head_reference(a);
}

void attention_head_reference(const AttentionHead& a) {
  constexpr int kLanes = 16;
  const int32_t hd = a.head_dim;
  float* scores = a.scores;
  float qh[512];
  if (hd > 512) throw Error("attention: head_dim above 512 is not supported");
  for (int32_t d = 0; d < hd; ++d) qh[d] = fp16_to_fp32(fp32_to_fp16(a.q[d]));
  const int32_t n_pad = (a.n_kv + 31) / 32 * 32;
  float max = -INFINITY;
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const uint16_t* kj = a.k + static_cast<size_t>(j) * a.stride;
    float s = 0.0f;
    if (hd % kLanes == 0) {
      float acc[kLanes] = {};
      for (int32_t d = 0; d < hd; ++d)
        acc[d % kLanes] = std::fma(fp16_to_fp32(kj[d]), qh[d], acc[d % kLanes]);
      s = quants::hsum16(acc);
    } else {
      double sd = 0.0;
      for (int32_t d = 0; d < hd; ++d) sd += static_cast<double>(fp16_to_fp32(kj[d]) * qh[d]);
      s = static_cast<float>(sd);
    }
    scores[j] = s * a.scale;
    max = std::max(max, scores[j]);
  }
  double sum = 0.0;
  for (int32_t c = 0; c < n_pad; c += kLanes) {
    float* chunk = scores + c;
    for (int l = 0; l < kLanes; ++l) chunk[l] = c + l < a.n_kv ? ggml_expf(chunk[l] - max) : 0.0f;
    sum += static_cast<double>(quants::hsum16(chunk));
  }
  const float inv = static_cast<float>(1.0 / sum);
  float* lanes = a.lanes;
  std::fill(lanes, lanes + static_cast<size_t>(hd) * kLanes, 0.0f);
  for (int32_t j = 0; j < a.n_kv; ++j) {
    const float p = fp16_to_fp32(fp32_to_fp16(scores[j] * inv));
    const uint16_t* vj = a.v + static_cast<size_t>(j) * a.stride;
    for (int32_t d = 0; d < hd; ++d) {
      float& acc = lanes[static_cast<size_t>(d) * kLanes + static_cast<size_t>(j % kLanes)];
      acc = std::fma(p, fp16_to_fp32(vj[d]), acc);
    }
  }
  for (int32_t d = 0; d < hd; ++d)
    a.out[d] = quants::hsum16(lanes + static_cast<size_t>(d) * kLanes);
}

}  // namespace tq

// Panel kernels (gemm_panel.h) for F16 and BF16 weights. Both references (quants_float.cpp)
// keep sixteen float lanes per output, folded by hsum16 at the end:
// - F16 against F32 activations: lane l takes elements ≡ l (mod 16),
//   acc_l = fma(a_i, w_i, acc_l) in element order.
// - BF16 against BF16 activations (rows a multiple of 32): lane j takes the pairs
//   p ≡ j (mod 16), adding the product of element 2p+1, then that of element 2p; the
//   products are exact, so each step is one rounding (vdpbf16ps's definition).
// Here each (row, lane) is a register of 16 tokens; four lanes of four rows run side by
// side. The panel holds, per group of 16 tokens, element i's (or pair p's) values for the
// 16 tokens in one 64-byte line, so one load serves four rows.
//
// vdpbf16ps differs from the reference in one respect: it treats subnormal inputs as zero
// and flushes subnormal results (DAZ/FTZ, whatever MXCSR says). It is used only where that
// cannot happen: when every nonzero weight of the tile and activation of the token group
// has a magnitude in [2^-56, 2^48), every product and partial sum is zero or a multiple of
// 2^-126 (so never subnormal) and stays below 2^127 (so never overflows). A tile or group
// outside that range takes the same loop with separate multiplies and adds, which is the
// reference's arithmetic exactly. Checked bit for bit in gemm_test.cpp.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "engine/tensor/gemm_panel.h"
#include "engine/tensor/panel_internal_avx512.h"
#include "engine/tensor/panel_layout.h"

namespace tq::quants {
namespace {

using namespace panel;

constexpr int kRows = 4;       // rows per pass
constexpr int kPassLanes = 4;  // lanes per pass

// Lane registers of one row tile for one token group, [row][lane], then folded.
struct LaneBuffer {
  __m512* lanes;  // n_rows × 16

  __m512& at(int64_t r, int l) const { return lanes[r * 16 + l]; }
  // hsum16 of the row's lanes, as _mm512_reduce_add_ps folds: upper eight onto the lower
  // eight, then hsum8.
  __m512 fold(int64_t r) const {
    __m512 f[8];
    for (int i = 0; i < 8; ++i) f[i] = _mm512_add_ps(at(r, i), at(r, i + 8));
    return _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(f[0], f[4]), _mm512_add_ps(f[2], f[6])),
                         _mm512_add_ps(_mm512_add_ps(f[1], f[5]), _mm512_add_ps(f[3], f[7])));
  }
};

// tile_scratch's buffer, 64-byte aligned for the lane registers.
uint8_t* aligned_scratch(size_t bytes) {
  uint8_t* p = tile_scratch(bytes + 63);
  return p + (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64;
}

// ---- F16 ------------------------------------------------------------------------------

size_t bytes_f32(int64_t n, int64_t n_tok) {
  return static_cast<size_t>(n) * 64 * static_cast<size_t>(n_groups(n_tok));
}

// Element i of the group's 16 tokens at 64·i.
void pack_f32(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
              uint8_t* panel) {
  alignas(64) int32_t off[kTokens];
  for (int t = 0; t < kTokens; ++t)
    off[t] = static_cast<int32_t>(static_cast<size_t>(t) * a_stride);
  const __m512i offsets = _mm512_load_si512(off);
  for (int64_t g = g0; g < g1; ++g) {
    const int64_t n_valid = n_tok - g * kTokens;
    const auto valid = static_cast<__mmask16>(n_valid >= kTokens ? 0xFFFF : (1u << n_valid) - 1);
    const uint8_t* rows = a + static_cast<size_t>(g * kTokens) * a_stride;
    uint8_t* out = panel + static_cast<size_t>(g) * static_cast<size_t>(n) * 64;
    for (int64_t i = 0; i < n; ++i)
      _mm512_storeu_si512(out + 64 * i, _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid,
                                                                    offsets, rows + 4 * i, 1));
  }
}

// Lanes l0 .. l0+3 of rows r0 .. r0+R-1: acc = fma(a_i, w_i, acc) for i ≡ l (mod 16).
template <int R>
void f16_lanes(int64_t n, const float* wf, int64_t r0, int l0, const uint8_t* gp,
               const LaneBuffer& buf) {
  __m512 acc[R][kPassLanes];
  for (auto& row : acc)
    for (__m512& v : row) v = _mm512_setzero_ps();
  const float* w[R];
  for (int r = 0; r < R; ++r) w[r] = wf + (r0 + r) * n;
  for (int64_t i = l0; i < n; i += 16) {
    const int lanes = n - i >= kPassLanes ? kPassLanes : static_cast<int>(n - i);
    if (lanes == kPassLanes) {
      __m512 a[kPassLanes];
      for (int k = 0; k < kPassLanes; ++k) a[k] = _mm512_loadu_ps(gp + 64 * (i + k));
      for (int r = 0; r < R; ++r)
        for (int k = 0; k < kPassLanes; ++k)
          acc[r][k] = _mm512_fmadd_ps(a[k], _mm512_set1_ps(w[r][i + k]), acc[r][k]);
    } else {  // the row's last elements: only some of these lanes have one
      for (int k = 0; k < lanes; ++k) {
        const __m512 a = _mm512_loadu_ps(gp + 64 * (i + k));
        for (int r = 0; r < R; ++r)
          acc[r][k] = _mm512_fmadd_ps(a, _mm512_set1_ps(w[r][i + k]), acc[r][k]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < kPassLanes; ++k) buf.at(r0 + r, l0 + k) = acc[r][k];
}

void run_f16(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* panel_data,
             int64_t n_tok, float* y, int64_t ys) {
  // The tile's weights as F32 (converted once, used by every token group), then the lanes.
  const size_t wf_bytes = (static_cast<size_t>(n_rows * n) * sizeof(float) + 63) / 64 * 64;
  uint8_t* mem = aligned_scratch(wf_bytes + static_cast<size_t>(n_rows) * 16 * sizeof(__m512));
  auto* wf = reinterpret_cast<float*>(mem);
  const LaneBuffer buf{reinterpret_cast<__m512*>(mem + wf_bytes)};
  for (int64_t r = 0; r < n_rows; ++r) {
    const auto* h = reinterpret_cast<const uint16_t*>(w + static_cast<size_t>(r) * ws);
    float* out = wf + r * n;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_ps(
          out + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(h + i))));
    for (; i < n; ++i) out[i] = _cvtsh_ss(h[i]);
  }
  for (int64_t g = 0; g < n_groups(n_tok); ++g) {
    const uint8_t* gp = panel_data + static_cast<size_t>(g) * static_cast<size_t>(n) * 64;
    for (int l0 = 0; l0 < 16; l0 += kPassLanes) {
      int64_t r = 0;
      for (; r + kRows <= n_rows; r += kRows) f16_lanes<kRows>(n, wf, r, l0, gp, buf);
      for (; r < n_rows; ++r) f16_lanes<1>(n, wf, r, l0, gp, buf);
    }
    for (int64_t r = 0; r < n_rows; ++r)
      store_tokens(buf.fold(r), y + g * kTokens * ys + r, ys, n_tok - g * kTokens);
  }
}

// ---- BF16 -----------------------------------------------------------------------------

// A group: a 64-byte header whose first dword is 1 when every activation is in the range
// where vdpbf16ps is exact (see the top of the file), then pair p's 16 tokens at
// 64 + 64·p.
size_t group_bytes_bf16(int64_t n) {
  return 64 + static_cast<size_t>(n / 2) * 64;
}

size_t bytes_bf16(int64_t n, int64_t n_tok) {
  return group_bytes_bf16(n) * static_cast<size_t>(n_groups(n_tok));
}

// Bit k of the result: word k of v is a nonzero BF16 outside [2^-56, 2^48) (or not finite).
inline __mmask32 outside_exact_range(__m512i v) {
  const __m512i mag = _mm512_and_si512(v, _mm512_set1_epi16(0x7FFF));
  const __m512i exp = _mm512_srli_epi16(mag, 7);  // biased: 2^-56 is 71, 2^48 is 175
  const __mmask32 nonzero = _mm512_test_epi16_mask(mag, mag);
  return nonzero & _mm512_cmpgt_epu16_mask(_mm512_sub_epi16(exp, _mm512_set1_epi16(71)),
                                           _mm512_set1_epi16(175 - 71 - 1));
}

void pack_bf16(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
               uint8_t* panel) {
  alignas(64) int32_t off[kTokens];
  for (int t = 0; t < kTokens; ++t)
    off[t] = static_cast<int32_t>(static_cast<size_t>(t) * a_stride);
  const __m512i offsets = _mm512_load_si512(off);
  for (int64_t g = g0; g < g1; ++g) {
    const int64_t n_valid = n_tok - g * kTokens;
    const auto valid = static_cast<__mmask16>(n_valid >= kTokens ? 0xFFFF : (1u << n_valid) - 1);
    const uint8_t* rows = a + static_cast<size_t>(g * kTokens) * a_stride;
    uint8_t* out = panel + static_cast<size_t>(g) * group_bytes_bf16(n);
    __mmask32 outside = 0;
    for (int64_t p = 0; p < n / 2; ++p) {
      const __m512i v =
          _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid, offsets, rows + 4 * p, 1);
      outside |= outside_exact_range(v);
      _mm512_storeu_si512(out + 64 + 64 * p, v);
    }
    const int32_t exact = outside == 0 ? 1 : 0;
    _mm512_storeu_si512(out, _mm512_set1_epi32(exact));
  }
}

inline int32_t load_i32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Lanes j0 .. j0+3 of rows r0 .. r0+R-1 over every 32-element block. kDot: vdpbf16ps;
// otherwise the two products and additions written out.
template <int R, bool kDot>
void bf16_lanes(int64_t n, const uint8_t* w, size_t ws, int64_t r0, int j0, const uint8_t* gp,
                const LaneBuffer& buf) {
  __m512 acc[R][kPassLanes];
  for (auto& row : acc)
    for (__m512& v : row) v = _mm512_setzero_ps();
  const uint8_t* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = w + static_cast<size_t>(r0 + r) * ws;
  const __m512i high = _mm512_set1_epi32(static_cast<int32_t>(0xFFFF0000u));
  for (int64_t p0 = j0; p0 < n / 2; p0 += 16) {
    __m512i a[kPassLanes];
    for (int k = 0; k < kPassLanes; ++k) a[k] = _mm512_loadu_si512(gp + 64 + 64 * (p0 + k));
    for (int r = 0; r < R; ++r)
      for (int k = 0; k < kPassLanes; ++k) {
        const __m512i wp = _mm512_set1_epi32(load_i32(rows[r] + 4 * (p0 + k)));
        if constexpr (kDot) {
          acc[r][k] = _mm512_dpbf16_ps(acc[r][k], reinterpret_cast<__m512bh>(a[k]),
                                       reinterpret_cast<__m512bh>(wp));
        } else {  // element 2p+1 (the high halves) first, then 2p
          const __m512 odd = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_and_si512(a[k], high)),
                                           _mm512_castsi512_ps(_mm512_and_si512(wp, high)));
          acc[r][k] = _mm512_add_ps(acc[r][k], odd);
          const __m512 even = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_slli_epi32(a[k], 16)),
                                            _mm512_castsi512_ps(_mm512_slli_epi32(wp, 16)));
          acc[r][k] = _mm512_add_ps(acc[r][k], even);
        }
      }
  }
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < kPassLanes; ++k) buf.at(r0 + r, j0 + k) = acc[r][k];
}

template <bool kDot>
void bf16_group(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* gp,
                const LaneBuffer& buf) {
  for (int j0 = 0; j0 < 16; j0 += kPassLanes) {
    int64_t r = 0;
    for (; r + kRows <= n_rows; r += kRows) bf16_lanes<kRows, kDot>(n, w, ws, r, j0, gp, buf);
    for (; r < n_rows; ++r) bf16_lanes<1, kDot>(n, w, ws, r, j0, gp, buf);
  }
}

// Whether every weight of the tile is in vdpbf16ps's exact range.
bool tile_in_exact_range(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows) {
  __mmask32 outside = 0;
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* row = w + static_cast<size_t>(r) * ws;
    for (int64_t i = 0; i < n; i += 32)  // n is a multiple of 32
      outside |= outside_exact_range(_mm512_loadu_si512(row + 2 * i));
  }
  return outside == 0;
}

void run_bf16(int64_t n, const uint8_t* w, size_t ws, int64_t n_rows, const uint8_t* panel_data,
              int64_t n_tok, float* y, int64_t ys) {
  const LaneBuffer buf{reinterpret_cast<__m512*>(
      aligned_scratch(static_cast<size_t>(n_rows) * 16 * sizeof(__m512)))};
  const bool tile_exact = tile_in_exact_range(n, w, ws, n_rows);
  for (int64_t g = 0; g < n_groups(n_tok); ++g) {
    const uint8_t* gp = panel_data + static_cast<size_t>(g) * group_bytes_bf16(n);
    if (tile_exact && load_i32(gp) == 1)
      bf16_group<true>(n, w, ws, n_rows, gp, buf);
    else
      bf16_group<false>(n, w, ws, n_rows, gp, buf);
    for (int64_t r = 0; r < n_rows; ++r)
      store_tokens(buf.fold(r), y + g * kTokens * ys + r, ys, n_tok - g * kTokens);
  }
}

constexpr PanelKernel kF16{GgmlType::F32, bytes_f32, pack_f32, run_f16, 1};
constexpr PanelKernel kBF16{GgmlType::BF16, bytes_bf16, pack_bf16, run_bf16, 32};

}  // namespace

const PanelKernel* panel_kernel_float_avx512(GgmlType type, bool has_bf16) {
  if (type == GgmlType::F16) return &kF16;
  if (type == GgmlType::BF16 && has_bf16) return &kBF16;
  return nullptr;
}

}  // namespace tq::quants

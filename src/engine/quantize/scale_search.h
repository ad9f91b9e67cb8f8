// Scale searches behind the K-quant reference quantisers. Each fits, for one small group of
// weights, the integer codes L and the float scale (and min) that reconstruct the group
// best under a weighted error, the way ggml's reference quantisers do. They are kept
// separate from the block packers because several formats share them.
//
// Every float expression is evaluated in the same order as in ggml-quants.c (and the
// build does not contract to FMA on baseline x86-64), so codes and scales come out bit
// for bit as llama-quantize's; the comment on each names the ggml function it reproduces.
#pragma once

#include <cstdint>

namespace tq::kquants {

// Groups whose largest magnitude is below this are stored as all zeros (GROUP_MAX_EPS).
inline constexpr float kGroupMaxEps = 1e-15f;

// Symmetric codes q in [-nmax, nmax-1] with scale s ≈ x / q, weighted by x² (ggml's
// make_qx_quants with rmse_type 1 and no importance weights). Starts from the scale that
// maps the largest-magnitude weight to -nmax, then tries 18 nearby scales and keeps the one
// with the best least-squares fit. L receives q + nmax. Returns the scale.
float fit_symmetric(int n, int nmax, const float* x, int8_t* L);

// Symmetric codes as above, refined by coordinate descent: each code in turn is moved to
// the value that best fits the current least-squares scale, five passes at most (ggml's
// make_q3_quants with do_rmse). L receives q + nmax. Returns the scale.
float fit_symmetric_refined(int n, int nmax, const float* x, int8_t* L);

// Asymmetric codes q in [0, nmax] with x ≈ scale·q − min, min ≥ 0 (ggml's make_qkx2_quants):
// starts from the min/max range, then for nstep+1 candidate inverse scales
// (nmax + rmin + rdelta·i) / range solves the weighted least-squares scale and min for the
// codes they give and keeps the lowest weighted error (absolute when use_mad, else
// squared). Returns the scale and writes the min (as a positive number) to *min_out.
// `aux` is scratch of n bytes.
float fit_scale_min(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                    float* min_out, uint8_t* aux, float rmin, float rdelta, int nstep,
                    bool use_mad);

}  // namespace tq::kquants

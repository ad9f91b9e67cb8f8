// Byte layout of the activation panels of gemm_panel.h, shared by the *_avx512.cpp files
// that write and read them.
//
// A panel is a sequence of groups of kTokens tokens (the last one padded with zero
// activations); a group is a sequence of blocks in row order, and a block holds, for the
// group's 16 tokens, the quants and the per-block numbers the kernels need:
//
//   32-weight blocks (Q8_0 or Q8_1 rows), Block32:
//     q[8][16][4]    i8   bytes 4k..4k+3 of token t's block (k = 0..7)
//     d[16]          f32  the token's block scale (from its F16)
//     s[16]          f32  Q8_1's d·Σq (from its F16); zero for Q8_0
//     start[16]      i32  −o·Σq over the block, o the weight format's offset (see below)
//     start4[8][16]  i32  −o·Σ of bytes 4k..4k+3, for the formats with eight float lanes
//   256-weight super-blocks (Q8_K rows), BlockK:
//     q[64][16][4]   i8   as above, k = 0..63
//     d[16]          f32
//     bsum[8][16]    i32  bsums[2p] (low half) and bsums[2p+1] (high half), as vpdpwssd
//                         pairs them with the weights' per-group mins
//     start[16][16]  i32  −32·bsums[g] for Q6_K, whose stored values are q + 32
//     lsum[8][16]    i32  Σ of bytes 32c + 4j .. 32c + 4j + 3 over the chunks c = 0..7,
//                         i.e. of eight-lane lane j (Q3_K's start, see
//                         gemm_panel_q23k_avx512.cpp)
//
// Weights enter vpdpbusd as its unsigned operand: each format's stored value, which is
// the signed weight plus an offset o (8 for Q4_0, 16 for Q5_0, 32 for Q6_K; Q8_0's bytes
// are flipped to q + 128; none for Q4_1, Q5_1, Q4_K, Q5_K). Every integer sum therefore
// starts from −o·Σa of its activations, which the panel holds ready per token.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tq::quants::panel {

inline constexpr int kTokens = 16;

struct Block32 {
  static constexpr size_t kQ = 0;
  static constexpr size_t kD = 8 * 64;
  static constexpr size_t kS = kD + 64;
  static constexpr size_t kStart = kS + 64;
  static constexpr size_t kStart4 = kStart + 64;
  static constexpr size_t kBytes = kStart4 + 8 * 64;
};

struct BlockK {
  static constexpr size_t kQ = 0;
  static constexpr size_t kD = 64 * 64;
  static constexpr size_t kBsum = kD + 64;
  static constexpr size_t kStart = kBsum + 8 * 64;
  static constexpr size_t kLsum = kStart + 16 * 64;
  static constexpr size_t kBytes = kLsum + 8 * 64;
};

inline size_t group_bytes(size_t block_bytes, int64_t n_blocks) {
  return block_bytes * static_cast<size_t>(n_blocks);
}

inline int64_t n_groups(int64_t n_tok) {
  return (n_tok + kTokens - 1) / kTokens;
}

}  // namespace tq::quants::panel

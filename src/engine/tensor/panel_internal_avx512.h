// Pieces shared by the AVX-512 panel files (include only from *_avx512.cpp): the panel
// packers, the per-thread scratch that holds a row tile's unpacked weights, and the store
// of one row's results for 16 tokens.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tq::quants::panel {

size_t bytes_32(int64_t n, int64_t n_tok);
size_t bytes_k(int64_t n, int64_t n_tok);
// Q8_0 rows for the weight formats with offsets 128 (Q8_0), 8 (Q4_0) and 16 (Q5_0).
void pack_q8_0_for_q8_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel);
void pack_q8_0_for_q4_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel);
void pack_q8_0_for_q5_0(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0,
                        int64_t g1, uint8_t* panel);
void pack_q8_1(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
               uint8_t* panel);
void pack_q8_K(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, int64_t g0, int64_t g1,
               uint8_t* panel);

// A thread's buffer for the unpacked weights of the row tile it works on; grows to the
// largest tile seen and is reused, so the hot path does not allocate.
inline uint8_t* tile_scratch(size_t bytes) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < bytes) buf.resize(bytes);
  return buf.data();
}

// The weights of the next row tile (matmul hands each thread consecutive tiles of a
// matrix, and a matrix's rows are consecutive), pulled into L2 a few lines per step of the
// current tile's work: unpacking otherwise waits on DRAM for every tile. Prefetches past
// the end of the mapping are harmless (they never fault).
class NextTilePrefetch {
 public:
  NextTilePrefetch(const uint8_t* tile_end, size_t bytes, int64_t steps)
      : next_(reinterpret_cast<const char*>(tile_end)),
        end_(next_ + bytes),
        lines_per_step_(steps > 0 ? static_cast<int>((bytes / 64 + static_cast<size_t>(steps)) /
                                                     static_cast<size_t>(steps))
                                  : 0) {}

  void step() {
    for (int i = 0; i < lines_per_step_ && next_ < end_; ++i, next_ += 64)
      _mm_prefetch(next_, _MM_HINT_T1);
  }

 private:
  const char* next_;
  const char* end_;
  int lines_per_step_;
};

// Writes lanes t < n_valid of one row's 16 token results to y[t * ys].
inline void store_tokens(__m512 v, float* y, int64_t ys, int64_t n_valid) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  const int64_t n = n_valid < 16 ? n_valid : 16;
  for (int64_t t = 0; t < n; ++t) y[t * ys] = lanes[t];
}

}  // namespace tq::quants::panel

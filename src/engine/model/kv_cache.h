// Keys and values of past tokens, per layer and per sequence, stored as F16 (llama.cpp's
// default cache type, which is also half the memory traffic of F32).
// Layout: [layer][sequence][position][n_head_kv * head_dim]. Each sequence owns n_ctx
// positions, so many sequences decode side by side in one batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tq {

class KvCache {
 public:
  KvCache(int32_t n_layer, int32_t n_seq, int32_t n_ctx, int32_t kv_width);

  int32_t n_ctx() const { return n_ctx_; }
  int32_t n_seq() const { return n_seq_; }
  int32_t kv_width() const { return kv_width_; }
  // Number of positions of `seq` filled so far.
  int32_t length(int32_t seq) const { return length_.at(static_cast<size_t>(seq)); }

  uint16_t* k(int32_t layer, int32_t seq, int32_t pos);
  uint16_t* v(int32_t layer, int32_t seq, int32_t pos);
  const uint16_t* k(int32_t layer, int32_t seq, int32_t pos) const;
  const uint16_t* v(int32_t layer, int32_t seq, int32_t pos) const;

  // Marks positions [0, new_length) as the sequence's content (after writing, or to roll
  // back / drop a suffix). Positions beyond are free for reuse.
  void set_length(int32_t seq, int32_t new_length);
  void clear(int32_t seq) { set_length(seq, 0); }
  // Copies the first n positions of `src` into `dst` (prefix reuse between sequences).
  void copy_prefix(int32_t src, int32_t dst, int32_t n);

  size_t bytes() const { return (k_.size() + v_.size()) * sizeof(uint16_t); }

 private:
  size_t index(int32_t layer, int32_t seq, int32_t pos) const;

  int32_t n_layer_, n_seq_, n_ctx_, kv_width_;
  std::vector<uint16_t> k_, v_;
  std::vector<int32_t> length_;
};

}  // namespace tq

#include "engine/model/kv_cache.h"

#include <cstring>
#include <string>

#include "core/error.h"

namespace tq {

KvCache::KvCache(int32_t n_layer, int32_t n_seq, int32_t n_ctx, int32_t kv_width)
    : n_layer_(n_layer),
      n_seq_(n_seq),
      n_ctx_(n_ctx),
      kv_width_(kv_width),
      length_(static_cast<size_t>(n_seq), 0) {
  const size_t n = static_cast<size_t>(n_layer) * n_seq * n_ctx * kv_width;
  k_.assign(n, 0);
  v_.assign(n, 0);
}

size_t KvCache::index(int32_t layer, int32_t seq, int32_t pos) const {
  return ((static_cast<size_t>(layer) * n_seq_ + seq) * n_ctx_ + pos) * kv_width_;
}

uint16_t* KvCache::k(int32_t layer, int32_t seq, int32_t pos) {
  return &k_[index(layer, seq, pos)];
}
uint16_t* KvCache::v(int32_t layer, int32_t seq, int32_t pos) {
  return &v_[index(layer, seq, pos)];
}
const uint16_t* KvCache::k(int32_t layer, int32_t seq, int32_t pos) const {
  return &k_[index(layer, seq, pos)];
}
const uint16_t* KvCache::v(int32_t layer, int32_t seq, int32_t pos) const {
  return &v_[index(layer, seq, pos)];
}

void KvCache::set_length(int32_t seq, int32_t new_length) {
  if (seq < 0 || seq >= n_seq_)
    throw Error("KV cache: sequence " + std::to_string(seq) + " out of range");
  if (new_length < 0 || new_length > n_ctx_)
    throw Error("KV cache: length " + std::to_string(new_length) + " outside [0, " +
                std::to_string(n_ctx_) + "]");
  length_[static_cast<size_t>(seq)] = new_length;
}

void KvCache::copy_prefix(int32_t src, int32_t dst, int32_t n) {
  if (n > length(src)) throw Error("KV cache: prefix longer than the source sequence");
  const size_t bytes = static_cast<size_t>(n) * kv_width_ * sizeof(uint16_t);
  for (int32_t l = 0; l < n_layer_; ++l) {
    std::memcpy(k(l, dst, 0), k(l, src, 0), bytes);
    std::memcpy(v(l, dst, 0), v(l, src, 0), bytes);
  }
  set_length(dst, n);
}

}  // namespace tq

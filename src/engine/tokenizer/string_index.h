// Internal: finds the id of a string among strings that are stored elsewhere (token texts,
// merge rules), with an open-addressing table of ids. A 150k-token vocabulary costs 2 MiB
// here against ~10 MiB for an unordered_map<std::string, int> (a node, a copy of the key
// and a bucket per entry), and the model's memory budget is counted in MiB.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace tq::detail {

class StringIndex {
 public:
  enum class Duplicates { KeepFirst, KeepLast };

  // Indexes ids [0, n) by key(id) (a std::string_view); an id whose key has a null
  // data() is left out.
  template <typename KeyOf>
  void build(int32_t n, KeyOf key, Duplicates dup) {
    size_t cap = 16;
    while (cap < static_cast<size_t>(n) * 2) cap *= 2;  // load factor at most 1/2
    slots_.assign(cap, -1);
    mask_ = cap - 1;
    for (int32_t id = 0; id < n; ++id) {
      const std::string_view k = key(id);
      if (k.data() == nullptr) continue;
      for (size_t s = hash(k) & mask_;; s = (s + 1) & mask_) {
        int32_t& slot = slots_[s];
        if (slot < 0) {
          slot = id;
          break;
        }
        if (key(slot) == k) {
          if (dup == Duplicates::KeepLast) slot = id;
          break;
        }
      }
    }
  }

  // The id whose key equals `text`, or -1. `key` must be the function given to build.
  template <typename KeyOf>
  int32_t find(std::string_view text, KeyOf key) const {
    if (slots_.empty()) return -1;
    for (size_t s = hash(text) & mask_;; s = (s + 1) & mask_) {
      const int32_t id = slots_[s];
      if (id < 0 || key(id) == text) return id;
    }
  }

 private:
  static size_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  std::vector<int32_t> slots_;  // an id, or -1 for an empty slot
  size_t mask_ = 0;
};

}  // namespace tq::detail

// The classifier's input features, fastText's recipe: every word, every pair of adjacent
// words, and the character n-grams of each word framed as "<word>" (so "livraison" and
// "livraisons" share most of them, and a typo still lands near the right word). Each
// feature is a 64-bit hash of its kind and text; the model keeps one vector per hash seen
// in training, so unseen features are simply absent (no bucket collisions).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tq::tasks {

struct FeatureConfig {
  uint32_t word_ngrams = 2;  // 1: words only; 2: and adjacent pairs
  uint32_t min_char_ngram = 3;
  uint32_t max_char_ngram = 5;  // 0 disables character n-grams
};

// Appends the feature hashes of `text` (folded first, see text_normalize.h) to `out`;
// a feature that occurs twice is listed twice, as in a bag of words.
void extract_features(std::string_view text, const FeatureConfig& config,
                      std::vector<uint64_t>& out);

}  // namespace tq::tasks

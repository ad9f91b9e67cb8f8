#include "tasks/classifier/features.h"

#include <string>

#include "tasks/classifier/text_normalize.h"

namespace tq::tasks {
namespace {

// FNV-1a then a splitmix64 finaliser: FNV alone mixes short strings' high bits poorly.
uint64_t hash_bytes(uint64_t seed, std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h == 0 ? 1 : h;  // 0 marks an empty slot in the model's index
}

constexpr uint64_t kWordSeed = 0x77;
constexpr uint64_t kPairSeed = 0x7070;
constexpr uint64_t kCharSeed = 0x636363;

}  // namespace

void extract_features(std::string_view text, const FeatureConfig& config,
                      std::vector<uint64_t>& out) {
  const std::vector<std::string> words = fold_words(text);
  for (const auto& w : words) out.push_back(hash_bytes(kWordSeed, w));
  if (config.word_ngrams >= 2) {
    std::string pair;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      pair.assign(words[i]).push_back(' ');
      pair += words[i + 1];
      out.push_back(hash_bytes(kPairSeed, pair));
    }
  }
  if (config.max_char_ngram == 0 || config.min_char_ngram == 0) return;
  std::string framed;
  for (const auto& w : words) {
    framed.assign("<").append(w).push_back('>');
    const std::vector<std::string_view> chars = utf8_chars(framed);
    for (size_t start = 0; start < chars.size(); ++start) {
      size_t end_byte = static_cast<size_t>(chars[start].data() - framed.data());
      const size_t begin_byte = end_byte;
      for (size_t n = 1; n <= config.max_char_ngram && start + n <= chars.size(); ++n) {
        end_byte += chars[start + n - 1].size();
        if (n < config.min_char_ngram) continue;
        if (n == chars.size()) continue;  // the whole "<word>" is the word feature already
        out.push_back(hash_bytes(
            kCharSeed, std::string_view(framed).substr(begin_byte, end_byte - begin_byte)));
      }
    }
  }
}

}  // namespace tq::tasks

// WordPiece (llama.cpp's llm_tokenizer_wpm). llama.cpp's converter stores BERT
// vocabularies in "phantom space" form: word-initial pieces carry a leading "▁" and
// continuation pieces lose their "##". So a word is matched as "▁" + word, greedily
// longest-first from each position; a word with any unmatched position becomes [UNK].
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab_impl.h"

namespace tq::detail {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";

bool is_chinese_char(uint32_t cp) {
  // BERT's CJK ranges (including the 0x2B920 start that HF's Rust code uses).
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

class WpmVocab final : public VocabImpl {
 public:
  void prepare(const VocabSpec&) override {}

  // Lower-cases, strips accents and splits into words: whitespace separates, punctuation,
  // ASCII symbols and CJK characters are words of their own; control characters vanish.
  // Accents: each code point is replaced by the first code point of its NFD form (what
  // llama.cpp's table-driven "NFD" does, one code point in, one out), and combining marks
  // are dropped, as BERT's strip_accents does.
  static std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words(1);
    for (uint32_t cp : unicode::decode_utf8(text)) {
      cp = unicode::nfd_first(cp);
      const auto f = unicode::flags(cp);
      if (f.whitespace) {
        if (!words.back().empty()) words.emplace_back();
        continue;
      }
      if (cp == 0 || cp == 0xFFFD || f.control || f.accent_mark) continue;
      const std::string s = unicode::encode_utf8(unicode::to_lower(cp));
      if (f.punctuation || (cp < 0x7F && f.symbol) || is_chinese_char(cp)) {
        if (!words.back().empty()) words.emplace_back();
        words.back() = s;
        words.emplace_back();
      } else {
        words.back() += s;
      }
    }
    if (words.back().empty()) words.pop_back();
    return words;
  }

 protected:
  void encode(std::string_view text, std::vector<TokenId>& out) const override {
    for (const std::string& word : split_words(text)) {
      if (word.empty()) continue;
      const std::string w = std::string(kSpace) + word;
      const size_t n = w.size();
      const size_t start = out.size();
      for (size_t i = 0; i < n;) {
        bool matched = false;
        for (size_t j = std::min(n, i + max_token_len_ + 1); j > i; --j) {
          const TokenId id = lookup(std::string_view(w).substr(i, j - i));
          if (id >= 0) {
            out.push_back(id);
            matched = true;
            i = j;
            break;
          }
        }
        if (!matched) {
          out.resize(start);
          break;
        }
      }
      if (out.size() == start && unk() >= 0) out.push_back(unk());
    }
  }

  std::string normal_piece(TokenId id) const override {
    // llama.cpp prints the stored text with "▁" turned back into a space.
    const std::string& t = token_text(id);
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t.compare(i, kSpace.size(), kSpace) == 0) {
        out += ' ';
        i += kSpace.size() - 1;
      } else {
        out += t[i];
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<VocabImpl> make_wpm_vocab() {
  return std::make_unique<WpmVocab>();
}

}  // namespace tq::detail

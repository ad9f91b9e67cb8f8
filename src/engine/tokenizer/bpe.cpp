// Byte-level BPE (llama.cpp's llm_tokenizer_bpe): pre-tokenize with the rule named by
// tokenizer.ggml.pre, map every byte to its GPT-2 code point, then merge adjacent symbols
// by merge rank (lowest first, leftmost on ties) within each pre-token.
#include <queue>

#include "core/error.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab_impl.h"

namespace tq::detail {
namespace {

struct Symbol {
  int prev, next;
  size_t offset, n;
};

struct Bigram {
  int left, right;
  int32_t rank;
  size_t size;
};
struct BigramOrder {  // lowest rank first, then leftmost
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.rank > r.rank || (l.rank == r.rank && l.left > r.left);
  }
};

class BpeVocab final : public VocabImpl {
 public:
  void prepare(const VocabSpec& spec) override {
    pre_ = pre_tokenizer_from_name(spec.pre);
    if (spec.merges.empty())
      throw InputError("tokenizer.ggml.merges: missing (required for gpt2 vocabularies)");
    // The rules are kept packed in one string; a rule without a space after its first
    // byte (where llama.cpp splits it) can never match and is left out of the index.
    size_t bytes = 0;
    for (const std::string& m : spec.merges) bytes += m.size();
    merges_.reserve(bytes);
    merge_ends_.reserve(spec.merges.size());
    for (const std::string& m : spec.merges) {
      merges_ += m;
      merge_ends_.push_back(merges_.size());
    }
    const auto n = static_cast<int32_t>(spec.merges.size());
    rank_index_.build(n, rule_of(/*splittable_only=*/true), StringIndex::Duplicates::KeepFirst);
  }

  const PreTokenizerInfo& pre() const { return pre_; }

 protected:
  void encode(std::string_view text, std::vector<TokenId>& out) const override {
    std::string word, key;
    std::vector<Symbol> symbols;
    for (const std::string& raw : pre_tokenize(pre_.type, text)) {
      word.clear();
      for (char c : raw) word += unicode::byte_to_utf8(static_cast<uint8_t>(c));
      symbols.clear();
      if (pre_.ignore_merges && lookup(word) >= 0) {
        symbols.push_back({-1, -1, 0, word.size()});
      } else {
        for (size_t off = 0; off < word.size();) {
          const size_t n =
              std::min(unicode::utf8_len(static_cast<uint8_t>(word[off])), word.size() - off);
          const int idx = static_cast<int>(symbols.size());
          symbols.push_back({idx - 1, off + n == word.size() ? -1 : idx + 1, off, n});
          off += n;
        }
      }
      merge(word, symbols, key);
      for (const Symbol& s : symbols) {
        if (s.n == 0) continue;
        const std::string_view piece(word.data() + s.offset, s.n);
        const TokenId id = lookup(piece);
        if (id >= 0) {
          out.push_back(id);
          continue;
        }
        // Not a token: llama.cpp looks up each byte of the encoded text as a one-byte
        // token and drops those that are not (only ASCII can be).
        for (char c : piece) {
          const TokenId b = lookup(std::string_view(&c, 1));
          if (b >= 0) out.push_back(b);
        }
      }
    }
  }

  std::string normal_piece(TokenId id) const override {
    // Undo the byte mapping; a character outside the 256 is passed through as UTF-8
    // (llama.cpp prints "[UNK_BYTE_0x…]" there).
    std::string out;
    for (uint32_t cp : unicode::decode_utf8(token_text(id))) {
      const int b = unicode::utf8_to_byte(cp);
      if (b >= 0)
        out += static_cast<char>(b);
      else
        unicode::append_utf8(out, cp);
    }
    return out;
  }

 private:
  int32_t rank(const std::string& word, const Symbol& l, const Symbol& r, std::string& key) const {
    key.assign(word, l.offset, l.n);
    key += ' ';
    key.append(word, r.offset, r.n);
    return rank_index_.find(key, rule_of(/*splittable_only=*/false));
  }

  void merge(const std::string& word, std::vector<Symbol>& symbols, std::string& key) const {
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    auto add = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      const Symbol& l = symbols[static_cast<size_t>(left)];
      const Symbol& r = symbols[static_cast<size_t>(right)];
      const int32_t rk = rank(word, l, r, key);
      if (rk >= 0) queue.push({left, right, rk, l.n + r.n});
    };
    for (size_t i = 1; i < symbols.size(); ++i) add(static_cast<int>(i - 1), static_cast<int>(i));
    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& l = symbols[static_cast<size_t>(b.left)];
      Symbol& r = symbols[static_cast<size_t>(b.right)];
      // Lengths only grow, so an unchanged total means both sides are as when queued.
      if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = b.left;
      add(l.prev, b.left);
      add(b.left, l.next);
    }
  }

  // The text of merge rule `rank`; with splittable_only, a null view for rules that have
  // no space after their first byte.
  struct RuleOf {
    const BpeVocab* v;
    bool splittable_only;
    std::string_view operator()(int32_t rank) const {
      const auto r = static_cast<size_t>(rank);
      const size_t begin = r == 0 ? 0 : v->merge_ends_[r - 1];
      const std::string_view rule(v->merges_.data() + begin, v->merge_ends_[r] - begin);
      if (splittable_only && (rule.size() < 2 || rule.find(' ', 1) == std::string_view::npos))
        return {};
      return rule;
    }
  };
  RuleOf rule_of(bool splittable_only) const { return RuleOf{this, splittable_only}; }

  PreTokenizerInfo pre_;
  std::string merges_;              // the "left right" rules, one after another, by rank
  std::vector<size_t> merge_ends_;  // where each rule ends in merges_
  StringIndex rank_index_;          // rule -> rank (a repeated rule keeps its first rank)
};

}  // namespace

std::unique_ptr<VocabImpl> make_bpe_vocab() {
  return std::make_unique<BpeVocab>();
}

}  // namespace tq::detail

// SentencePiece-style tokenizer (llama.cpp's llm_tokenizer_spm): spaces become "▁", then
// adjacent symbols are merged greedily by the score of the merged piece, and pieces that
// are not tokens fall back to <0xXX> byte tokens.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <unordered_map>

#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab_impl.h"

namespace tq::detail {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581 "▁"

struct Symbol {
  int prev, next;
  size_t offset, n;  // bytes of the text; n == 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  float score;
  size_t size;
};
// Highest score first; on ties the leftmost pair.
struct BigramOrder {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

class SpmVocab final : public VocabImpl {
 public:
  void prepare(const VocabSpec&) override {
    for (int b = 0; b < 256; ++b) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "<0x%02X>", b);
      TokenId id = lookup(buf);
      // Some vocabularies have the raw byte instead of <0xXX> (llama.cpp falls back too).
      if (id < 0) id = lookup(std::string(1, static_cast<char>(b)));
      byte_tokens_[static_cast<size_t>(b)] = id;
    }
  }

 protected:
  void encode(std::string_view raw, std::vector<TokenId>& out) const override {
    std::string text;
    text.reserve(raw.size() + 8);
    for (char c : raw) {
      if (c == ' ')
        text += kSpace;
      else
        text += c;
    }
    Session s{*this, text, {}, {}, {}};
    s.run(out);
  }

  std::string normal_piece(TokenId id) const override {
    const std::string& t = token_text(id);
    std::string out;
    out.reserve(t.size());
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

  std::string byte_piece(TokenId id) const override {
    const std::string& t = token_text(id);  // "<0xXX>"
    if (t.size() != 6) return {};
    return std::string(1, static_cast<char>(std::strtol(t.substr(3, 2).c_str(), nullptr, 16)));
  }

 private:
  struct Session {
    const SpmVocab& v;
    const std::string& text;
    std::vector<Symbol> symbols;
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    // Which pair formed a piece, to split pieces that are not tokens themselves. Keyed by
    // text and overwritten by later pairs, exactly as llama.cpp's rev_merge.
    StringMap<std::pair<int, int>> rev_merge;

    void try_add(int left, int right) {
      if (left < 0 || right < 0) return;
      const auto& l = symbols[static_cast<size_t>(left)];
      const auto& r = symbols[static_cast<size_t>(right)];
      const std::string_view piece(text.data() + l.offset, l.n + r.n);
      const TokenId id = v.lookup(piece);
      if (id < 0) return;
      queue.push({left, right, v.scores_[static_cast<size_t>(id)], piece.size()});
      rev_merge[std::string(piece)] = {left, right};
    }

    void run(std::vector<TokenId>& out) {
      for (size_t off = 0; off < text.size();) {
        const size_t n =
            std::min(unicode::utf8_len(static_cast<uint8_t>(text[off])), text.size() - off);
        const int idx = static_cast<int>(symbols.size());
        symbols.push_back({idx - 1, off + n == text.size() ? -1 : idx + 1, off, n});
        off += n;
      }
      if (symbols.empty()) return;
      for (size_t i = 1; i < symbols.size(); ++i)
        try_add(static_cast<int>(i - 1), static_cast<int>(i));
      while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        auto& l = symbols[static_cast<size_t>(b.left)];
        auto& r = symbols[static_cast<size_t>(b.right)];
        if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // stale pair
        l.n += r.n;
        r.n = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = b.left;
        try_add(l.prev, b.left);
        try_add(b.left, l.next);
      }
      for (int i = 0; i != -1; i = symbols[static_cast<size_t>(i)].next)
        resegment(symbols[static_cast<size_t>(i)], out, 0);
    }

    void resegment(const Symbol& s, std::vector<TokenId>& out, int depth) {
      const std::string_view piece(text.data() + s.offset, s.n);
      const TokenId id = v.lookup(piece);
      if (id >= 0) {
        out.push_back(id);
        return;
      }
      const auto it = rev_merge.find(piece);
      if (it == rev_merge.end() || depth > 64) {
        for (char c : piece) {
          const TokenId b = v.byte_tokens_[static_cast<uint8_t>(c)];
          // llama.cpp aborts when a byte has no token; fall back to <unk> instead.
          if (b >= 0)
            out.push_back(b);
          else if (v.unk() >= 0)
            out.push_back(v.unk());
        }
        return;
      }
      resegment(symbols[static_cast<size_t>(it->second.first)], out, depth + 1);
      resegment(symbols[static_cast<size_t>(it->second.second)], out, depth + 1);
    }
  };

  std::array<TokenId, 256> byte_tokens_{};
};

}  // namespace

std::unique_ptr<VocabImpl> make_spm_vocab() {
  return std::make_unique<SpmVocab>();
}

}  // namespace tq::detail

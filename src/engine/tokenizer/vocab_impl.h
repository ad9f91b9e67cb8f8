// Internal: what the three tokenizer kinds share (token lookup, special-token partition,
// the per-fragment loop with BOS/EOS and the SPM space prefix), and the kind-specific
// classes built by Vocab::from_spec.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/string_index.h"
#include "engine/tokenizer/vocab.h"

namespace tq::detail {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// llama.cpp's token attributes beyond the GGUF type: only set by its name-based quirks.
enum StripAttr : uint8_t { kLstrip = 1, kRstrip = 2 };

// A piece of the input after special-token partition: raw text, or a token already found.
struct Fragment {
  TokenId token = -1;  // -1: raw text
  size_t offset = 0, length = 0;
};

class VocabImpl : public Vocab {
 public:
  std::vector<TokenId> tokenize(std::string_view text, bool add_special,
                                bool parse_special) const override;
  std::string token_to_piece(TokenId id, bool special) const override;

  TokenId lookup(std::string_view text) const { return token_index_.find(text, text_of()); }
  // Splits text at control/user-defined/unknown token texts (tokenizer_st_partition).
  std::vector<Fragment> partition(std::string_view text, bool parse_special) const;

  // Called once by from_spec after the shared fields are filled.
  virtual void prepare(const VocabSpec& spec) = 0;
  void finish_load(const VocabSpec& spec);

  // Fields from_spec fills in.
  void set_kind(VocabKind k) { kind_ = k; }
  std::vector<std::string>& texts() { return texts_; }
  std::vector<float>& scores() { return scores_; }
  std::vector<TokenType>& types() { return types_; }
  void set_specials(TokenId bos, TokenId eos, TokenId eot, TokenId unk, TokenId sep, TokenId pad) {
    bos_ = bos, eos_ = eos, eot_ = eot, unk_ = unk, sep_ = sep, pad_ = pad;
  }
  void set_flags(bool add_bos, bool add_eos, bool add_space_prefix, bool clean_spaces) {
    add_bos_ = add_bos, add_eos_ = add_eos, add_space_prefix_ = add_space_prefix;
    clean_spaces_ = clean_spaces;
  }
  void set_eom(TokenId eom) { eom_ = eom; }

 protected:
  // Tokenizes one raw-text fragment (already space-prefixed for SPM).
  virtual void encode(std::string_view text, std::vector<TokenId>& out) const = 0;
  // The bytes of a NORMAL token.
  virtual std::string normal_piece(TokenId id) const = 0;
  virtual std::string byte_piece(TokenId id) const {
    (void)id;
    return {};
  }

  // The text of a token, as the key of token_index_.
  struct TextOf {
    const std::vector<std::string>* texts;
    std::string_view operator()(TokenId id) const { return (*texts)[static_cast<size_t>(id)]; }
  };
  TextOf text_of() const { return TextOf{&texts_}; }

  StringIndex token_index_;  // text -> id (a duplicate text finds its last id)
  std::vector<uint8_t> strip_attrs_;
  std::vector<TokenId> special_cache_;  // longest text first
  size_t max_token_len_ = 0;
  TokenId eom_ = -1;
};

std::unique_ptr<VocabImpl> make_spm_vocab();
std::unique_ptr<VocabImpl> make_bpe_vocab();
std::unique_ptr<VocabImpl> make_wpm_vocab();

// clean_up_tokenization_spaces as llama.cpp applies it after detokenizing.
std::string clean_up_spaces(std::string text);

}  // namespace tq::detail

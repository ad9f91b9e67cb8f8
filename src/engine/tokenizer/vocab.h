// Tokenizers read from GGUF metadata (tokenizer.ggml.*): SentencePiece (llama), byte-level
// BPE (gpt2, with the pre-tokenizer chosen by tokenizer.ggml.pre) and WordPiece (bert).
// Behaviour matches llama.cpp's llama-vocab, which the golden vectors come from.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

class GgufFile;

using TokenId = int32_t;

enum class VocabKind { SPM, BPE, WPM };

// tokenizer.ggml.token_type values.
enum class TokenType : int32_t {
  UNDEFINED = 0,
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
};

// Everything a vocabulary is built from: the tokenizer.ggml.* metadata, already read.
// from_gguf fills it from a file; tests and tools can fill it by hand.
struct VocabSpec {
  std::string model;                // tokenizer.ggml.model: "llama" | "gpt2" | "bert"
  std::string pre;                  // tokenizer.ggml.pre ("" = llama.cpp's default rule)
  std::string name;                 // general.name (llama.cpp keys a Phi-3 quirk on it)
  std::vector<std::string> tokens;  // tokenizer.ggml.tokens
  std::vector<float> scores;        // empty: all 0
  std::vector<int32_t> types;       // empty: all NORMAL
  std::vector<std::string> merges;  // BPE "left right", rank = index
  // Special ids; absent keeps llama.cpp's default for the kind. 0xFFFFFFFF / -1 means none.
  std::optional<int64_t> bos, eos, eot, eom, unk, sep, pad, cls;
  std::optional<bool> add_bos, add_eos, add_space_prefix;
};

class Vocab {
 public:
  // Throws InputError/UnsupportedError naming the key (e.g. an unknown tokenizer.ggml.pre).
  static std::shared_ptr<const Vocab> from_gguf(const GgufFile& file);
  // Validates (ids in range, array lengths) and builds; errors name the GGUF key.
  static std::shared_ptr<const Vocab> from_spec(VocabSpec spec);
  virtual ~Vocab() = default;

  // add_special: add BOS/EOS (and CLS/SEP for WordPiece) as the vocabulary's flags ask.
  // parse_special: recognise control/user-defined token texts inside `text`.
  virtual std::vector<TokenId> tokenize(std::string_view text, bool add_special,
                                        bool parse_special) const = 0;

  // The bytes a token stands for (SPM "▁" → space, byte tokens → the byte, BPE bytes
  // unmapped). Control tokens give "" unless `special` is set.
  virtual std::string token_to_piece(TokenId id, bool special) const = 0;

  // Concatenated pieces, with the leading-space rule of the vocabulary (SPM strips the
  // space the tokenizer added in front of the text when remove_space is set).
  std::string detokenize(const std::vector<TokenId>& ids, bool special) const;

  VocabKind kind() const { return kind_; }
  int32_t n_tokens() const { return static_cast<int32_t>(texts_.size()); }
  const std::string& token_text(TokenId id) const { return texts_.at(static_cast<size_t>(id)); }
  TokenType token_type(TokenId id) const { return types_.at(static_cast<size_t>(id)); }
  TokenId bos() const { return bos_; }  // -1 when none
  TokenId eos() const { return eos_; }
  TokenId eot() const { return eot_; }
  TokenId unk() const { return unk_; }
  TokenId sep() const { return sep_; }
  TokenId pad() const { return pad_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  // SPM: a "▁" is put in front of the text (and of text after a special token).
  bool add_space_prefix() const { return add_space_prefix_; }
  // End of generation: EOS, EOT and tokens such as <|im_end|> / <|eot_id|>.
  bool is_eog(TokenId id) const;
  bool is_control(TokenId id) const;
  TokenId find(std::string_view text) const;  // -1 when absent

 protected:
  VocabKind kind_ = VocabKind::SPM;
  std::vector<std::string> texts_;
  std::vector<float> scores_;
  std::vector<TokenType> types_;
  std::vector<TokenId> eog_ids_;
  TokenId bos_ = -1, eos_ = -1, eot_ = -1, unk_ = -1, sep_ = -1, pad_ = -1;
  bool add_bos_ = false, add_eos_ = false;
  bool add_space_prefix_ = false;  // SPM: the tokenizer adds a leading "▁"
  bool clean_spaces_ = false;      // BPE: detokenize applies clean_up_tokenization_spaces
};

// Streaming detokenizer: push token ids one at a time and get back only complete UTF-8;
// bytes of a character split across tokens are held until the character is whole, bytes
// that can never become valid come out as U+FFFD. With `sequence_start` (the default) the
// first piece after an optional BOS loses the space the SPM tokenizer put in front of the
// text, exactly as detokenize does; pass false when continuing text already shown (e.g.
// decoding generated tokens after a prompt). BPE clean_up_tokenization_spaces is not
// applied while streaming (llama.cpp does not either).
class TokenStreamDecoder {
 public:
  explicit TokenStreamDecoder(std::shared_ptr<const Vocab> vocab, bool special = false,
                              bool sequence_start = true);
  std::string push(TokenId id);
  std::string flush();  // whatever is held, invalid bytes replaced by U+FFFD

 private:
  std::shared_ptr<const Vocab> vocab_;
  bool special_;
  bool first_ = true;
  std::string pending_;
};

}  // namespace tq

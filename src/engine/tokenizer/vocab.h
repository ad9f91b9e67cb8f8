// Tokenizers read from GGUF metadata (tokenizer.ggml.*): SentencePiece (llama), byte-level
// BPE (gpt2, with the pre-tokenizer chosen by tokenizer.ggml.pre) and WordPiece (bert).
// Behaviour matches llama.cpp's llama-vocab, which the golden vectors come from.
#pragma once

#include <cstdint>
#include <memory>
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

class Vocab {
 public:
  // Throws InputError/UnsupportedError naming the key (e.g. an unknown tokenizer.ggml.pre).
  static std::shared_ptr<const Vocab> from_gguf(const GgufFile& file);
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
};

// Streaming detokenizer: push token ids one at a time and get back only complete UTF-8;
// bytes of a character split across tokens are held until the character is whole.
class TokenStreamDecoder {
 public:
  explicit TokenStreamDecoder(std::shared_ptr<const Vocab> vocab, bool special = false);
  std::string push(TokenId id);
  std::string flush();  // whatever is held, invalid bytes replaced by U+FFFD

 private:
  std::shared_ptr<const Vocab> vocab_;
  bool special_;
  bool first_ = true;
  std::string pending_;
};

}  // namespace tq

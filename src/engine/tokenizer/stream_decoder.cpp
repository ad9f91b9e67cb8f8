// Streaming detokenizer: a token may end in the middle of a UTF-8 character (SPM byte
// tokens, BPE pieces of a multi-byte character), so output is cut at the last complete
// character and the rest waits for the next token.
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab.h"

namespace tq {

TokenStreamDecoder::TokenStreamDecoder(std::shared_ptr<const Vocab> vocab, bool special,
                                       bool sequence_start)
    : vocab_(std::move(vocab)), special_(special), first_(sequence_start) {}

std::string TokenStreamDecoder::push(TokenId id) {
  std::string piece = vocab_->token_to_piece(id, special_);
  if (first_) {
    // Same rule as Vocab::detokenize: a leading BOS does not end the "first piece" state.
    const bool leading_bos = id == vocab_->bos() && vocab_->bos() >= 0;
    if (!leading_bos) {
      if (vocab_->add_space_prefix() && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
      first_ = false;
    }
  }
  pending_ += piece;
  std::string out;
  // Emit every complete character; replace bytes that can never start or continue a valid
  // sequence right away, and keep only a possibly-incomplete tail.
  while (!pending_.empty()) {
    const unicode::Utf8Scan scan = unicode::scan_utf8(pending_);
    out.append(pending_, 0, scan.valid_prefix);
    pending_.erase(0, scan.valid_prefix);
    if (pending_.empty() || scan.incomplete_tail) break;
    out += "\xEF\xBF\xBD";  // invalid byte
    pending_.erase(0, 1);
  }
  return out;
}

std::string TokenStreamDecoder::flush() {
  std::string out = unicode::sanitize_utf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace tq

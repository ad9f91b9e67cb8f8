// Loading a vocabulary from its spec, and the logic all tokenizer kinds share. Behaviour
// follows llama.cpp's llama-vocab (build 4748); quirks reproduced on purpose are noted.
#include <algorithm>
#include <cctype>
#include <limits>

#include "core/error.h"
#include "engine/tokenizer/vocab_impl.h"

namespace tq {

using detail::Fragment;
using detail::VocabImpl;

namespace {

// Resolves one special-id key: absent or the converters' "none" marker (-1 / 0xFFFFFFFF)
// keeps the kind's default, as llama.cpp does; anything else must be a token id.
TokenId special_id(const std::optional<int64_t>& v, TokenId dflt, size_t n, const char* key) {
  if (!v) return dflt;
  if (*v == -1 || *v == 0xFFFFFFFFLL) return dflt;
  if (*v < 0 || static_cast<uint64_t>(*v) >= n)
    throw InputError(std::string(key) + ": token id " + std::to_string(*v) +
                     " out of range (vocabulary has " + std::to_string(n) + " tokens)");
  return static_cast<TokenId>(*v);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::shared_ptr<const Vocab> Vocab::from_spec(VocabSpec spec) {
  std::unique_ptr<VocabImpl> v;
  // Per-kind defaults (llama.cpp's llama_vocab::impl::load).
  TokenId bos = -1, eos = -1, unk = -1, sep = -1, pad = -1;
  bool add_bos = false, add_eos = false, add_space_prefix = false, clean_spaces = false;
  if (spec.model == "llama") {
    v = detail::make_spm_vocab();
    v->set_kind(VocabKind::SPM);
    bos = 1, eos = 2, unk = 0;
    add_bos = true, add_space_prefix = true;
  } else if (spec.model == "gpt2") {
    v = detail::make_bpe_vocab();
    v->set_kind(VocabKind::BPE);
    bos = 11, eos = 11;  // GPT-2's defaults in llama.cpp, overridden by every real file
    const PreTokenizerInfo pre = pre_tokenizer_from_name(spec.pre);
    clean_spaces = pre.clean_spaces;
    add_bos = pre.type == PreTokenizer::LLAMA3 && pre.ignore_merges;  // llama3 family
  } else if (spec.model == "bert") {
    v = detail::make_wpm_vocab();
    v->set_kind(VocabKind::WPM);
    bos = 101, unk = 100, sep = 102, pad = 0;  // [CLS], [UNK], [SEP], [PAD]
    add_bos = true, clean_spaces = true;
  } else {
    throw UnsupportedError("tokenizer.ggml.model: unsupported tokenizer '" + spec.model +
                           "' (supported: llama, gpt2, bert)");
  }

  const size_t n = spec.tokens.size();
  if (n == 0) throw InputError("tokenizer.ggml.tokens: empty or missing");
  if (n > static_cast<size_t>(std::numeric_limits<TokenId>::max()))
    throw InputError("tokenizer.ggml.tokens: too many tokens");
  if (!spec.scores.empty() && spec.scores.size() != n)
    throw InputError("tokenizer.ggml.scores: " + std::to_string(spec.scores.size()) +
                     " entries, expected " + std::to_string(n) + " (one per token)");
  if (!spec.types.empty() && spec.types.size() != n)
    throw InputError("tokenizer.ggml.token_type: " + std::to_string(spec.types.size()) +
                     " entries, expected " + std::to_string(n) + " (one per token)");

  if (spec.model == "bert" && !spec.bos && spec.cls) spec.bos = spec.cls;
  bos = special_id(spec.bos, bos, n, "tokenizer.ggml.bos_token_id");
  eos = special_id(spec.eos, eos, n, "tokenizer.ggml.eos_token_id");
  const TokenId eot = special_id(spec.eot, -1, n, "tokenizer.ggml.eot_token_id");
  const TokenId eom = special_id(spec.eom, -1, n, "tokenizer.ggml.eom_token_id");
  unk = special_id(spec.unk, unk, n, "tokenizer.ggml.unknown_token_id");
  sep = special_id(spec.sep, sep, n, "tokenizer.ggml.seperator_token_id");
  pad = special_id(spec.pad, pad, n, "tokenizer.ggml.padding_token_id");
  // The defaults can themselves be out of range in a small vocabulary: drop them.
  auto fit = [n](TokenId id) { return id >= 0 && static_cast<size_t>(id) < n ? id : -1; };
  bos = fit(bos), eos = fit(eos), unk = fit(unk), sep = fit(sep), pad = fit(pad);

  if (spec.add_space_prefix) add_space_prefix = *spec.add_space_prefix;
  if (spec.add_bos) add_bos = *spec.add_bos;
  if (spec.add_eos) add_eos = *spec.add_eos;
  if (add_bos && bos < 0)
    throw InputError(
        "tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
  if (add_eos && eos < 0)
    throw InputError(
        "tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");

  v->texts() = std::move(spec.tokens);
  v->scores() = spec.scores.empty() ? std::vector<float>(n, 0.0f) : std::move(spec.scores);
  auto& types = v->types();
  types.resize(n, TokenType::NORMAL);
  for (size_t i = 0; i < spec.types.size(); ++i) {
    const int32_t t = spec.types[i];
    types[i] = (t >= 0 && t <= 6) ? static_cast<TokenType>(t) : TokenType::UNDEFINED;
  }
  v->set_specials(bos, eos, eot, unk, sep, pad);
  v->set_eom(eom);
  v->set_flags(add_bos, add_eos, add_space_prefix, clean_spaces);
  v->finish_load(spec);
  v->prepare(spec);
  return v;
}

void VocabImpl::finish_load(const VocabSpec& spec) {
  const auto n = static_cast<TokenId>(texts_.size());
  token_index_.build(n, text_of(), StringIndex::Duplicates::KeepLast);
  for (const std::string& t : texts_) max_token_len_ = std::max(max_token_len_, t.size());

  // llama.cpp recognises end-of-turn tokens by their text and forces them to CONTROL, which
  // changes how they tokenize and print; reproduce both.
  static const char* const kEotTexts[] = {"<|eot_id|>",           "<|im_end|>",    "<|end|>",
                                          "<end_of_turn>",        "<|endoftext|>", "<EOT>",
                                          "<｜end▁of▁sentence｜>"};
  static const char* const kEogTexts[] = {"<|eot_id|>",    "<|im_end|>", "<|end|>", "<end_of_turn>",
                                          "<|endoftext|>", "<|eom_id|>", "<EOT>"};
  auto force_control = [&](TokenId id) { types_[static_cast<size_t>(id)] = TokenType::CONTROL; };
  if (eot_ < 0) {
    for (const char* t : kEotTexts) {
      const TokenId id = lookup(t);
      if (id >= 0) {
        eot_ = id;
        force_control(id);
        break;
      }
    }
  }
  if (eom_ < 0) {
    const TokenId id = lookup("<|eom_id|>");
    if (id >= 0) eom_ = id, force_control(id);
  }
  eog_ids_.clear();
  for (const char* t : kEogTexts) {
    const TokenId id = lookup(t);
    if (id >= 0) eog_ids_.push_back(id), force_control(id);
  }
  for (TokenId id : {eos_, eot_, eom_})
    if (id >= 0) eog_ids_.push_back(id);
  std::sort(eog_ids_.begin(), eog_ids_.end());
  eog_ids_.erase(std::unique(eog_ids_.begin(), eog_ids_.end()), eog_ids_.end());

  // Tokens matched inside text before tokenizing: longest first, ties by id (llama.cpp's
  // std::sort leaves ties unspecified).
  special_cache_.clear();
  for (TokenId id = 0; id < n; ++id) {
    const TokenType t = types_[static_cast<size_t>(id)];
    if ((t == TokenType::CONTROL || t == TokenType::USER_DEFINED || t == TokenType::UNKNOWN) &&
        !texts_[static_cast<size_t>(id)].empty())
      special_cache_.push_back(id);
  }
  std::stable_sort(special_cache_.begin(), special_cache_.end(), [&](TokenId a, TokenId b) {
    return texts_[static_cast<size_t>(a)].size() > texts_[static_cast<size_t>(b)].size();
  });

  // Name-keyed strip attributes (llama.cpp's "set attributes by model/tokenizer name").
  strip_attrs_.assign(texts_.size(), 0);
  const std::string name = lower(spec.name);
  auto set_attr = [&](std::string_view text, uint8_t attr, bool on) {
    const TokenId id = lookup(text);
    if (id < 0) return;
    auto& a = strip_attrs_[static_cast<size_t>(id)];
    a = static_cast<uint8_t>(on ? (a | attr) : (a & ~attr));
  };
  if (spec.pre.find("jina-v2-de") != std::string::npos ||
      spec.pre.find("jina-v2-es") != std::string::npos ||
      spec.pre.find("jina-v2-code") != std::string::npos) {
    set_attr("<mask>", detail::kLstrip, true);
  } else if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
    for (TokenId id : special_cache_) strip_attrs_[static_cast<size_t>(id)] |= detail::kRstrip;
    set_attr("</s>", detail::kRstrip, true);
    for (const char* t : {"<unk>", "<s>", "<|endoftext|>"}) set_attr(t, detail::kRstrip, false);
  }
}

std::vector<Fragment> VocabImpl::partition(std::string_view text, bool parse_special) const {
  std::vector<Fragment> frags;
  if (text.empty()) return frags;
  frags.push_back({-1, 0, text.size()});
  for (TokenId id : special_cache_) {
    const TokenType type = types_[static_cast<size_t>(id)];
    // Without parse_special, control and unknown texts stay plain text, but user-defined
    // tokens are still cut out first (llama.cpp follows HF tokenizers here: neox-style
    // vocabularies rely on it for their whitespace tokens).
    if (!parse_special && (type == TokenType::CONTROL || type == TokenType::UNKNOWN)) continue;
    const std::string& tok = texts_[static_cast<size_t>(id)];
    const uint8_t attr = strip_attrs_[static_cast<size_t>(id)];
    std::vector<Fragment> next;
    next.reserve(frags.size() + 2);
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t off = f.offset, len = f.length;
      while (len > 0) {
        const size_t match = text.substr(off, len).find(tok);
        if (match == std::string_view::npos) break;
        size_t left_len = match;
        if (attr & detail::kLstrip)  // C isspace, as llama.cpp (ASCII whitespace only)
          while (left_len > 0 && std::isspace(static_cast<unsigned char>(text[off + left_len - 1])))
            --left_len;
        if (left_len > 0) next.push_back({-1, off, left_len});
        next.push_back({id, 0, 0});
        size_t right_off = off + match + tok.size();
        size_t right_len = len - match - tok.size();
        if (attr & detail::kRstrip)
          while (right_len > 0 && std::isspace(static_cast<unsigned char>(text[right_off])))
            ++right_off, --right_len;
        off = right_off, len = right_len;
      }
      if (len > 0) next.push_back({-1, off, len});
    }
    frags = std::move(next);
  }
  return frags;
}

std::vector<TokenId> VocabImpl::tokenize(std::string_view text, bool add_special,
                                         bool parse_special) const {
  std::vector<TokenId> out;
  const std::vector<Fragment> frags = partition(text, parse_special);
  // WordPiece wraps in [CLS] … [SEP]; the others add BOS/EOS as their flags ask.
  if (add_special && add_bos_ && bos_ >= 0) out.push_back(bos_);
  // SPM puts "▁" before the first text fragment and after every special token, because
  // llama.cpp treats "previous piece was special" (which includes the start) that way.
  bool prev_special = true;
  std::string buf;
  for (const Fragment& f : frags) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prev_special = true;
      continue;
    }
    const std::string_view piece = text.substr(f.offset, f.length);
    if (kind_ == VocabKind::SPM && add_space_prefix_ && prev_special) {
      buf.assign(1, ' ');
      buf.append(piece);
      encode(buf, out);
    } else {
      encode(piece, out);
    }
    prev_special = false;
  }
  if (add_special) {
    if (kind_ == VocabKind::WPM) {
      if (sep_ >= 0) out.push_back(sep_);
    } else if (add_eos_ && eos_ >= 0) {
      out.push_back(eos_);
    }
  }
  return out;
}

std::string VocabImpl::token_to_piece(TokenId id, bool special) const {
  if (id < 0 || id >= n_tokens()) return {};
  switch (types_[static_cast<size_t>(id)]) {
    case TokenType::CONTROL:
    case TokenType::UNKNOWN:
      return special ? texts_[static_cast<size_t>(id)] : std::string();
    case TokenType::USER_DEFINED:
      return texts_[static_cast<size_t>(id)];
    case TokenType::NORMAL:
      return normal_piece(id);
    case TokenType::BYTE:
      return byte_piece(id);
    default:
      return {};  // UNUSED / UNDEFINED print as nothing, like control tokens
  }
}

std::string detail::clean_up_spaces(std::string t) {
  // llama.cpp's three passes, on bytes: " ?" " !" " ." " ," lose the space; a lone "'"
  // between spaces loses both; " 's" " 'm" " 're" " 've" lose the space.
  std::string a;
  a.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    const char x = t[i];
    if (i > 0 && t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') && !a.empty())
      a.pop_back();
    a += x;
  }
  std::string b;
  b.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i];
    if (i > 0 && x == '\'' && i + 1 < a.size() && a[i - 1] == ' ' && a[i + 1] == ' ') {
      if (!b.empty()) b.pop_back();
      a[++i] = '\0';  // drop the following space; llama.cpp overwrites it, so it no
                      // longer counts as "previous is a space" for the next byte
    }
    b += x;
  }
  std::string c;
  c.reserve(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    const char x = b[i];
    if (i > 0 && b[i - 1] == ' ' && x == '\'' && i + 1 < b.size()) {
      const char x1 = b[i + 1];
      const char x2 = i + 2 < b.size() ? b[i + 2] : '\0';
      if (x1 == 's' || x1 == 'm' ||
          (i + 2 < b.size() && ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e'))))
        if (!c.empty()) c.pop_back();
    }
    c += x;
  }
  return c;
}

std::string Vocab::detokenize(const std::vector<TokenId>& ids, bool special) const {
  // The space the SPM tokenizer put in front of the text is taken off the first piece. A
  // leading BOS does not count as that first piece, so detokenize(tokenize(s, true, …))
  // gives back s. (llama.cpp only skips BOS with remove_special; common_detokenize keeps
  // the space after BOS, which is the one place this intentionally differs.)
  std::string out;
  bool first = true;
  for (TokenId id : ids) {
    std::string piece = token_to_piece(id, special);
    if (first) {
      if (id == bos_ && bos_ >= 0) {
        out += piece;
        continue;
      }
      if (add_space_prefix_ && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
      first = false;
    }
    out += piece;
  }
  return clean_spaces_ ? detail::clean_up_spaces(std::move(out)) : out;
}

bool Vocab::is_eog(TokenId id) const {
  return id >= 0 && std::binary_search(eog_ids_.begin(), eog_ids_.end(), id);
}

bool Vocab::is_control(TokenId id) const {
  return id >= 0 && id < n_tokens() && types_[static_cast<size_t>(id)] == TokenType::CONTROL;
}

TokenId Vocab::find(std::string_view text) const {
  if (const auto* impl = dynamic_cast<const VocabImpl*>(this)) return impl->lookup(text);
  for (size_t i = texts_.size(); i-- > 0;)
    if (texts_[i] == text) return static_cast<TokenId>(i);
  return -1;
}

}  // namespace tq

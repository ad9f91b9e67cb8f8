#include "engine/synth/synth_vocab.h"

#include <cstdio>

#include "core/error.h"
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab.h"

namespace tq {
namespace {

// A generated piece and, for BPE, the merge that forms it ("left right").
struct Piece {
  std::string text;
  std::string merge;
};

// Pieces in length order: a word-start marker or a letter, followed by letters. Each
// piece of length L extends one of length L-1 by a letter, so every piece is reachable by
// merges (BPE) or bigram joins (SPM) from its characters.
std::vector<Piece> generate_pieces(size_t count, const std::string& word_start, bool singles) {
  std::vector<std::string> first = {word_start};
  std::vector<std::string> letters;
  for (char c = 'a'; c <= 'z'; ++c) {
    letters.emplace_back(1, c);
    first.emplace_back(1, c);
  }
  std::vector<Piece> out;
  out.reserve(count);
  std::vector<std::string> level = first;
  if (singles)
    for (const auto& s : level)
      if (out.size() < count) out.push_back({s, ""});
  while (out.size() < count) {
    std::vector<std::string> next;
    next.reserve(level.size() * letters.size());
    for (const auto& prefix : level) {
      for (const auto& c : letters) {
        if (out.size() >= count) return out;
        std::string merge = prefix;
        merge += ' ';
        merge += c;
        out.push_back({prefix + c, std::move(merge)});
        next.push_back(prefix + c);
      }
    }
    level = std::move(next);
  }
  return out;
}

std::string byte_token_spm(int b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", b);
  return buf;
}

}  // namespace

void add_synth_vocab(const SynthShape& shape, GgufMetadata& md) {
  const auto n = static_cast<size_t>(shape.n_vocab);
  const bool spm = shape.tokenizer == SynthTokenizer::SPM;
  if (n < 256 + shape.specials.size() + 32)
    throw InputError("synthetic vocabulary of " + std::to_string(n) + " tokens is too small");
  std::vector<std::string> tokens(n);
  std::vector<int32_t> types(n, static_cast<int32_t>(TokenType::NORMAL));
  std::vector<float> scores(n, 0.0f);
  std::vector<bool> taken(n, false);
  for (const auto& sp : shape.specials) {
    const auto id = static_cast<size_t>(sp.id);
    tokens.at(id) = sp.text;
    taken[id] = true;
    const bool unknown = spm && sp.text == "<unk>";
    types[id] = static_cast<int32_t>(unknown ? TokenType::UNKNOWN : TokenType::CONTROL);
  }
  size_t next = 0;
  auto next_free = [&] {
    while (taken[next]) ++next;
    taken[next] = true;
    return next;
  };
  // SPM spells bytes "<0x41>" (byte fallback); byte-level BPE maps each byte to a
  // printable character (GPT-2's table), which is also the start of every merge chain.
  for (int b = 0; b < 256; ++b) {
    const size_t id = next_free();
    tokens[id] = spm ? byte_token_spm(b) : unicode::byte_to_utf8(static_cast<uint8_t>(b));
    if (spm) types[id] = static_cast<int32_t>(TokenType::BYTE);
  }
  const size_t n_pieces = n - 256 - shape.specials.size();
  const std::vector<Piece> pieces =
      generate_pieces(n_pieces, spm ? "\xE2\x96\x81" /* ▁ */ : unicode::byte_to_utf8(' '), spm);
  std::vector<std::string> merges;
  if (!spm) merges.reserve(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) {
    const size_t id = next_free();
    tokens[id] = pieces[i].text;
    // SPM joins the best-scoring bigram first; descending scores favour short pieces,
    // as the frequency-ordered scores of a trained model do.
    scores[id] = -static_cast<float>(i);
    if (!spm) merges.push_back(pieces[i].merge);
  }

  auto put = [&](std::string key, GgufValue v) { md.emplace_back(std::move(key), std::move(v)); };
  put("tokenizer.ggml.model", GgufValue::of(std::string(spm ? "llama" : "gpt2")));
  if (!spm) put("tokenizer.ggml.pre", GgufValue::of(shape.tokenizer_pre));
  put("tokenizer.ggml.tokens", GgufValue::of_array(std::move(tokens)));
  if (spm) put("tokenizer.ggml.scores", GgufValue::of_array(std::move(scores)));
  put("tokenizer.ggml.token_type", GgufValue::of_array(std::move(types)));
  if (!spm) put("tokenizer.ggml.merges", GgufValue::of_array(std::move(merges)));
  auto put_id = [&](const char* key, int32_t id) {
    if (id >= 0) put(key, GgufValue::of(static_cast<uint32_t>(id)));
  };
  put_id("tokenizer.ggml.bos_token_id", shape.bos);
  put_id("tokenizer.ggml.eos_token_id", shape.eos);
  put_id("tokenizer.ggml.eot_token_id", shape.eot);
  for (const auto& sp : shape.specials)
    if (spm && sp.text == "<unk>") put_id("tokenizer.ggml.unknown_token_id", sp.id);
  put("tokenizer.ggml.add_bos_token", GgufValue::of(shape.add_bos));
  put("tokenizer.ggml.add_eos_token", GgufValue::of(false));
}

}  // namespace tq

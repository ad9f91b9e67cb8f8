#include "engine/tokenizer/pretokenizer.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "core/error.h"
#include "engine/tokenizer/unicode.h"

namespace tq {

PreTokenizerInfo pre_tokenizer_from_name(std::string_view name) {
  using P = PreTokenizer;
  auto is = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  // Same table as llama.cpp's llama_vocab::load (build 4748): which names share a rule and
  // which switch off clean_up_tokenization_spaces.
  if (is({"", "default"})) return {P::DEFAULT, false, true};
  if (is({"llama3", "llama-v3", "llama-bpe", "falcon3"})) return {P::LLAMA3, true, true};
  if (is({"dbrx", "smaug-bpe"})) return {P::LLAMA3, false, true};
  if (is({"deepseek-llm"})) return {P::DEEPSEEK_LLM, false, false};
  if (is({"deepseek-coder"})) return {P::DEEPSEEK_CODER, false, false};
  if (is({"falcon"})) return {P::FALCON, false, true};
  if (is({"starcoder", "refact", "codeshell", "exaone", "minerva-7b"}))
    return {P::STARCODER, false, true};
  if (is({"command-r", "smollm"})) return {P::STARCODER, false, false};
  if (is({"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
          "jina-v2-de", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais"}))
    return {P::GPT2, false, true};
  if (is({"qwen2"})) return {P::QWEN2, false, false};
  if (is({"stablelm2", "megrez"})) return {P::QWEN2, false, true};
  throw UnsupportedError("tokenizer.ggml.pre: unknown pre-tokenizer '" + std::string(name) + "'");
}

namespace {

using Cpts = std::vector<uint32_t>;
constexpr uint32_t kNone = 0xFFFFFFFF;  // "outside the chunk"

// One splitting pass: `chunks` are lengths (in code points) covering the text; a pass
// re-splits every chunk independently, as llama.cpp runs each regex over each piece the
// previous regexes produced.
using Pass = std::function<void(const Cpts&, size_t begin, size_t end, std::vector<size_t>& out)>;

bool is_ws(uint32_t cp) {
  return unicode::is_whitespace(cp);
}

// ---- llama.cpp's hand-written GPT-2 splitter:
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
void split_gpt2(const Cpts& c, size_t begin, size_t end, std::vector<size_t>& out) {
  auto cpt = [&](size_t p) { return p >= begin && p < end ? c[p] : kNone; };
  auto fl = [&](size_t p) {
    return p >= begin && p < end ? unicode::flags(c[p]) : unicode::CpFlags{};
  };
  auto in_range = [&](size_t p) { return p >= begin && p < end; };
  auto other = [&](size_t p) {  // [^\s\p{L}\p{N}] inside the chunk
    if (!in_range(p)) return false;
    const auto f = fl(p);
    return !(f.whitespace || f.letter || f.number);
  };
  size_t prev = begin;
  auto emit = [&](size_t e) {
    if (e > prev) out.push_back(e - prev);
    prev = e;
  };
  for (size_t pos = begin; pos < end;) {
    const uint32_t cp = c[pos];
    if (cp == '\'' && pos + 1 < end) {
      const uint32_t n1 = cpt(pos + 1);
      if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
        emit(pos += 2);
        continue;
      }
      if (pos + 2 < end) {
        const uint32_t n2 = cpt(pos + 2);
        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
          emit(pos += 3);
          continue;
        }
      }
    }
    const size_t q = pos + (cp == ' ' ? 1 : 0);  // where the class run would start
    const auto fq = fl(q);
    if (fq.letter || fq.number) {
      const bool letter = fq.letter;
      size_t p = q;
      while (in_range(p) && (letter ? fl(p).letter : fl(p).number)) ++p;
      emit(pos = p);
      continue;
    }
    if (other(q)) {
      size_t p = q;
      while (other(p)) ++p;
      emit(pos = p);
      continue;
    }
    size_t nws = 0;
    while (in_range(pos + nws) && is_ws(c[pos + nws])) ++nws;
    if (nws > 1 && in_range(pos + nws)) {  // \s+(?!\S): leave the last space to the word
      emit(pos += nws - 1);
      continue;
    }
    if (nws > 0) {
      emit(pos += nws);
      continue;
    }
    emit(++pos);
  }
}

// ---- Llama-3 rule (llama.cpp's hand-written splitter), and Qwen2 with max_digits = 1:
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
// |\s*[\r\n]+|\s+(?!\S)|\s+
// Qwen2's regex goes through std::regex in llama.cpp; with ordered alternation and
// backtracking it splits exactly like this splitter with single digits.
void split_llama3(const Cpts& c, size_t begin, size_t end, size_t max_digits,
                  std::vector<size_t>& out) {
  auto in_range = [&](size_t p) { return p >= begin && p < end; };
  auto cpt = [&](size_t p) { return in_range(p) ? c[p] : kNone; };
  auto fl = [&](size_t p) { return in_range(p) ? unicode::flags(c[p]) : unicode::CpFlags{}; };
  auto lower = [&](size_t p) { return in_range(p) ? unicode::to_lower(c[p]) : kNone; };
  size_t prev = begin;
  auto emit = [&](size_t e) {
    if (e > prev) out.push_back(e - prev);
    prev = e;
  };
  for (size_t pos = begin; pos < end;) {
    const uint32_t cp = c[pos];
    const auto f = fl(pos);
    if (cp == '\'' && pos + 1 < end) {
      const uint32_t n1 = lower(pos + 1);
      if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
        emit(pos += 2);
        continue;
      }
      if (pos + 2 < end) {
        const uint32_t n2 = lower(pos + 2);
        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
          emit(pos += 3);
          continue;
        }
      }
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!(cp == '\r' || cp == '\n' || f.number) && (f.letter || fl(pos + 1).letter)) {
      ++pos;
      while (fl(pos).letter) ++pos;
      emit(pos);
      continue;
    }
    // \p{N}{1,max}: a long number becomes several pre-tokens
    if (f.number) {
      size_t start = pos;
      while (fl(pos).number) {
        if (++pos - start >= max_digits) {
          emit(pos);
          start = pos;
        }
      }
      emit(pos);
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    auto other = [&](size_t p) {
      const auto g = fl(p);
      return in_range(p) && !(g.whitespace || g.letter || g.number);
    };
    const size_t q = pos + (cp == ' ' ? 1 : 0);
    if (other(q)) {
      size_t p = q;
      while (other(p)) ++p;
      while (cpt(p) == '\r' || cpt(p) == '\n') ++p;
      emit(pos = p);
      continue;
    }
    size_t nws = 0, last_nl_end = 0;
    while (in_range(pos + nws) && is_ws(c[pos + nws])) {
      if (c[pos + nws] == '\r' || c[pos + nws] == '\n') last_nl_end = pos + nws + 1;
      ++nws;
    }
    if (last_nl_end > 0) {  // \s*[\r\n]+: up to the last line break of the run
      emit(pos = last_nl_end);
      continue;
    }
    if (nws > 1 && in_range(pos + nws)) {  // \s+(?!\S)
      emit(pos += nws - 1);
      continue;
    }
    if (nws > 0) {
      emit(pos += nws);
      continue;
    }
    emit(++pos);
  }
}

// ---- Search-style rules: llama.cpp runs the remaining regexes with std::regex_iterator,
// which keeps the text between matches as pieces of its own. `match(c, pos, end)` returns
// the length of the (greedy, leftmost-first) match starting at pos, 0 for none.
using Matcher = std::function<size_t(const Cpts&, size_t pos, size_t end)>;

Pass search_pass(Matcher match) {
  return [match = std::move(match)](const Cpts& c, size_t begin, size_t end,
                                    std::vector<size_t>& out) {
    size_t gap = begin;
    for (size_t pos = begin; pos < end;) {
      const size_t n = match(c, pos, end);
      if (n == 0) {
        ++pos;
        continue;
      }
      if (pos > gap) out.push_back(pos - gap);
      out.push_back(n);
      pos += n;
      gap = pos;
    }
    if (end > gap) out.push_back(end - gap);
  };
}

using Pred = bool (*)(uint32_t);

// X+
Matcher run_of(Pred pred) {
  return [pred](const Cpts& c, size_t pos, size_t end) {
    size_t p = pos;
    while (p < end && pred(c[p])) ++p;
    return p - pos;
  };
}
// X (one code point)
Matcher one_of(Pred pred) {
  return [pred](const Cpts& c, size_t pos, size_t) -> size_t { return pred(c[pos]) ? 1 : 0; };
}
// \s?X+ (X never contains whitespace here)
Matcher opt_space_run_of(Pred pred) {
  return [pred](const Cpts& c, size_t pos, size_t end) -> size_t {
    size_t p = pos;
    if (is_ws(c[p]) && p + 1 < end && pred(c[p + 1])) ++p;
    const size_t start = p;
    while (p < end && pred(c[p])) ++p;
    return p > start ? p - pos : 0;
  };
}

// Character classes. Under std::regex llama.cpp classifies non-ASCII code points by
// category (\p{..} via its "collapsed" text) and maps non-ASCII whitespace to \v first, so
// e.g. U+3000 no longer matches a class that names it literally.
bool is_newline(uint32_t cp) {
  return cp == '\r' || cp == '\n';
}
bool is_num(uint32_t cp) {
  return unicode::is_number(cp);
}
bool is_let(uint32_t cp) {
  return unicode::is_letter(cp);
}
bool is_punct(uint32_t cp) {
  return unicode::is_punctuation(cp);
}
bool is_ascii_digit(uint32_t cp) {
  return cp >= '0' && cp <= '9';
}
// [\p{P}\$\+<=>\^~\|`] (falcon) and the same without the backquote (default)
bool is_falcon_punct(uint32_t cp) {
  return is_punct(cp) || (cp < 0x80 && std::string_view("$+<=>^~|`").find(static_cast<char>(cp)) !=
                                           std::string_view::npos);
}
bool is_default_punct(uint32_t cp) {
  return cp != '`' && is_falcon_punct(cp);
}
// [一-龥ࠀ-一가-퟿]
bool is_deepseek_cjk(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x0800 && cp <= 0x4E00) ||
         (cp >= 0xAC00 && cp <= 0xD7FF);
}
// [!-/:-~！-／：-～‘-‟　-。]
bool is_deepseek_punct(uint32_t cp) {
  return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x7E) ||
         (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF5E) ||
         (cp >= 0x2018 && cp <= 0x201F) ||
         (cp >= 0x3001 && cp <= 0x3002);  // U+3000 is whitespace, rewritten to \v first
}

// clang-format 14 re-splits long UTF-8 literals on every run: leave this one alone.
// clang-format off
// DeepSeek-LLM's cased-letter class, as written in its tokenizer.json.
constexpr std::string_view kDeepseekLetters =
    "A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-"
    "ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅ"
    "ὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-"
    "ꝯ"
    "ꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-"
    "𞥃";
// clang-format on

bool is_deepseek_letter(uint32_t cp) {
  static const std::vector<std::pair<uint32_t, uint32_t>> ranges = [] {
    std::vector<std::pair<uint32_t, uint32_t>> r;
    const auto cps = unicode::decode_utf8(kDeepseekLetters);
    for (size_t i = 0; i < cps.size(); ++i) {
      if (i + 2 < cps.size() && cps[i + 1] == '-') {
        r.emplace_back(cps[i], cps[i + 2]);
        i += 2;
      } else {
        r.emplace_back(cps[i], cps[i]);
      }
    }
    return r;
  }();
  if (is_ws(cp)) return false;
  for (const auto& [lo, hi] : ranges)
    if (cp >= lo && cp <= hi) return true;
  return false;
}

// \s+$ : the whitespace run that reaches the end of the piece
Matcher trailing_space() {
  return [](const Cpts& c, size_t pos, size_t end) -> size_t {
    size_t p = pos;
    while (p < end && is_ws(c[p])) ++p;
    return (p > pos && p == end) ? p - pos : 0;
  };
}

// [0-9][0-9][0-9]
Matcher three_digits() {
  return [](const Cpts& c, size_t pos, size_t end) -> size_t {
    return (pos + 3 <= end && is_ascii_digit(c[pos]) && is_ascii_digit(c[pos + 1]) &&
            is_ascii_digit(c[pos + 2]))
               ? 3
               : 0;
  };
}

const Pass kGpt2 = split_gpt2;

std::vector<Pass> passes_for(PreTokenizer type) {
  using P = PreTokenizer;
  switch (type) {
    case P::GPT2:
      return {kGpt2};
    case P::LLAMA3:
      return {[](const Cpts& c, size_t b, size_t e, std::vector<size_t>& o) {
        split_llama3(c, b, e, 3, o);
      }};
    case P::QWEN2:
      return {[](const Cpts& c, size_t b, size_t e, std::vector<size_t>& o) {
        split_llama3(c, b, e, 1, o);
      }};
    case P::DEEPSEEK_LLM:
      return {search_pass(one_of(is_newline)),
              search_pass(opt_space_run_of(is_deepseek_letter)),
              search_pass(opt_space_run_of(is_deepseek_punct)),
              search_pass(trailing_space()),
              search_pass(run_of(is_deepseek_cjk)),
              search_pass(run_of(is_num))};
    case P::DEEPSEEK_CODER:
      return {search_pass(one_of(is_newline)), search_pass(opt_space_run_of(is_let)),
              search_pass(opt_space_run_of(is_punct)), search_pass(run_of(is_deepseek_cjk)),
              search_pass(one_of(is_num))};
    case P::FALCON:
      return {search_pass(run_of(is_falcon_punct)), kGpt2, search_pass(three_digits())};
    case P::STARCODER:
      return {search_pass(one_of(is_num)), kGpt2};
    case P::DEFAULT:
      break;
  }
  return {search_pass(run_of(is_default_punct)), kGpt2, search_pass(run_of(is_num)),
          search_pass(three_digits())};
}

}  // namespace

std::vector<std::string> pre_tokenize(PreTokenizer type, std::string_view text) {
  const Cpts cpts = unicode::decode_utf8(text);
  std::vector<size_t> chunks;
  if (!cpts.empty()) chunks.push_back(cpts.size());
  for (const Pass& pass : passes_for(type)) {
    std::vector<size_t> next;
    next.reserve(chunks.size() * 2);
    size_t start = 0;
    for (size_t len : chunks) {
      pass(cpts, start, start + len, next);
      start += len;
    }
    chunks = std::move(next);
  }
  std::vector<std::string> words;
  words.reserve(chunks.size());
  size_t start = 0;
  for (size_t len : chunks) {
    std::string w;
    for (size_t i = start; i < start + len; ++i) unicode::append_utf8(w, cpts[i]);
    words.push_back(std::move(w));
    start += len;
  }
  return words;
}

}  // namespace tq

#include "tasks/classifier/text_normalize.h"

#include <utf8proc.h>

#include <array>

namespace tq::tasks {
namespace {

enum class CharClass { kWord, kSymbol, kSeparator };

CharClass classify(utf8proc_int32_t cp) {
  if (cp == '%' || cp == 0x2030) return CharClass::kSymbol;  // % ‰: punctuation to Unicode
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kWord;
    case UTF8PROC_CATEGORY_SC:  // € $ £
    case UTF8PROC_CATEGORY_SM:  // + < =
    case UTF8PROC_CATEGORY_SO:
      return CharClass::kSymbol;
    default:
      return CharClass::kSeparator;
  }
}

void append_utf8(std::string& out, utf8proc_int32_t cp) {
  std::array<utf8proc_uint8_t, 4> buf{};
  const auto n = utf8proc_encode_char(cp, buf.data());
  out.append(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

// Calls emit(cp) for every folded code point of `text`; invalid bytes become a space.
template <class Emit>
void for_each_folded(std::string_view text, Emit emit) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  constexpr int kOptions = UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                           UTF8PROC_STRIPMARK | UTF8PROC_IGNORE;
  std::array<utf8proc_int32_t, 32> decomposed{};
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t used = utf8proc_iterate(p, left, &cp);
    if (used <= 0) {  // invalid byte: a separator, then resynchronise on the next byte
      emit(' ');
      used = 1;
    } else if (cp == 0x0153 || cp == 0x0152) {  // œ Œ: the French ligature reads "oe"
      emit('o');
      emit('e');
    } else if (cp == 0x00E6 || cp == 0x00C6) {  // æ Æ
      emit('a');
      emit('e');
    } else {
      int boundclass = 0;
      const utf8proc_ssize_t n = utf8proc_decompose_char(
          cp, decomposed.data(), static_cast<utf8proc_ssize_t>(decomposed.size()),
          static_cast<utf8proc_option_t>(kOptions), &boundclass);
      if (n < 0 || n > static_cast<utf8proc_ssize_t>(decomposed.size())) {
        emit(' ');
      } else {
        for (utf8proc_ssize_t i = 0; i < n; ++i) emit(decomposed[static_cast<size_t>(i)]);
      }
    }
    p += used;
    left -= used;
  }
}

}  // namespace

std::string fold_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto separate = [&] {
    if (!out.empty()) pending_space = true;
  };
  for_each_folded(text, [&](utf8proc_int32_t cp) {
    const CharClass c = classify(cp);
    if (c == CharClass::kSeparator) {
      separate();
      return;
    }
    if (c == CharClass::kSymbol) separate();
    if (pending_space) out.push_back(' ');
    pending_space = false;
    append_utf8(out, cp);
    if (c == CharClass::kSymbol) separate();
  });
  return out;
}

std::vector<std::string> fold_words(std::string_view text) {
  std::vector<std::string> words;
  const std::string folded = fold_text(text);
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) words.emplace_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::vector<std::string_view> utf8_chars(std::string_view word) {
  std::vector<std::string_view> chars;
  size_t i = 0;
  while (i < word.size()) {
    size_t j = i + 1;
    while (j < word.size() && (static_cast<unsigned char>(word[j]) & 0xC0U) == 0x80U) ++j;
    chars.push_back(word.substr(i, j - i));
    i = j;
  }
  return chars;
}

}  // namespace tq::tasks

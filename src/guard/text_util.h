// Byte-level helpers shared by the recognisers. Text is UTF-8; every byte >= 0x80 is
// treated as part of a word (accented letters), except the spaces and punctuation that
// French typography puts between groups of digits and around quotes.
#pragma once

#include <cstddef>
#include <string_view>

namespace tq::guard::text {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
inline bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
inline bool is_alpha(char c) {
  return is_upper(c) || is_lower(c);
}
inline bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
inline bool is_high(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}
inline char lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

// Length of a no-break space (U+00A0), narrow no-break space (U+202F) or thin space
// (U+2009) at `i`, else 0.
inline size_t unicode_space_len(std::string_view t, size_t i) {
  if (i + 1 < t.size() && t[i] == '\xC2' && t[i + 1] == '\xA0') return 2;
  if (i + 2 < t.size() && t[i] == '\xE2' && t[i + 1] == '\x80' &&
      (t[i + 2] == '\xAF' || t[i + 2] == '\x89'))
    return 3;
  return 0;
}

// A letter or digit, counting multi-byte characters (but not the spaces above) as
// letters: the test for word boundaries.
inline bool is_word_at(std::string_view t, size_t i) {
  if (i >= t.size()) return false;
  const char c = t[i];
  if (is_alnum(c) || c == '_') return true;
  if (!is_high(c)) return false;
  // Step back to the lead byte of this character.
  size_t lead = i;
  while (lead > 0 && (static_cast<unsigned char>(t[lead]) & 0xC0) == 0x80) --lead;
  if (unicode_space_len(t, lead) != 0) return false;
  if (t[lead] == '\xE2') return false;  // general punctuation: dashes, quotes, ellipsis
  if (t[lead] == '\xC2') return false;  // « » and other Latin-1 punctuation
  return true;
}
inline bool word_before(std::string_view t, size_t i) {
  return i > 0 && is_word_at(t, i - 1);
}

// Upper-case first letter, ASCII or Latin-1 (À..Þ, U+00C0..U+00DE except ×).
inline bool starts_upper(std::string_view t, size_t i) {
  if (i >= t.size()) return false;
  if (is_upper(t[i])) return true;
  return i + 1 < t.size() && t[i] == '\xC3' && static_cast<unsigned char>(t[i + 1]) >= 0x80 &&
         static_cast<unsigned char>(t[i + 1]) <= 0x9E && t[i + 1] != '\x97';
}

// End of the word starting at `i` (letters, digits, multi-byte letters; an inner hyphen or
// apostrophe followed by a letter stays inside: Jean-Pierre, O'Neil).
inline size_t word_end(std::string_view t, size_t i) {
  while (i < t.size()) {
    const bool inner_joiner = (t[i] == '-' || t[i] == '\'') && i + 1 < t.size() &&
                              is_word_at(t, i + 1) && i > 0 && is_word_at(t, i - 1);
    if (!is_word_at(t, i) && !inner_joiner) break;
    ++i;
  }
  return i;
}

// Case-insensitive (ASCII) comparison of t[i..] with a lower-case `word`.
inline bool matches_ci(std::string_view t, size_t i, std::string_view word) {
  if (i + word.size() > t.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (lower(t[i + k]) != word[k]) return false;
  return true;
}

// Reads up to `max_digits` digits at i into v; returns how many, or 0 when there are
// none or more digits follow (a longer number).
inline size_t read_int(std::string_view t, size_t i, size_t max_digits, int& v) {
  size_t n = 0;
  v = 0;
  while (i + n < t.size() && is_digit(t[i + n]) && n < max_digits) v = v * 10 + (t[i + n++] - '0');
  if (i + n < t.size() && is_digit(t[i + n])) return 0;
  return n;
}

// Skips spaces, tabs, no-break spaces (not newlines) from `i`.
inline size_t skip_spaces(std::string_view t, size_t i) {
  while (i < t.size()) {
    if (t[i] == ' ' || t[i] == '\t') {
      ++i;
    } else if (size_t n = unicode_space_len(t, i)) {
      i += n;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace tq::guard::text

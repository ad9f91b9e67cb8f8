// Code-point level helpers for the tokenizers: lenient UTF-8 decoding (as llama.cpp's
// unicode.cpp does it), Unicode categories via libutf8proc, and the GPT-2 byte↔char map.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tq::unicode {

// Category flags, grouped the way llama.cpp's generated tables group them
// (C* other than Cn → control, Cn → undefined, Z* → separator).
struct CpFlags {
  bool undefined = false;
  bool number = false;       // \p{N}
  bool letter = false;       // \p{L}
  bool separator = false;    // \p{Z}
  bool accent_mark = false;  // \p{M}
  bool punctuation = false;  // \p{P}
  bool symbol = false;       // \p{S}
  bool control = false;      // \p{C} except Cn
  bool whitespace = false;   // the White_Space property (what \s means to the splitters)
};
CpFlags flags(uint32_t cp);
bool is_whitespace(uint32_t cp);
bool is_letter(uint32_t cp);
bool is_number(uint32_t cp);
bool is_punctuation(uint32_t cp);

// Length of the UTF-8 sequence announced by a lead byte (1 for stray continuation bytes),
// like llama.cpp's unicode_len_utf8: symbols are cut by lead bytes only.
size_t utf8_len(uint8_t lead);

// Decodes text; a malformed or truncated sequence becomes U+FFFD and decoding resumes at
// the next byte (llama.cpp's unicode_cpts_from_utf8 does the same, so splits agree).
std::vector<uint32_t> decode_utf8(std::string_view text);
void append_utf8(std::string& out, uint32_t cp);
std::string encode_utf8(uint32_t cp);

// Length of the longest prefix of `s` made of complete, valid UTF-8 sequences, and how
// the rest looks: `incomplete` when the tail could still become valid with more bytes.
struct Utf8Scan {
  size_t valid_prefix = 0;
  bool incomplete_tail = false;
};
Utf8Scan scan_utf8(std::string_view s);
// Replaces each invalid byte with U+FFFD.
std::string sanitize_utf8(std::string_view s);

uint32_t to_lower(uint32_t cp);
// First code point of the canonical decomposition (NFD). llama.cpp's WordPiece
// "normalisation" maps each code point this way, which drops the accents of precomposed
// letters while keeping one code point per input code point.
uint32_t nfd_first(uint32_t cp);

// GPT-2 byte-level encoding: every byte gets a printable code point (printable Latin-1
// bytes map to themselves, the rest to U+0100 upwards).
const std::string& byte_to_utf8(uint8_t b);
// Inverse; returns -1 for a code point that is not one of the 256.
int utf8_to_byte(uint32_t cp);

}  // namespace tq::unicode

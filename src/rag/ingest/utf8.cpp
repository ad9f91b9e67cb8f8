// Text encodings: everything stored is valid UTF-8; other charsets go through iconv.
#include <errno.h>
#include <iconv.h>

#include <cstring>
#include <string>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t min = 0;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len > 0 ? (c & (0x7Fu >> len)) : 0;
    for (size_t k = 1; ok && k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string to_utf8(std::string_view data, std::string_view charset_in) {
  std::string charset(charset_in);
  for (auto& c : charset) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (charset.empty() || charset == "UTF-8" || charset == "UTF8" || charset == "US-ASCII" ||
      charset == "ASCII") {
    return sanitize_utf8(data);
  }
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  // iconv_open reports failure as (iconv_t)-1: the cast is its API, not ours.
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw InputError("unknown charset '" + std::string(charset_in) + "'");
  }
  std::string out;
  out.resize(data.size() * 4 + 16);
  std::string in(data);
  char* src = in.data();
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  while (src_left > 0) {
    size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == EILSEQ || errno == EINVAL) {
      // An invalid byte for this charset: replace it and go on.
      if (dst_left < 3) break;
      static constexpr char kReplacement[3] = {'\xEF', '\xBF', '\xBD'};  // U+FFFD
      std::memcpy(dst, kReplacement, sizeof kReplacement);
      dst += 3;
      dst_left -= 3;
      ++src;
      --src_left;
    } else {
      break;  // E2BIG cannot happen with 4× room
    }
  }
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return sanitize_utf8(out);
}

}  // namespace tq::rag

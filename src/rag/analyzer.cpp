#include "rag/analyzer.h"

#include <libstemmer.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/error.h"

namespace tq::rag {
namespace {

constexpr size_t kMaxStemBytes = 64;  // longer "words" (hashes, URLs) are kept as they are

bool is_apostrophe(int32_t cp) {
  return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

bool is_word_char(int32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Decodes one code point at `i`; invalid bytes decode as U+FFFD over one byte so a
// broken file never stops the scan.
int32_t next_cp(std::string_view s, size_t i, size_t* len) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  utf8proc_int32_t cp = 0;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    *len = 1;
    return 0xFFFD;
  }
  *len = static_cast<size_t>(n);
  return cp;
}

// Appends `cp` mapped with utf8proc `options` (case fold, or compatibility decomposition
// with marks stripped) as UTF-8.
void append_mapped(std::string& out, int32_t cp, int options) {
  std::array<utf8proc_int32_t, 32> buf{};
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  auto n = utf8proc_decompose_char(cp, buf.data(), static_cast<utf8proc_ssize_t>(buf.size()),
                                   static_cast<utf8proc_option_t>(options), &boundclass);
  if (n < 0 || static_cast<size_t>(n) > buf.size()) return;
  for (utf8proc_ssize_t k = 0; k < n; ++k) {
    std::array<utf8proc_uint8_t, 4> enc{};
    auto m = utf8proc_encode_char(buf[static_cast<size_t>(k)], enc.data());
    out.append(reinterpret_cast<const char*>(enc.data()), static_cast<size_t>(m));
  }
}

void fold_case(std::string_view word, std::string& out) {
  out.clear();
  for (size_t i = 0; i < word.size();) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      ++i;
      continue;
    }
    size_t len = 0;
    int32_t cp = next_cp(word, i, &len);
    append_mapped(out, cp, UTF8PROC_CASEFOLD);
    i += len;
  }
}

bool strip_marks(std::string_view word, std::string& out) {
  out.clear();
  bool changed = false;
  for (size_t i = 0; i < word.size();) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t len = 0;
    int32_t cp = next_cp(word, i, &len);
    append_mapped(out, cp,
                  UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
    changed = true;
    i += len;
  }
  return changed;
}

// Common function words (folded, accents kept): the usual short lists for French and
// English retrieval. Only used when the collection asks for stopwords.
const std::unordered_set<std::string_view>& stopwords_for(const std::string& language) {
  static const std::unordered_set<std::string_view> fr = {
      "au",   "aux", "avec", "ce",    "ces", "dans", "de",    "des",  "du",  "elle", "en",    "et",
      "eux",  "il",  "ils",  "je",    "la",  "le",   "les",   "leur", "lui", "ma",   "mais",  "me",
      "même", "mes", "moi",  "mon",   "ne",  "nos",  "notre", "nous", "on",  "ou",   "par",   "pas",
      "pour", "qu",  "que",  "qui",   "sa",  "se",   "ses",   "son",  "sur", "ta",   "te",    "tes",
      "toi",  "ton", "tu",   "un",    "une", "vos",  "votre", "vous", "c",   "d",    "j",     "l",
      "à",    "m",   "n",    "s",     "t",   "y",    "est",   "sont", "été", "être", "avoir", "ai",
      "as",   "a",   "ont",  "cette", "cet", "ceci", "cela",  "ça"};
  static const std::unordered_set<std::string_view> en = {
      "a",    "an",   "and",  "are",   "as",    "at",    "be",    "but",  "by",   "for",
      "if",   "in",   "into", "is",    "it",    "no",    "not",   "of",   "on",   "or",
      "such", "that", "the",  "their", "then",  "there", "these", "they", "this", "to",
      "was",  "will", "with", "what",  "which", "how",   "are",   "from", "been", "were",
      "have", "has",  "had",  "can",   "do",    "does",  "any",   "its",  "so",   "an"};
  static const std::unordered_set<std::string_view> none;
  if (language == "fr") return fr;
  if (language == "en") return en;
  return none;
}

}  // namespace

std::string normalize_language(std::string_view name) {
  if (name == "fr" || name == "french" || name == "français") return "fr";
  if (name == "en" || name == "english") return "en";
  if (name == "none" || name.empty()) return "none";
  throw InputError("unknown language '" + std::string(name) + "': use fr, en or none");
}

bool is_french_elision(std::string_view p) {
  static const std::array<std::string_view, 12> kElisions = {
      "l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"};
  return std::find(kElisions.begin(), kElisions.end(), p) != kElisions.end();
}

struct Analyzer::Stemmer {
  sb_stemmer* handle = nullptr;
  ~Stemmer() { sb_stemmer_delete(handle); }
};

Analyzer::Analyzer(AnalyzerOptions options) : options_(std::move(options)) {
  options_.language = normalize_language(options_.language);
  if (options_.stem && options_.language != "none") {
    const char* algo = options_.language == "fr" ? "french" : "english";
    stemmer_ = std::make_unique<Stemmer>();
    stemmer_->handle = sb_stemmer_new(algo, "UTF_8");
    if (stemmer_->handle == nullptr) throw Error(std::string("libstemmer has no ") + algo);
  }
}

Analyzer::~Analyzer() = default;

int Analyzer::finish_word(std::string_view text, size_t begin, size_t end, const Emit& emit) {
  fold_case(text.substr(begin, end - begin), folded_);
  if (options_.stopwords && stopwords_for(options_.language).count(folded_) != 0) return 0;
  std::string_view term = folded_;
  if (stemmer_ && folded_.size() <= kMaxStemBytes) {
    const sb_symbol* s =
        sb_stemmer_stem(stemmer_->handle, reinterpret_cast<const sb_symbol*>(folded_.data()),
                        static_cast<int>(folded_.size()));
    if (s != nullptr) {
      term = std::string_view(reinterpret_cast<const char*>(s),
                              static_cast<size_t>(sb_stemmer_length(stemmer_->handle)));
    }
  }
  if (strip_marks(term, stripped_)) term = stripped_;
  if (term.empty()) return 0;
  return emit(term, begin, end);
}

int Analyzer::analyze(std::string_view text, const Emit& emit) {
  size_t i = 0;
  size_t word_begin = std::string_view::npos;
  while (i < text.size()) {
    size_t len = 0;
    int32_t cp = next_cp(text, i, &len);
    if (is_word_char(cp)) {
      if (word_begin == std::string_view::npos) word_begin = i;
      i += len;
      continue;
    }
    if (word_begin != std::string_view::npos) {
      // An apostrophe followed by a letter: "l'avion", "jusqu'à", "aujourd'hui". The
      // elided article is dropped; any other prefix is a word of its own.
      bool elided = false;
      if (is_apostrophe(cp) && i + len < text.size()) {
        size_t len2 = 0;
        int32_t after = next_cp(text, i + len, &len2);
        if (is_word_char(after)) {
          fold_case(text.substr(word_begin, i - word_begin), folded_);
          elided = is_french_elision(folded_);
        }
      }
      if (!elided) {
        if (int rc = finish_word(text, word_begin, i, emit); rc != 0) return rc;
      }
      word_begin = std::string_view::npos;
    }
    i += len;
  }
  if (word_begin != std::string_view::npos) return finish_word(text, word_begin, text.size(), emit);
  return 0;
}

std::vector<std::string> Analyzer::terms(std::string_view text) {
  std::vector<std::string> out;
  analyze(text, [&](std::string_view t, size_t, size_t) {
    out.emplace_back(t);
    return 0;
  });
  return out;
}

}  // namespace tq::rag

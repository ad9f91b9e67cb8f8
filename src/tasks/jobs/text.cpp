#include "tasks/jobs/text.h"

#include <array>
#include <set>
#include <string_view>
#include <utility>

namespace tq::tasks {
namespace {

// Two-byte UTF-8 letters of Latin-1 and the French ligatures, folded.
const std::array<std::pair<std::string_view, std::string_view>, 62> kFold = {{
    {"à", "a"},  {"â", "a"},  {"ä", "a"},  {"á", "a"}, {"ã", "a"}, {"å", "a"},  {"À", "a"},
    {"Â", "a"},  {"Ä", "a"},  {"Á", "a"},  {"é", "e"}, {"è", "e"}, {"ê", "e"},  {"ë", "e"},
    {"É", "e"},  {"È", "e"},  {"Ê", "e"},  {"Ë", "e"}, {"î", "i"}, {"ï", "i"},  {"í", "i"},
    {"ì", "i"},  {"Î", "i"},  {"Ï", "i"},  {"Í", "i"}, {"ô", "o"}, {"ö", "o"},  {"ó", "o"},
    {"ò", "o"},  {"õ", "o"},  {"Ô", "o"},  {"Ö", "o"}, {"Ó", "o"}, {"ù", "u"},  {"û", "u"},
    {"ü", "u"},  {"ú", "u"},  {"Ù", "u"},  {"Û", "u"}, {"Ü", "u"}, {"Ú", "u"},  {"ç", "c"},
    {"Ç", "c"},  {"ñ", "n"},  {"Ñ", "n"},  {"ÿ", "y"}, {"Ÿ", "y"}, {"œ", "oe"}, {"Œ", "oe"},
    {"æ", "ae"}, {"Æ", "ae"}, {"ß", "ss"}, {"ò", "o"}, {"Ò", "o"}, {"Ì", "i"},  {"Ý", "y"},
    {"ý", "y"},  {"Ø", "o"},  {"ø", "o"},  {"Õ", "o"}, {"Ã", "a"}, {"Å", "a"},
}};

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

const std::set<std::string, std::less<>>& french_words() {
  static const std::set<std::string, std::less<>> s = {
      "le",      "la",    "les",    "des",   "du",           "un",      "une",     "et",
      "est",     "je",    "vous",   "nous",  "pour",         "pas",     "que",     "qui",
      "mon",     "ma",    "mes",    "votre", "vos",          "sur",     "avec",    "dans",
      "ce",      "cette", "ces",    "il",    "elle",         "ou",      "au",      "aux",
      "ne",      "se",    "sont",   "suis",  "avez",         "peux",    "puis",    "quand",
      "comment", "quel",  "quelle", "quels", "pourquoi",     "mais",    "tres",    "bonjour",
      "merci",   "j",     "l",      "d",     "qu",           "c",       "n",       "s",
      "m",       "t",     "y",      "leur",  "leurs",        "notre",   "nos",     "sans",
      "sous",    "chez",  "depuis", "deja",  "aussi",        "combien", "faire",   "fait",
      "etre",    "avoir", "ai",     "ont",   "cordialement", "madame",  "monsieur"};
  return s;
}

const std::set<std::string, std::less<>>& english_words() {
  static const std::set<std::string, std::less<>> s = {
      "the",   "an",      "is",    "are",    "i",    "you",  "we",     "to",     "of",    "and",
      "for",   "not",     "my",    "your",   "with", "in",   "on",     "this",   "that",  "what",
      "how",   "do",      "does",  "can",    "it",   "be",   "was",    "were",   "have",  "has",
      "will",  "would",   "could", "should", "from", "at",   "by",     "when",   "where", "which",
      "who",   "why",     "there", "their",  "our",  "they", "please", "thanks", "thank", "hello",
      "hi",    "much",    "many",  "did",    "am",   "if",   "or",     "about",  "any",   "these",
      "those", "regards", "dear",  "been",   "get",  "its",  "me"};
  return s;
}

}  // namespace

std::string fold(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      if (std::string_view(s).substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (!folded) out += s[i++];
  }
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char ch : s) {
    if (is_word_byte(static_cast<unsigned char>(ch))) {
      cur += ch;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool is_stopword(const std::string& w) {
  return french_words().count(w) > 0 || english_words().count(w) > 0;
}

std::string detect_language(const std::string& text) {
  int fr = 0;
  int en = 0;
  for (const auto& w : words(fold(text))) {
    if (french_words().count(w) > 0) ++fr;
    if (english_words().count(w) > 0) ++en;
  }
  // Accented letters are strong French evidence in this setting (é, è, à, ç, ù, ê, â, î, ô, û).
  static constexpr std::array<std::string_view, 12> kAccents = {"é", "è", "ê", "à", "ç", "ù",
                                                                "â", "î", "ô", "û", "ë", "ï"};
  for (const auto& a : kAccents)
    for (size_t pos = text.find(a); pos != std::string::npos; pos = text.find(a, pos + 1)) ++fr;
  return fr > en ? "fr" : "en";
}

}  // namespace tq::tasks

namespace tq::tasks {

std::vector<std::string> content_words(const std::string& text) {
  std::vector<std::string> out;
  for (auto& w : words(fold(text)))
    if (w.size() >= 3 && !is_stopword(w)) out.push_back(std::move(w));
  return out;
}

bool shares_content_word(const std::string& query, const std::string& passage) {
  const auto q = content_words(query);
  const auto p = content_words(passage);
  for (const auto& a : q) {
    for (const auto& b : p) {
      if (a == b) return true;
      if (a.size() >= 5 && b.size() >= 5 && a.compare(0, 5, b, 0, 5) == 0) return true;
    }
  }
  return false;
}

}  // namespace tq::tasks

namespace tq::tasks {

std::string compact_for_scan(const std::string& text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t digits = 0;
  for (size_t i = 0; i < text.size() && out.size() < max_bytes; ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      bool newline = false;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                                 text[i] == '\n' || text[i] == '\f' || text[i] == '\v')) {
        newline = newline || text[i] == '\n';
        ++i;
      }
      --i;
      out += newline ? '\n' : ' ';
      digits = 0;
      continue;
    }
    if (c >= '0' && c <= '9') {
      if (++digits > 15) continue;
    } else {
      digits = 0;
    }
    out += c;
  }
  return out;
}

}  // namespace tq::tasks

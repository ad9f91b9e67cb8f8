// Small text tools the tasks share: accent folding for comparisons ("Écru" = "ecru"),
// word splitting, and the French/English guess that picks the answer's language.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tq::tasks {

// Lower case, French (and common Latin-1) accents removed, œ→oe, æ→ae; other bytes kept.
std::string fold(const std::string& s);

// Words of folded text: runs of letters/digits (non-ASCII bytes count as letters).
std::vector<std::string> words(const std::string& s);

// "fr" or "en": French and English function words counted, accented letters count for
// French; a tie (no evidence either way) is "en".
std::string detect_language(const std::string& text);

// Function words of either language ("le", "the", "pour"), on folded words.
bool is_stopword(const std::string& folded_word);

}  // namespace tq::tasks

namespace tq::tasks {

// Content words (folded, not function words, 3+ letters) of `text`.
std::vector<std::string> content_words(const std::string& text);

// Whether `passage` shares a content word with `query`; words of 5+ letters that start
// alike ("livraison"/"livraisons", "return"/"returns") count as shared: a crude stemmer,
// enough to tell a passage about the question from a passage about something else.
bool shares_content_word(const std::string& query, const std::string& passage);

}  // namespace tq::tasks

namespace tq::tasks {

// Text ready for the jobs' pattern scanners (tasks/jobs/scan.h): runs of white space
// become one space (a newline when they hold one), runs of digits are cut to 15 (no
// meaningful number is longer), and the whole is cut to `max_bytes`, so the work per text
// stays bounded whatever a client sends.
std::string compact_for_scan(const std::string& text, size_t max_bytes = 100000);

}  // namespace tq::tasks

namespace tq::tasks {

// Concatenation in one allocation (messages built in loops).
inline std::string cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (const auto p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (const auto p : parts) out.append(p);
  return out;
}

}  // namespace tq::tasks

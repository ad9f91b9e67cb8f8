// Text analysis shared by indexing and querying (the FTS5 tokenizer wraps it): UTF-8
// words, French elisions split off ("l'avion" → "avion"), case folded, optional Snowball
// stem, diacritics removed, optional stopwords. Indexing and querying must analyse the
// same way, so both go through this one class.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tq::rag {

struct AnalyzerOptions {
  std::string language = "none";  // "fr", "en" or "none" (no stemmer, no stopwords)
  bool stem = true;
  bool stopwords = false;
  bool operator==(const AnalyzerOptions&) const = default;
};

// Parses "fr", "en", "none" (and "french"/"english"); throws InputError otherwise.
std::string normalize_language(std::string_view name);

class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Calls `emit(term, begin, end)` for each term; [begin, end) are byte offsets of the
  // surface word in `text` (after the elided article). Returns early when emit returns
  // non-zero, passing that value back (the FTS5 callback convention).
  using Emit = std::function<int(std::string_view term, size_t begin, size_t end)>;
  int analyze(std::string_view text, const Emit& emit);

  std::vector<std::string> terms(std::string_view text);
  const AnalyzerOptions& options() const { return options_; }

 private:
  int finish_word(std::string_view text, size_t begin, size_t end, const Emit& emit);

  AnalyzerOptions options_;
  struct Stemmer;
  std::unique_ptr<Stemmer> stemmer_;
  std::string folded_;    // scratch: the case-folded word
  std::string stripped_;  // scratch: the stem without diacritics
};

// True for the French elided forms that precede an apostrophe (l, d, qu, jusqu, …).
bool is_french_elision(std::string_view folded_prefix);

}  // namespace tq::rag

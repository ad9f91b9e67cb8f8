// Person names: a known first name (with or without a surname), or any capitalised name
// after a title ("M.", "Mme", "Dr", "Mrs"), a salutation ("Bonjour", "Dear") or a
// closing formula on the line above ("Cordialement,\nXavier Quenum"). The span covers
// the name only, not the title.
#include <array>

#include "guard/first_names.h"
#include "guard/recogniser.h"
#include "guard/text_util.h"

namespace tq::guard {
namespace {

using namespace text;

constexpr std::array<std::string_view, 17> kTitles = {
    "M.",   "Mme",      "Mlle",   "Mr",           "Mrs",     "Ms",         "Dr",     "Pr", "Me",
    "Miss", "Monsieur", "Madame", "Mademoiselle", "Docteur", "Professeur", "Maître", "Sir"};
constexpr std::array<std::string_view, 10> kGreetings = {
    "Bonjour", "Bonsoir", "Hello", "Hi", "Dear", "Cher", "Chère", "Salut", "Coucou", "Hey"};
constexpr std::array<std::string_view, 10> kClosings = {
    "Cordialement", "Regards",     "Sincerely", "Salutations", "Thanks",
    "Merci",        "Bien à vous", "Cheers",    "Amitiés",     "Sincères salutations"};
constexpr std::array<std::string_view, 6> kParticles = {"de la ", "de ",  "du ",
                                                        "van ",   "von ", "d'"};

bool in(std::string_view w, const auto& list) {
  for (std::string_view x : list)
    if (x == w) return true;
  return false;
}

struct NameRun {
  size_t end = 0;
  int tokens = 0;
  bool first_known = false;
};

// Capitalised tokens on one line from j (particles allowed between them), at most four.
NameRun name_run(std::string_view t, size_t j) {
  NameRun run;
  size_t pos = j;
  while (run.tokens < 4 && pos < t.size()) {
    size_t p = pos;
    if (run.tokens > 0)
      for (std::string_view part : kParticles)
        if (t.substr(p, part.size()) == part) {
          p += part.size();
          break;
        }
    if (!starts_upper(t, p)) break;
    const size_t e = word_end(t, p);
    const std::string_view w = t.substr(p, e - p);
    if (e == p || is_name_stopword(w) || in(w, kTitles) || (w.size() < 2)) break;
    bool has_digit = false;
    for (char c : w) has_digit = has_digit || is_digit(c);
    if (has_digit) break;
    if (run.tokens == 0) {
      const size_t hyphen = w.find('-');
      run.first_known = is_first_name(w) ||
                        (hyphen != std::string_view::npos && is_first_name(w.substr(0, hyphen)));
    }
    ++run.tokens;
    run.end = e;
    if (e >= t.size() || t[e] != ' ') break;  // names sit on one line, one space apart
    pos = e + 1;
  }
  return run;
}

class PersonRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    size_t i = 0;
    while (i < t.size()) {
      const char c = t[i];
      const bool candidate = starts_upper(t, i) || c == 'm' || c == 'd' || c == 'b';
      if (!candidate || word_before(t, i)) {
        ++i;
        continue;
      }
      size_t w = word_end(t, i);
      if (w == i) {
        ++i;
        continue;
      }
      if (w < t.size() && t[w] == '.' && t.substr(i, w - i) == "M") ++w;  // "M."
      std::string_view word = t.substr(i, w - i);
      std::string capitalised;
      if (is_lower(c)) {  // "bonjour monsieur Martin", "dear Sam"
        capitalised.assign(word);
        capitalised[0] = static_cast<char>(c - 'a' + 'A');
        word = capitalised;
      }
      const size_t next = i + (w - i);
      const size_t after = skip_spaces(t, w < t.size() && t[w] == '.' ? w + 1 : w);
      size_t end = next;
      if (in(word, kTitles)) {
        if (const NameRun run = name_run(t, after); run.tokens > 0 && after > next) {
          emit(out, EntityType::Person, t, after, run.end, 0.92);
          end = run.end;
        }
      } else if (in(word, kGreetings)) {
        const NameRun run = name_run(t, after);
        if (run.tokens > 0 && after > next &&
            !in(t.substr(after, word_end(t, after) - after), kTitles)) {
          emit(out, EntityType::Person, t, after, run.end, run.first_known ? 0.9 : 0.75);
          end = run.end;
        }
      } else if (is_lower(c)) {
        // lower-case words only matter as titles or greetings
      } else if (in(word, kClosings) || word == "Bien" || word == "Best" || word == "Kind") {
        end = signature(t, w, out);
      } else {
        const NameRun run = name_run(t, i);
        if (run.first_known && run.tokens >= 2) {
          emit(out, EntityType::Person, t, i, run.end, 0.9);
          end = run.end;
        } else if (run.first_known && !is_ambiguous_first_name(word) &&
                   !(next < t.size() && t[next] == '\'') &&
                   !(next + 1 < t.size() && t[next] == ' ' && is_digit(t[next + 1]))) {
          emit(out, EntityType::Person, t, i, run.end, 0.7);
          end = run.end;
        }
      }
      i = end > i ? end : i + 1;
    }
  }

 private:
  // After a closing formula: the rest of its line is punctuation or a few words
  // ("Bien à vous,", "Best regards,"), then the next non-empty line is the name.
  static size_t signature(std::string_view t, size_t i, std::vector<Entity>& out) {
    const size_t nl = t.find('\n', i);
    if (nl == std::string_view::npos || nl - i > 24) return i;
    size_t j = nl + 1;
    while (j < t.size() && (t[j] == '\n' || t[j] == '\r' || t[j] == ' ')) ++j;
    const NameRun run = name_run(t, j);
    if (run.tokens == 0) return i;
    const size_t line_end = t.find('\n', run.end);
    const std::string_view rest = t.substr(
        run.end, line_end == std::string_view::npos ? std::string_view::npos : line_end - run.end);
    const bool alone = rest.find_first_not_of(" \r,.") == std::string_view::npos;
    if (!alone || (run.tokens < 2 && !run.first_known)) return i;
    emit(out, EntityType::Person, t, j, run.end, 0.85);
    return run.end;
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_person_recogniser() {
  return std::make_unique<PersonRecogniser>();
}

}  // namespace tq::guard

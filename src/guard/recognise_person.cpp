// Person names, from the strongest evidence to the weakest:
//  - a title before the name ("M.", "Mme", "Dr", "Mrs", "Professor"; "madame durand" in
//    lower-case chats) — the span is the name without the title;
//  - a greeting ("Bonjour", "Hi", "Dear"), a form or header label ("Nom :", "Patient:",
//    "De :"), a closing formula before the name ("Cordialement,\nXavier Quenum",
//    "Thanks, Jack");
//  - a known first name, alone or with a surname ("Jean-Pierre Le Bihan"); a known surname
//    after a capitalised word ("Raj Patel"); a surname in capitals before a known first
//    name ("DUPONT Marie", "LEMAIRE/JULIEN");
//  - in lower-case chats, a known first name after words that introduce or address people
//    ("c'est julien", "thanks kate", "le mail de thibault") or as a speaker label at the
//    start of a line ("lucie: oui").
// A lone first name beside a catalogue noun is a product ("Lampe Louise", "Victor
// Armchair"), and first names that are ordinary words ("Rose", "Will") need more evidence.
#include <algorithm>
#include <array>
#include <cstdint>

#include "guard/first_names.h"
#include "guard/recogniser.h"
#include "guard/text_util.h"

namespace tq::guard {
namespace {

using namespace text;

constexpr std::array<std::string_view, 25> kTitles = {
    "M.",         "Mme",    "Mlle", "Mr",        "Mrs",    "Ms",           "Dr",
    "Pr",         "Me",     "Miss", "Monsieur",  "Madame", "Mademoiselle", "Docteur",
    "Professeur", "Maître", "Sir",  "Professor", "Prof",   "Nurse",        "Rev",
    "Lord",       "Lady",   "Dame", "Mx"};
// Lower-case titles of chats ("je rappelle madame durand"); "m.", "me", "ms" and "dr" are
// too common in lower case (metres, milliseconds) to count.
constexpr std::array<std::string_view, 8> kLowerTitles = {
    "mme", "mlle", "mr", "mrs", "madame", "monsieur", "mademoiselle", "docteur"};
constexpr std::array<std::string_view, 10> kGreetings = {
    "bonjour", "bonsoir", "hello", "hi", "dear", "cher", "chère", "salut", "coucou", "hey"};
constexpr std::array<std::string_view, 5> kThanks = {"merci", "thanks", "thx", "thank", "cheers"};
// Words between thanks and a name: "merci beaucoup nathalie", "thanks so much ryan".
constexpr std::array<std::string_view, 9> kFillers = {
    "beaucoup", "bcp", "bien", "encore", "infiniment", "you", "so", "much", "again"};
// Words that introduce a person: the strong ones (a self-introduction) also before a
// capitalised first name that is an ordinary word ("I'm Grace"); after the others only
// a lower-case known first name counts ("ask jessica", "le mail de thibault").
constexpr std::array<std::string_view, 9> kStrongIntroducers = {
    "c'est", "suis", "m'appelle", "appelle", "i'm", "im", "is", "it's", "its"};
constexpr std::array<std::string_view, 15> kIntroducers = {
    "ask",  "tell", "call", "appeler", "rappeler", "rappelle", "à",  "de",
    "avec", "to",   "with", "from",    "pour",     "by",       "par"};
constexpr std::array<std::string_view, 12> kClosings = {
    "Cordialement", "Regards", "Sincerely", "Salutations",      "Thanks",     "Merci",
    "Bien à vous",  "Cheers",  "Amitiés",   "Respectueusement", "Faithfully", "Best"};
// Form fields and mail headers whose value is a person: "Nom : DUPONT", "De : Laurence
// Vidal <…>", "Cardholder: Kevin Brooks", "Ship to: Emily Carter".
constexpr std::array<std::string_view, 27> kNameLabels = {
    "nom",     "prénom",     "name",          "surname",        "titulaire",
    "patient", "cardholder", "holder",        "bénéficiaire",   "destinataire",
    "client",  "cliente",    "customer",      "contact",        "attn",
    "signé",   "signed",     "interlocuteur", "interlocutrice", "locataire",
    "tenant",  "employee",   "salarié",       "salariée",       "de",
    "from",    "to"};
// Surnames that start with a particle: "de La Tour", "van der Berg", "Le Bihan".
constexpr std::array<std::string_view, 30> kParticles = {
    "van der ", "van den ", "Van der ", "Van den ", "van de ", "de la ", "De la ", "de La ",
    "De La ",   "de ",      "De ",      "du ",      "Du ",     "des ",   "van ",   "Van ",
    "von ",     "Von ",     "Le ",      "La ",      "Da ",     "da ",    "Di ",    "Del ",
    "dos ",     "Dos ",     "El ",      "Ben ",     "Ait ",    "d'"};
// Lower-case words that never follow a lower-case title as a name ("madame la directrice").
constexpr std::array<std::string_view, 32> kFunctionWords = {
    "le",  "la",   "les", "l'",  "de", "du", "des", "un", "une", "est", "a",
    "et",  "ou",   "qui", "que", "en", "au", "the", "an", "and", "or",  "is",
    "was", "will", "at",  "in",  "on", "of", "for", "to", "by",  "per"};

// The lower-case cue words above in one table sorted by length, so that a word is
// compared only with the cues of its length (this runs on most words of a text).
enum class Cue : uint8_t { None, Title, Greeting, Thanks, Strong, Weak };
struct CueWord {
  std::string_view word;
  Cue cue;
};
constexpr size_t kCueCount = kLowerTitles.size() + kGreetings.size() + kThanks.size() +
                             kStrongIntroducers.size() + kIntroducers.size();
constexpr size_t kMaxCueLength = 12;
constexpr std::array<CueWord, kCueCount> kCueTable = [] {
  std::array<CueWord, kCueCount> table{};
  size_t n = 0;
  const auto add = [&](const auto& list, Cue cue) {
    for (std::string_view w : list) table[n++] = {w, cue};
  };
  add(kLowerTitles, Cue::Title);
  add(kGreetings, Cue::Greeting);
  add(kThanks, Cue::Thanks);
  add(kStrongIntroducers, Cue::Strong);
  add(kIntroducers, Cue::Weak);
  std::sort(table.begin(), table.end(),
            [](const CueWord& a, const CueWord& b) { return a.word.size() < b.word.size(); });
  return table;
}();
// kCueTable[kCueStart[n], kCueStart[n + 1]) holds the cues of n bytes.
constexpr std::array<size_t, kMaxCueLength + 2> kCueStart = [] {
  std::array<size_t, kMaxCueLength + 2> start{};
  for (size_t len = 0; len <= kMaxCueLength + 1; ++len)
    for (const CueWord& c : kCueTable)
      if (c.word.size() < len) ++start[len];
  return start;
}();
// The first bytes of the cues: other lower-case words are skipped without a lookup.
constexpr std::array<bool, 256> kCueFirstBytes = [] {
  std::array<bool, 256> first{};
  for (const CueWord& c : kCueTable) first[static_cast<unsigned char>(c.word[0])] = true;
  return first;
}();

Cue lower_cue(std::string_view w) {
  if (w.size() > kMaxCueLength) return Cue::None;
  for (size_t k = kCueStart[w.size()]; k < kCueStart[w.size() + 1]; ++k)
    if (kCueTable[k].word[0] == w[0] && kCueTable[k].word == w) return kCueTable[k].cue;
  return Cue::None;
}

template <size_t N>
bool in(std::string_view w, const std::array<std::string_view, N>& list) {
  for (std::string_view x : list)  // size and first byte first: most words differ there
    if (x.size() == w.size() && x[0] == w[0] && x == w) return true;
  return false;
}

bool all_caps(std::string_view w) {
  if (w.size() < 2) return false;
  for (char c : w)
    if (!is_upper(c) && c != '-' && c != '\'' && !is_high(c)) return false;
  return true;
}

bool has_digit(std::string_view w) {
  for (char c : w)
    if (is_digit(c)) return true;
  return false;
}

// "ColorColumn", "iPhone": identifiers, not names ("McDonald", "MacLeod", "DeShawn",
// "LeBlanc" and capitals throughout are fine).
bool camel_case(std::string_view w) {
  if (all_caps(w)) return false;
  size_t from = 1;
  for (std::string_view prefix : {"Mac", "Mc", "De", "Le", "La", "Di", "Da", "Du"})
    if (w.starts_with(prefix)) from = prefix.size() + 1;
  for (size_t k = from; k < w.size(); ++k)
    if (is_upper(w[k]) && w[k - 1] != '-' && w[k - 1] != '\'') return true;
  return false;
}

// A known first name, also as the first part of a compound one ("Pierre-Yves", "Marie-Ange").
bool known_first(std::string_view w) {
  if (is_first_name(w)) return true;
  if (all_caps(w) && is_first_name_ci(w)) return true;
  const size_t hyphen = w.find('-');
  return hyphen != std::string_view::npos && is_first_name(w.substr(0, hyphen));
}

// Given names are not trade nouns: "Imprimerie Gauthier", "Menuiserie Robin".
bool trade_noun(std::string_view w) {
  for (std::string_view suffix : {"erie", "tion", "ment", "ique", "age", "ance", "ence"})
    if (w.size() > suffix.size() + 2 && w.substr(w.size() - suffix.size()) == suffix) return true;
  return false;
}

struct NameRun {
  size_t end = 0;
  int tokens = 0;
  bool first_known = false;    // the first token is a known first name
  bool first_caps = false;     // the first token is in capitals ("DUPONT")
  bool second_known = false;   // the second token is a known first name ("DUPONT Marie")
  bool surname_known = false;  // a later token is a known surname
  bool product_next = false;   // the run stopped before a catalogue noun
  bool stopword_next = false;  // the run stopped before a stopword ("Dear Hiring Manager")
};

// The particle at p (followed by a capitalised word), or 0.
size_t particle_at(std::string_view t, size_t p) {
  for (std::string_view part : kParticles)
    if (t.substr(p, part.size()) == part && starts_upper(t, p + part.size())) return part.size();
  return 0;
}

// Capitalised tokens on one line from j, one space apart, with particles between them
// (and before the first when `leading_particle`, as after a title), at most four.
NameRun name_run(std::string_view t, size_t j, bool leading_particle = false) {
  NameRun run;
  size_t pos = j;
  int trailing_initials = 0;  // initials not yet followed by a word: dropped if the run ends
  while (run.tokens < 4 && pos < t.size()) {
    size_t p = pos;
    if (run.tokens > 0 || leading_particle) p += particle_at(t, p);
    if (!starts_upper(t, p)) break;
    size_t e = word_end(t, p);
    // An initial: "S. Clarke", "John F. Kennedy" (never the last token).
    if (e == p + 1 && e + 2 < t.size() && t[e] == '.' && t[e + 1] == ' ' &&
        starts_upper(t, e + 2) && t[p] != 'M') {
      ++run.tokens;
      ++trailing_initials;
      pos = e + 2;
      continue;
    }
    const std::string_view w = t.substr(p, e - p);
    if (run.tokens > 0 && e < t.size() && t[e] == '/') break;  // "SIMON/CAMILLE" is its own
    char buf[16];
    const std::string_view folded = fold_case(w, buf, sizeof buf);
    if (is_name_stopword(w) || in(w, kTitles) ||
        (!folded.empty() && (in(folded, kLowerTitles) || folded == "ms" || folded == "dr"))) {
      run.stopword_next = run.tokens > 0;
      break;
    }
    if (w == "M" && e < t.size() && t[e] == '.') break;  // the title, not an initial
    if (w.size() < 2 || has_digit(w) || w.starts_with("L'") || w.starts_with("D'") || camel_case(w))
      break;
    if (run.tokens > 0 && is_product_noun_ci(w)) {
      run.product_next = true;
      break;
    }
    if (run.tokens == 0) {
      run.first_known = known_first(w);
      run.first_caps = all_caps(w);
    } else {
      if (run.tokens == 1) run.second_known = known_first(w);
      run.surname_known = run.surname_known || is_surname_ci(w);
    }
    ++run.tokens;
    trailing_initials = 0;
    run.end = e;
    if (e >= t.size() || t[e] != ' ') break;  // names sit on one line, one space apart
    pos = e + 1;
  }
  // "L. De M.": a run that stops after an initial ends at its last word; with no word at
  // all it is no run (its end would lie before its start).
  run.tokens -= trailing_initials;
  return run;
}

// The word before `i` on the same line (skipping spaces and quotes), or empty.
std::string_view previous_word(std::string_view t, size_t i) {
  size_t e = i;
  while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '"' || t[e - 1] == '\'')) --e;
  size_t s = e;
  while (s > 0 && is_word_at(t, s - 1)) --s;
  return t.substr(s, e - s);
}

// Whether a catalogue noun stands right before the name or within two words after it.
bool beside_product(std::string_view t, size_t start, size_t end) {
  if (is_product_noun_ci(previous_word(t, start))) return true;
  size_t j = end;
  for (int words = 0; words < 2; ++words) {
    while (j < t.size() && (t[j] == ' ' || t[j] == '"' || t[j] == '(')) ++j;
    const size_t e = word_end(t, j);
    if (e == j) return false;
    if (is_product_noun_ci(t.substr(j, e - j))) return true;
    j = e;
  }
  return false;
}

class PersonRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    size_t i = 0;
    while (i < t.size()) {
      if (!is_alpha(t[i]) && !is_high(t[i])) {
        ++i;
        continue;
      }
      if (word_before(t, i)) {
        ++i;
        continue;
      }
      size_t w = i;
      if (is_lower(t[i])) {
        // A lower-case word that cannot be a cue, away from the start of a line (where it
        // may be a chat speaker's name): skip its ASCII letters at once.
        if (!kCueFirstBytes[static_cast<unsigned char>(t[i])] && i > 0 && t[i - 1] != '\n') {
          while (i < t.size() && is_alpha(t[i])) ++i;
          continue;
        }
        // Cues are ASCII letters and apostrophes ("c'est") but for "chère": the general
        // word scan only where the word goes on with other bytes.
        while (w < t.size() && (is_lower(t[w]) || (t[w] == '\'' && w > i))) ++w;
        if (w < t.size() && (is_word_at(t, w) || t[w] == '-')) w = word_end(t, i);
      } else {
        w = word_end(t, i);
      }
      if (w == i) {
        ++i;
        continue;
      }
      if (w < t.size() && t[w] == '.' && t.substr(i, w - i) == "M") ++w;  // "M."
      const std::string_view word = t.substr(i, w - i);
      const size_t end =
          starts_upper(t, i) ? capitalised(t, i, w, word, out) : lower_case(t, i, w, word, out);
      i = end > i ? end : w;
    }
  }

 private:
  // A capitalised word at [i, w): title, greeting, label, closing or the name itself.
  static size_t capitalised(std::string_view t, size_t i, size_t w, std::string_view word,
                            std::vector<Entity>& out) {
    const size_t after = skip_spaces(t, w < t.size() && t[w] == '.' ? w + 1 : w);
    if (in(word, kTitles)) {
      const NameRun run = name_run(t, after, true);
      if (run.tokens == 0 || after == w) return w;
      emit(out, EntityType::Person, t, after, run.end, 0.92);
      return run.end;
    }
    char buf[32];
    const std::string_view lower = fold_case(word, buf, sizeof buf);
    if (in(lower, kGreetings)) return after_greeting(t, w, after, out);
    if (const size_t e = after_label(t, w, lower, out)) return e;
    if (in(lower, kStrongIntroducers) && after > w) return introduced(t, w, after, out);
    if (in(word, kClosings) || word == "Bien" || word == "Kind" || word == "Warm" ||
        word == "Many" || word == "Yours" || word == "Best")
      return signature(t, w, out);
    if (const size_t e = slash_name(t, i, w, out)) return e;
    return bare_name(t, i, w, word, out);
  }

  // "Bonjour Jean-Pierre", "Dear Ms. Alvarez" (the title takes it), "Hi grace".
  // `lower_greeting`: the greeting was written in lower case ("hi Normal" is a Vim
  // command, "hi Sarah" a chat), so an unknown capitalised word is not enough.
  static size_t after_greeting(std::string_view t, size_t w, size_t after, std::vector<Entity>& out,
                               bool lower_greeting = false) {
    if (after == w) return w;
    if (!starts_upper(t, after)) return lower_name(t, after, /*addressed=*/true, out, 0.8);
    if (in(t.substr(after, word_end(t, after) - after), kTitles)) return w;
    const NameRun run = name_run(t, after);
    if (run.tokens == 0 || (lower_greeting && !run.first_known)) return w;
    // "Dear Hiring Manager", "Dear Valued Customer": a role, not a name.
    if (run.tokens == 1 && !run.first_known && run.stopword_next) return run.end;
    if (run.tokens == 1 && run.first_known && run.product_next) return run.end;
    emit(out, EntityType::Person, t, after, run.end, run.first_known ? 0.9 : 0.75);
    return run.end;
  }

  // "I'm Grace", "c'est Léo", "my name is Aditi Sharma": a known first name, even one
  // that is also a word.
  static size_t introduced(std::string_view t, size_t w, size_t after, std::vector<Entity>& out) {
    const NameRun run = name_run(t, after);
    if (run.tokens == 0 || !run.first_known) return w;
    emit(out, EntityType::Person, t, after, run.end, 0.85);
    return run.end;
  }

  // "Nom : LE GOFF", "Patient name: Margaret Ellis", "De : Laurence Vidal <…>".
  static size_t after_label(std::string_view t, size_t w, std::string_view lower,
                            std::vector<Entity>& out) {
    if (!in(lower, kNameLabels)) return 0;
    size_t colon = w;
    if (colon < t.size() && t[colon] == ' ') ++colon;
    if (colon >= t.size() || t[colon] != ':') return 0;
    const size_t start = skip_spaces(t, colon + 1);
    if (start == colon + 1 || !starts_upper(t, start)) return 0;
    const NameRun run = name_run(t, start, true);
    if (run.tokens == 0) return 0;
    const std::string_view first = t.substr(start, word_end(t, start) - start);
    const bool plausible = run.tokens >= 2
                               ? !trade_noun(first) || run.first_known
                               : run.first_known || run.first_caps || is_surname_ci(first);
    if (!plausible || (run.tokens == 1 && is_ambiguous_first_name(first))) return 0;
    emit(out, EntityType::Person, t, start, run.end, 0.85);
    return run.end;
  }

  // "LEMAIRE/JULIEN": the surname, a slash and the first name of travel bookings.
  static size_t slash_name(std::string_view t, size_t i, size_t w, std::vector<Entity>& out) {
    if (w + 1 >= t.size() || t[w] != '/' || !all_caps(t.substr(i, w - i))) return 0;
    const size_t e = word_end(t, w + 1);
    const std::string_view first = t.substr(w + 1, e - w - 1);
    if (!all_caps(first) || !is_first_name_ci(first)) return 0;
    emit(out, EntityType::Person, t, i, e, 0.85);
    return e;
  }

  // A capitalised word with no cue before it.
  static size_t bare_name(std::string_view t, size_t i, size_t w, std::string_view word,
                          std::vector<Entity>& out) {
    const NameRun run = name_run(t, i);
    if (run.tokens == 0) return w;
    // A first name that is also a word ("Pascal Compiler", "Grace Period") needs a known
    // surname or one in capitals after it.
    const bool ambiguous = is_ambiguous_first_name(word);
    if (run.first_known && run.tokens >= 2 && (!ambiguous || run.surname_known)) {
      emit(out, EntityType::Person, t, i, run.end, 0.9);
      return run.end;
    }
    if (run.first_caps && run.second_known && run.tokens == 2) {  // "DUPONT Marie"
      emit(out, EntityType::Person, t, i, run.end, 0.88);
      return run.end;
    }
    if (!run.first_known && !run.second_known && run.tokens >= 2 && run.surname_known &&
        !run.first_caps && !trade_noun(word) && !is_product_noun_ci(word)) {  // "Raj Patel"
      emit(out, EntityType::Person, t, i, run.end, 0.8);
      return run.end;
    }
    if (run.first_known && !ambiguous && !run.first_caps && !(w < t.size() && t[w] == '\'') &&
        !(w + 1 < t.size() && t[w] == ' ' && is_digit(t[w + 1])) && !run.product_next &&
        !beside_product(t, i, run.end)) {
      emit(out, EntityType::Person, t, i, run.end, 0.7);
      return run.end;
    }
    return w;  // "Caller Emily Clarke": the name may start at the next word
  }

  // A lower-case word at [i, w): a chat title, greeting, thanks, introducer or speaker.
  static size_t lower_case(std::string_view t, size_t i, size_t w, std::string_view word,
                           std::vector<Entity>& out) {
    if (word.size() > 12) return w;
    const size_t after = skip_spaces(t, w);
    if (after == w) {  // "lucie: oui je lui réponds" at the start of a line
      if (w < t.size() && t[w] == ':' && (i == 0 || t[i - 1] == '\n') && is_first_name_ci(word) &&
          !is_common_word_name(word)) {
        emit(out, EntityType::Person, t, i, w, 0.8);
        return w;
      }
      return w;
    }
    switch (lower_cue(word)) {
      case Cue::None:
        return w;
      case Cue::Title: {
        if (starts_upper(t, after)) return w;  // "mme Fontaine": the capitalised rules
        const size_t e = word_end(t, after);
        const std::string_view name = t.substr(after, e - after);
        if (e == after || name.size() < 2 || in(name, kFunctionWords) || has_digit(name) ||
            is_name_stopword(name))
          return w;
        emit(out, EntityType::Person, t, after, e, 0.75);
        return e;
      }
      case Cue::Greeting:
        return after_greeting(t, w, after, out, true);
      case Cue::Strong:
        return starts_upper(t, after) ? introduced(t, w, after, out)
                                      : lower_name(t, after, false, out, 0.75);
      case Cue::Thanks: {
        size_t j = after;
        for (int k = 0; k < 2; ++k) {
          const size_t e = word_end(t, j);
          if (e == j || !in(t.substr(j, e - j), kFillers)) break;
          j = skip_spaces(t, e);
        }
        return lower_name(t, j, true, out, 0.8);
      }
      case Cue::Weak:
        return lower_name(t, after, false, out, 0.75);
    }
    return w;
  }

  // A lower-case first name at j ("julien", "marie-pierre"), with a following lower-case
  // surname when it is a known one ("kevin martin"). `addressed`: after a greeting or
  // thanks, where first names that are also words count when punctuation ends them
  // ("hi grace,").
  static size_t lower_name(std::string_view t, size_t j, bool addressed, std::vector<Entity>& out,
                           double confidence) {
    if (j >= t.size() || !is_lower(t[j])) return j;
    const size_t e = word_end(t, j);
    const std::string_view name = t.substr(j, e - j);
    const size_t hyphen = name.find('-');
    const bool known = is_first_name_ci(name) || (hyphen != std::string_view::npos &&
                                                  is_first_name_ci(name.substr(0, hyphen)));
    if (!known) return j;
    const bool punctuated =
        e >= t.size() || t[e] == ',' || t[e] == '!' || t[e] == '.' || t[e] == '\n' || t[e] == '?';
    if (is_common_word_name(name) && !(addressed && punctuated)) return e;
    size_t end = e;
    if (e + 1 < t.size() && t[e] == ' ' && is_lower(t[e + 1])) {
      const size_t s_end = word_end(t, e + 1);
      if (is_surname_ci(t.substr(e + 1, s_end - e - 1))) end = s_end;
    }
    emit(out, EntityType::Person, t, j, end, confidence);
    return end;
  }

  // After a closing formula: the rest of its line is punctuation or a few words
  // ("Bien à vous,", "Best regards,"), then the next non-empty line is the name; or the
  // name follows on the same line ("Thanks, Jack", "Regards, Tom Baker").
  static size_t signature(std::string_view t, size_t i, std::vector<Entity>& out) {
    const size_t nl = t.find('\n', i);
    if (i + 2 < t.size() && t[i] == ',' && t[i + 1] == ' ' && starts_upper(t, i + 2)) {
      const NameRun run = name_run(t, i + 2);
      const bool alone =
          run.end >= t.size() || t[run.end] == '\n' || t[run.end] == '.' || t[run.end] == '!';
      if (run.tokens > 0 && alone && (run.first_known || run.tokens >= 2)) {
        emit(out, EntityType::Person, t, i + 2, run.end, 0.85);
        return run.end;
      }
    }
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

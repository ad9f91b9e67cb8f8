// Hand-written pattern matching for the jobs (dates in e-mails, numbers with units, order
// and product references), in place of std::regex: its matcher recursed once per repeated
// character (deep stacks on long inputs) and was slow. Each pattern is written out as code
// from a few combinators that keep a regular expression's backtracking order — greedy
// repeats that give back one at a time, alternatives tried first to last — so the patterns
// match exactly what their regular expressions did. A continuation (`Next`) is "the rest of
// the pattern from here"; a combinator succeeds when its part and the rest both match.
//
// Every repeat is bounded. A repeat of one character class backtracks in a loop; a repeat
// of a group recurses once per repetition (at most its bound), never once per character.
// Character classes are ASCII, as std::regex's were for `char` text in the C locale.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace tq::tasks::scan {

// A non-owning reference to a callable with signature `Sig` (lambdas kept alive by the
// caller for the duration of the call; nothing is allocated).
template <class Sig>
class Ref;
template <class R, class... A>
class Ref<R(A...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, Ref>)
      Ref(const F& f)  // NOLINT(google-explicit-constructor): lambdas pass as continuations
      : obj_(&f),
        call_([](const void* o, A... a) -> R { return (*static_cast<const F*>(o))(a...); }) {}
  R operator()(A... a) const { return call_(obj_, a...); }

 private:
  const void* obj_;
  R (*call_)(const void*, A...);
};

// The rest of a pattern, from the position where the part before it ended.
using Next = Ref<bool(size_t)>;
// A part of a pattern that can be repeated: matches at a position, then calls the rest.
using Part = Ref<bool(size_t, Next)>;

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
inline bool is_lower_alnum(char c) {
  return is_lower(c) || is_digit(c);
}
inline bool is_alpha(char c) {
  return is_lower(c) || (c >= 'A' && c <= 'Z');
}
// \s: space, tab, newline, vertical tab, form feed, carriage return.
inline bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
// \w, which decides \b: letters, digits, underscore.
inline bool is_word(char c) {
  return is_alpha(c) || is_digit(c) || c == '_';
}
inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// \b at `p`.
inline bool boundary(std::string_view t, size_t p) {
  const bool before = p > 0 && is_word(t[p - 1]);
  const bool after = p < t.size() && is_word(t[p]);
  return before != after;
}

// `pred` repeated min..max times, greedy: the longest run first, then one less, down to min.
template <class Pred>
bool run(std::string_view t, size_t p, size_t min, size_t max, Pred pred, Next next) {
  size_t n = 0;
  while (n < max && p + n < t.size() && pred(t[p + n])) ++n;
  if (n < min) return false;
  for (size_t k = n + 1; k-- > min;)
    if (next(p + k)) return true;
  return false;
}

// \s* and \s+.
inline bool spaces(std::string_view t, size_t p, Next next) {
  return run(t, p, 0, std::string_view::npos, is_space, next);
}
inline bool spaces1(std::string_view t, size_t p, Next next) {
  return run(t, p, 1, std::string_view::npos, is_space, next);
}

// A literal; `icase`: ASCII letters of either case match.
inline bool lit(std::string_view t, size_t p, std::string_view s, Next next, bool icase = false) {
  if (p + s.size() > t.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char a = t[p + i];
    if (icase ? ascii_lower(a) != ascii_lower(s[i]) : a != s[i]) return false;
  }
  return next(p + s.size());
}

// One character that satisfies `pred`.
template <class Pred>
bool one(std::string_view t, size_t p, Pred pred, Next next) {
  return p < t.size() && pred(t[p]) && next(p + 1);
}

// `part` repeated min..max times, greedy; an empty repetition ends the repeat (as in
// ECMAScript, a repeat never loops on the empty string).
inline bool times(size_t p, int min, int max, Part part, Next next) {
  if (max > 0) {
    auto again = [&](size_t q) {
      return q != p && times(q, min > 0 ? min - 1 : 0, max - 1, part, next);
    };
    if (part(p, again)) return true;
  }
  return min <= 0 && next(p);
}

// A match of a searched pattern: [begin, end).
struct Span {
  size_t begin = 0, end = 0;
};

// Every match of `at` in `t`, left to right, as an iterator over a regular expression's
// matches would give them: `at(s, end)` tries the pattern starting at s and sets the end;
// the next search starts at that end. `found(span)` sees each match.
template <class At, class Found>
void search_all(std::string_view t, At at, Found found) {
  for (size_t s = 0; s <= t.size();) {
    size_t end = s;
    if (at(s, end) && end > s) {
      found(Span{s, end});
      s = end;
    } else {
      ++s;
    }
  }
}

}  // namespace tq::tasks::scan

#include "tasks/jobs/date_patterns.h"

namespace tq::tasks {

using scan::is_digit;
using scan::lit;
using scan::Next;
using scan::run;
using scan::spaces1;
using scan::Span;

namespace {

// An optional ordinal suffix, the alternatives in the expression's order, then none.
bool ordinal(std::string_view t, size_t p, std::initializer_list<const char*> suffixes, Next next) {
  for (const char* s : suffixes)
    if (lit(t, p, s, next)) return true;
  return next(p);
}

bool digit_not_at(std::string_view t, size_t p) {
  return !(p < t.size() && is_digit(t[p]));
}

}  // namespace

bool header_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end) {
  return run(t, s, 1, 2, is_digit, [&](size_t a) {
    return spaces1(t, a, [&](size_t b) {
      return run(t, b, 3, 3, scan::is_alpha, [&](size_t c) {
        return run(t, c, 0, std::string_view::npos, scan::is_lower, [&](size_t d) {
          return spaces1(t, d, [&](size_t e) {
            return run(t, e, 4, 4, is_digit, [&](size_t f) {
              m = {{s, a}, {b, c}, Span{e, f}};
              end = f;
              return true;
            });
          });
        });
      });
    });
  });
}

bool iso_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end) {
  return run(t, s, 4, 4, is_digit, [&](size_t a) {
    return lit(t, a, "-", [&](size_t b) {
      return run(t, b, 2, 2, is_digit, [&](size_t c) {
        return lit(t, c, "-", [&](size_t d) {
          return run(t, d, 2, 2, is_digit, [&](size_t e) {
            m = {{b, c}, {d, e}, Span{s, a}};
            end = e;
            return true;
          });
        });
      });
    });
  });
}

bool numeric_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end) {
  const auto separator = [](char c) { return c == '/' || c == '.'; };
  // (?![\d/]) at the end of the date.
  const auto ends = [&](size_t p) { return p >= t.size() || !(is_digit(t[p]) || t[p] == '/'); };
  const auto from = [&](size_t p) {
    return run(t, p, 1, 2, is_digit, [&](size_t a) {
      return scan::one(t, a, separator, [&](size_t b) {
        return run(t, b, 1, 2, is_digit, [&](size_t c) {
          const auto done = [&](size_t e, std::optional<Span> year) {
            if (!ends(e)) return false;
            m = {{p, a}, {b, c}, year};
            end = e;
            return true;
          };
          const auto with_year = [&](size_t q) {
            return run(t, q, 4, 4, is_digit,
                       [&](size_t e) {
                         return done(e, Span{q, e});
                       }) ||
                   run(t, q, 2, 2, is_digit, [&](size_t e) {
                     return done(e, Span{q, e});
                   });
          };
          return scan::one(t, c, separator, with_year) || done(c, std::nullopt);
        });
      });
    });
  };
  if (s == 0 && from(0)) return true;
  return s < t.size() && !(is_digit(t[s]) || separator(t[s])) && from(s + 1);
}

bool day_month_at(std::string_view t, size_t s, DateMatch& m, size_t& end) {
  return run(t, s, 1, 2, is_digit, [&](size_t a) {
    return ordinal(t, a, {"er", "st", "nd", "rd", "th"}, [&](size_t b) {
      return spaces1(t, b, [&](size_t c) {
        return run(t, c, 3, 9, scan::is_lower, [&](size_t d) {
          if (!scan::boundary(t, d)) return false;
          const auto after_dot = [&](size_t e) {
            // (?:\s+(\d{4}))? — taken when it matches; nothing follows it.
            size_t y = e;
            while (y < t.size() && scan::is_space(t[y])) ++y;
            const bool year = y > e && y + 4 <= t.size() && is_digit(t[y]) && is_digit(t[y + 1]) &&
                              is_digit(t[y + 2]) && is_digit(t[y + 3]);
            m = {{s, a}, {c, d}, year ? std::optional(Span{y, y + 4}) : std::nullopt};
            end = year ? y + 4 : e;
            return true;
          };
          return lit(t, d, ".", after_dot) || after_dot(d);
        });
      });
    });
  });
}

bool month_day_at(std::string_view t, size_t s, DateMatch& m, size_t& end) {
  if (!scan::boundary(t, s)) return false;
  return run(t, s, 3, 9, scan::is_lower, [&](size_t a) {
    const auto after_dot = [&](size_t b) {
      return spaces1(t, b, [&](size_t c) {
        return run(t, c, 1, 2, is_digit, [&](size_t d) {
          return ordinal(t, d, {"st", "nd", "rd", "th"}, [&](size_t e) {
            const auto done = [&](size_t f, std::optional<Span> year) {
              if (!digit_not_at(t, f)) return false;
              m = {{c, d}, {s, a}, year};
              end = f;
              return true;
            };
            // (?:,?\s+(\d{4}))? — with the year first, then without.
            const auto year_after = [&](size_t p) {
              return spaces1(t, p, [&](size_t q) {
                return run(t, q, 4, 4, is_digit, [&](size_t f) { return done(f, Span{q, f}); });
              });
            };
            return lit(t, e, ",", year_after) || year_after(e) || done(e, std::nullopt);
          });
        });
      });
    };
    return lit(t, a, ".", after_dot) || after_dot(a);
  });
}

}  // namespace tq::tasks

// The date patterns of e-mails (tasks/jobs/email.h), written out as code with the
// combinators of tasks/jobs/scan.h. Each `*_at(t, s, m, end)` tries its pattern at s, as
// the regular expression in its comment would, and on success fills `m` and `end`.
#pragma once

#include <optional>
#include <string_view>

#include "tasks/jobs/scan.h"

namespace tq::tasks {

// The parts of a date as written: `a` and `b` are the day and month in the order the
// pattern names them (numbers, or the month's word), `year` when one was written.
struct DateMatch {
  scan::Span a, b;
  std::optional<scan::Span> year;
};

// RFC 5322's "24 Nov 2026": (\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4}) — a: day, b: the
// month's first three letters.
bool header_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end);
// (\d{4})-(\d{2})-(\d{2}) — a: month, b: day (year always set).
bool iso_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end);
// (^|[^\d/.])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?(?![\d/]) — a, b: the two numbers.
bool numeric_date_at(std::string_view t, size_t s, DateMatch& m, size_t& end);
// (\d{1,2})(?:er|st|nd|rd|th)?\s+([a-z]{3,9})\b\.?(?:\s+(\d{4}))? — a: day, b: month word.
bool day_month_at(std::string_view t, size_t s, DateMatch& m, size_t& end);
// \b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d) — a: day, b: month
// word (the same roles as day_month_at, whatever the order written).
bool month_day_at(std::string_view t, size_t s, DateMatch& m, size_t& end);

}  // namespace tq::tasks

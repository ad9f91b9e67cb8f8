// Just enough of an e-mail for a summary: unfolded headers (Subject, From, To, Date), the
// first text/plain part of a multipart message (else the whole body, HTML tags dropped),
// quoted-printable and base64 bodies decoded. Plain text without headers is all body.
// The rag module's full MIME parser can replace this later; the task only needs the four
// fields below.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tq::tasks {

struct CivilDate {
  int year = 0, month = 0, day = 0;
  std::string iso() const;  // YYYY-MM-DD
  bool operator==(const CivilDate&) const = default;
};

// Days since 1970-01-01 and back (proleptic Gregorian); weekday 0 = Monday.
int64_t days_from_civil(const CivilDate& d);
CivilDate civil_from_days(int64_t days);
int weekday(const CivilDate& d);
std::optional<CivilDate> parse_iso_date(const std::string& s);

struct ParsedEmail {
  std::string subject, from, to, date_header;
  std::optional<CivilDate> date;  // from the Date header
  std::string body;
};

ParsedEmail parse_email(const std::string& raw);

// Dates a text asks for, resolved against `ref` (the e-mail's date): "le 3 décembre",
// "03/12/2026", "2026-12-03", "December 3rd", "demain", "lundi prochain", "next Friday".
// Without `ref`, only dates that carry their year. Sorted, unique.
std::vector<CivilDate> find_dates(const std::string& text, const std::optional<CivilDate>& ref);

}  // namespace tq::tasks

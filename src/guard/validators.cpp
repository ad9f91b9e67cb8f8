#include "guard/validators.h"

#include <array>
#include <cstdint>

namespace tq::guard {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

bool starts_in(std::string_view d, int lo, int hi, size_t width) {
  if (d.size() < width) return false;
  int v = 0;
  for (size_t i = 0; i < width; ++i) v = v * 10 + (d[i] - '0');
  return v >= lo && v <= hi;
}

struct IbanCountry {
  std::string_view code;
  int length;
};
// SWIFT IBAN registry (release 2024), plus the French overseas codes that issue FR-form
// IBANs under their own prefix.
constexpr auto kIbanCountries = std::to_array<IbanCountry>({
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
});

struct CallingCode {
  std::string_view cc;
  int min_nsn;
  int max_nsn;
  std::string_view first_digits;  // allowed first digits of the national number; "" = any
};
// ITU-T E.164 assignments for the countries French companies deal with most, with the
// national significant number lengths of their plans (ITU operational bulletins).
// Country codes are prefix-free, so the first match of 1, 2 or 3 digits is the code.
constexpr auto kCallingCodes = std::to_array<CallingCode>({
    {"1", 10, 10, "23456789"}, {"7", 10, 10, "3489"},      {"20", 9, 10, ""},
    {"27", 9, 9, ""},          {"30", 10, 10, "26"},       {"31", 9, 9, "123456789"},
    {"32", 8, 9, "123456789"}, {"33", 9, 9, "12345679"},   {"34", 9, 9, "6789"},
    {"36", 8, 9, ""},          {"39", 6, 11, "03"},        {"40", 9, 9, "237"},
    {"41", 9, 9, "2345789"},   {"43", 4, 13, ""},          {"44", 9, 10, "1237"},
    {"45", 8, 8, ""},          {"46", 7, 10, "123456789"}, {"47", 8, 8, "2345789"},
    {"48", 9, 9, ""},          {"49", 6, 13, "123456789"}, {"52", 10, 10, ""},
    {"55", 10, 11, ""},        {"61", 9, 9, "23478"},      {"81", 9, 10, ""},
    {"86", 10, 11, ""},        {"90", 10, 10, "2345"},     {"91", 10, 10, "6789"},
    {"212", 9, 9, "5678"},     {"213", 8, 9, "2345679"},   {"216", 8, 8, "2345789"},
    {"221", 9, 9, "37"},       {"225", 10, 10, "0"},       {"237", 9, 9, "26"},
    {"242", 9, 9, "02"},       {"243", 9, 9, "89"},        {"261", 9, 9, "23"},
    {"262", 9, 9, "26"},       {"351", 9, 9, "29"},        {"352", 4, 11, ""},
    {"353", 7, 9, "12345789"}, {"356", 8, 8, "279"},       {"357", 8, 8, "29"},
    {"358", 5, 12, ""},        {"377", 8, 9, "3469"},      {"420", 9, 9, ""},
    {"590", 9, 9, "56"},       {"594", 9, 9, "56"},        {"596", 9, 9, "56"},
    {"687", 6, 6, ""},         {"689", 8, 8, "48"},        {"852", 8, 8, ""},
    {"971", 8, 9, "2345679"},
});

}  // namespace

bool luhn_valid(std::string_view digits) {
  if (!all_digits(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

int iban_length(std::string_view country) {
  for (const auto& c : kIbanCountries)
    if (c.code == country) return c.length;
  return 0;
}

bool iban_valid(std::string_view s) {
  if (s.size() < 5 || iban_length(s.substr(0, 2)) != static_cast<int>(s.size())) return false;
  if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9') return false;
  // Move the first four characters to the end, letters become 10..35, then mod 97 == 1.
  uint32_t rem = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    const char c = s[(k + 4) % s.size()];
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + static_cast<uint32_t>(c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      const auto v = static_cast<uint32_t>(c - 'A' + 10);
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

std::optional<std::string_view> card_issuer(std::string_view d) {
  const size_t n = d.size();
  if (!all_digits(d)) return std::nullopt;
  if (d[0] == '4' && (n == 13 || n == 16 || n == 19)) return "Visa";
  if ((starts_in(d, 51, 55, 2) || starts_in(d, 2221, 2720, 4)) && n == 16) return "Mastercard";
  if ((starts_in(d, 34, 34, 2) || starts_in(d, 37, 37, 2)) && n == 15) return "Amex";
  if ((starts_in(d, 6011, 6011, 4) || starts_in(d, 644, 649, 3) || starts_in(d, 65, 65, 2) ||
       starts_in(d, 622126, 622925, 6)) &&
      n >= 16 && n <= 19)
    return "Discover";
  if (starts_in(d, 3528, 3589, 4) && n >= 16 && n <= 19) return "JCB";
  if ((starts_in(d, 300, 305, 3) || starts_in(d, 36, 36, 2) || starts_in(d, 38, 39, 2)) &&
      n >= 14 && n <= 19)
    return "Diners";
  if (starts_in(d, 2200, 2204, 4) && n >= 16 && n <= 19) return "Mir";
  if (starts_in(d, 62, 62, 2) && n >= 16 && n <= 19) return "UnionPay";
  if ((starts_in(d, 50, 50, 2) || starts_in(d, 56, 58, 2) || starts_in(d, 6304, 6304, 4) ||
       starts_in(d, 6759, 6763, 4) || starts_in(d, 67, 67, 2)) &&
      n >= 12 && n <= 19)
    return "Maestro";
  return std::nullopt;
}

bool card_valid(std::string_view digits) {
  return card_issuer(digits).has_value() && luhn_valid(digits);
}

bool nir_valid(std::string_view s) {
  if (s.size() != 15) return false;
  if (s[0] != '1' && s[0] != '2') return false;
  std::array<char, 15> d{};
  for (size_t i = 0; i < 15; ++i) d[i] = s[i];
  uint64_t corsica_shift = 0;
  if (d[5] == '2' && (d[6] == 'A' || d[6] == 'a' || d[6] == 'B' || d[6] == 'b')) {
    // INSEE: 2A counts as 19 and 2B as 18 in the key computation, i.e. the 13-digit
    // number with "20" in place, minus 1 000 000 or 2 000 000.
    corsica_shift = (d[6] == 'A' || d[6] == 'a') ? 1000000 : 2000000;
    d[6] = '0';
  }
  for (char c : d)
    if (c < '0' || c > '9') return false;
  const int month = (d[3] - '0') * 10 + (d[4] - '0');
  if (!((month >= 1 && month <= 12) || month == 20 || (month >= 30 && month <= 42) || month >= 50))
    return false;
  uint64_t n = 0;
  for (size_t i = 0; i < 13; ++i) n = n * 10 + static_cast<uint64_t>(d[i] - '0');
  n -= corsica_shift;
  const int key = (d[13] - '0') * 10 + (d[14] - '0');
  return key == 97 - static_cast<int>(n % 97);
}

bool siren_valid(std::string_view d) {
  return d.size() == 9 && luhn_valid(d);
}

bool siret_valid(std::string_view d) {
  if (d.size() != 14 || !all_digits(d)) return false;
  if (luhn_valid(d)) return true;
  if (d.substr(0, 9) == "356000000") {  // La Poste's establishments: digit sum % 5 == 0
    int sum = 0;
    for (char c : d) sum += c - '0';
    return sum % 5 == 0;
  }
  return false;
}

bool vat_fr_valid(std::string_view s) {
  if (s.size() != 13 || s[0] != 'F' || s[1] != 'R' || !all_digits(s.substr(2))) return false;
  uint64_t siren = 0;
  for (size_t i = 4; i < 13; ++i) siren = siren * 10 + static_cast<uint64_t>(s[i] - '0');
  const int key = (s[2] - '0') * 10 + (s[3] - '0');
  return key == static_cast<int>((12 + 3 * (siren % 97)) % 97);
}

bool fr_national_phone_valid(std::string_view d) {
  if (d.size() != 10 || !all_digits(d) || d[0] != '0') return false;
  return (d[1] >= '1' && d[1] <= '7') || d[1] == '9';
}

bool uk_national_phone_valid(std::string_view d) {
  if (d.size() != 11 || !all_digits(d) || d[0] != '0') return false;
  if (d[1] == '1' || d[1] == '2' || d[1] == '3') return true;
  return d[1] == '7' && d[2] != '0' && d[2] != '6';
}

bool nanp_national_valid(std::string_view d) {
  if (d.size() != 10 || !all_digits(d)) return false;
  const auto n11 = [](std::string_view code) { return code[1] == '1' && code[2] == '1'; };
  return d[0] >= '2' && d[3] >= '2' && !n11(d.substr(0, 3)) && !n11(d.substr(3, 3));
}

int e164_valid(std::string_view d) {
  if (!all_digits(d) || d.size() > 15) return 0;
  for (size_t len = 1; len <= 3 && len < d.size(); ++len) {
    for (const auto& c : kCallingCodes) {
      if (c.cc.size() != len || d.substr(0, len) != c.cc) continue;
      const std::string_view nsn = d.substr(len);
      const auto n = static_cast<int>(nsn.size());
      if (n < c.min_nsn || n > c.max_nsn) return 0;
      if (!c.first_digits.empty() && c.first_digits.find(nsn[0]) == std::string_view::npos)
        return 0;
      if (c.cc == "1" && !nanp_national_valid(nsn)) return 0;
      return static_cast<int>(len);
    }
  }
  return 0;
}

}  // namespace tq::guard

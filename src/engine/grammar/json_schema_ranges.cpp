#include "engine/grammar/json_schema_ranges.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace tq::json_rules {
namespace {

std::string digit(char d) {
  return std::string("\"") + d + "\"";
}

std::string digits_class(char lo, char hi) {
  return lo == hi ? digit(lo) : std::string("[") + lo + "-" + hi + "]";
}

std::string any_digits(size_t n) {
  return n == 0 ? "" : n == 1 ? "[0-9]" : "[0-9]{" + std::to_string(n) + "}";
}

std::string join(const std::vector<std::string>& alts) {
  if (alts.size() == 1) return alts[0];
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i > 0 ? " | " : " ") + alts[i];
  return out + " )";
}

std::string seq(const std::string& a, const std::string& b) {
  return a.empty() ? b : b.empty() ? a : a + " " + b;
}

// Digit strings of one length with a <= b, leading zeros allowed (the caller fixes the
// first digit): the first digit splits the range into a's branch, a middle where any
// digits may follow, and b's branch.
std::string same_length(std::string_view a, std::string_view b) {
  if (a.empty()) return "";
  const size_t n = a.size() - 1;
  if (a[0] == b[0]) return seq(digit(a[0]), same_length(a.substr(1), b.substr(1)));
  const bool a_low = a.find_first_not_of('0', 1) == std::string_view::npos;
  const bool b_high = b.find_first_not_of('9', 1) == std::string_view::npos;
  std::vector<std::string> alts;
  char lo = a[0], hi = b[0];
  if (!a_low) {
    alts.push_back(seq(digit(a[0]), same_length(a.substr(1), std::string(n, '9'))));
    ++lo;
  }
  if (!b_high) --hi;
  if (lo <= hi) alts.push_back(seq(digits_class(lo, hi), any_digits(n)));
  if (!b_high) alts.push_back(seq(digit(b[0]), same_length(std::string(n, '0'), b.substr(1))));
  return join(alts);
}

// Non-negative integers in [lo, hi] (hi absent: unbounded), no leading zeros.
std::string non_negative(int64_t lo, std::optional<int64_t> hi) {
  const std::string los = std::to_string(lo);
  const size_t dl = los.size();
  const size_t dh = hi ? std::to_string(*hi).size() : 16;
  std::vector<std::string> alts;
  for (size_t d = dl; d <= dh; ++d) {
    if (!hi && d > dl) {  // every longer number
      alts.push_back(seq("[1-9]", "[0-9]{" + std::to_string(d - 1) + ",15}"));
      break;
    }
    const std::string a = d == dl ? los : "1" + std::string(d - 1, '0');
    const std::string b = hi && d == dh ? std::to_string(*hi) : std::string(d, '9');
    alts.push_back(same_length(a, b));
  }
  return join(alts);
}

}  // namespace

std::string integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
  if (lo && *lo < -kMaxInteger) lo.reset();
  if (hi && *hi > kMaxInteger) hi.reset();
  if (lo && hi && *lo > *hi) return "";
  if ((lo && *lo > kMaxInteger) || (hi && *hi < -kMaxInteger)) return "";
  std::vector<std::string> alts;
  if (!lo || *lo < 0) {  // negatives: "-" and a magnitude in [max(1, -hi), -lo]
    const int64_t mag_lo = hi && *hi < 0 ? -*hi : 1;
    const std::optional<int64_t> mag_hi = lo ? std::optional<int64_t>(-*lo) : std::nullopt;
    alts.push_back("\"-\" " + non_negative(mag_lo, mag_hi));
  }
  if (!hi || *hi >= 0) alts.push_back(non_negative(lo ? std::max<int64_t>(*lo, 0) : 0, hi));
  return join(alts);
}

}  // namespace tq::json_rules

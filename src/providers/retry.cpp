#include "providers/retry.h"

#include <algorithm>
#include <string>

#include <curl/curl.h>

namespace tq {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        std::mt19937_64& rng) {
  const int64_t base = std::max<int64_t>(0, policy.backoff_base.count());
  const int64_t cap = std::max<int64_t>(0, policy.backoff_max.count());
  int64_t ceiling = base;
  for (int i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  std::uniform_int_distribution<int64_t> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::hours(24 * 365);  // absurd: a year
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // curl_getdate reads the three HTTP-date forms (IMF-fixdate, RFC 850, asctime).
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

}  // namespace tq

#include "server/rate_limit.h"

#include <algorithm>

namespace tq {

namespace {
constexpr auto kMinute = std::chrono::seconds(60);
}

double RequestBucket::take(double per_minute, RateClock::time_point now) {
  const double per_second = per_minute / 60.0;
  if (requests_ < 0) {
    requests_ = per_minute;
  } else {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    requests_ = std::min(per_minute, requests_ + elapsed * per_second);
  }
  last_ = now;
  if (requests_ < 1.0) return (1.0 - requests_) / per_second;
  requests_ -= 1.0;
  return 0;
}

void TokenWindow::expire(RateClock::time_point now) {
  while (!calls_.empty() && now - calls_.front().first >= kMinute) {
    total_ -= calls_.front().second;
    calls_.pop_front();
  }
}

void TokenWindow::spend(int64_t tokens, RateClock::time_point now) {
  if (tokens <= 0) return;
  expire(now);
  calls_.emplace_back(now, tokens);
  total_ += tokens;
}

int64_t TokenWindow::spent(RateClock::time_point now) {
  expire(now);
  return total_;
}

double TokenWindow::wait_s(double per_minute, RateClock::time_point now) {
  expire(now);
  // The window is under the limit once the oldest calls, summing to at least the excess,
  // have slid out.
  if (static_cast<double>(total_) < per_minute) return 0;
  int64_t left = total_;
  for (const auto& [at, tokens] : calls_) {
    left -= tokens;
    if (static_cast<double>(left) < per_minute)
      return std::chrono::duration<double>(at + kMinute - now).count();
  }
  return 0;
}

}  // namespace tq

// Per-key limits over one minute. Requests are a token bucket: `requests_per_minute`
// refills continuously, so bursts up to the limit pass. Model tokens (prompt + completion)
// are only known once a call has ended, so they are a sliding window of what the key spent
// over the last 60 s: a call is admitted while the window holds less than the limit, and
// the one that crosses it may overshoot by its own size (as budgets do) — the next call
// waits until enough of the minute has slid by.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <utility>

namespace tq {

using RateClock = std::chrono::steady_clock;

class RequestBucket {
 public:
  // Takes one request from a bucket of `per_minute`; returns 0 when it was there, else the
  // seconds until one will be (nothing is taken).
  double take(double per_minute, RateClock::time_point now);

 private:
  double requests_ = -1;  // < 0: not used yet (starts full)
  RateClock::time_point last_;
};

class TokenWindow {
 public:
  void spend(int64_t tokens, RateClock::time_point now);
  // 0 while the last 60 s hold fewer than `per_minute` tokens, else the seconds until they
  // will.
  double wait_s(double per_minute, RateClock::time_point now);
  int64_t spent(RateClock::time_point now);  // over the last 60 s

 private:
  void expire(RateClock::time_point now);
  std::deque<std::pair<RateClock::time_point, int64_t>> calls_;  // oldest first
  int64_t total_ = 0;
};

}  // namespace tq

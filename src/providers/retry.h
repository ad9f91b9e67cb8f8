// When to try an upstream call again: exponential backoff with full jitter (AWS
// Architecture Blog, "Exponential Backoff And Jitter": sleep a uniform random time in
// [0, min(cap, base·2^n)]), so that many clients retrying after one outage spread out
// instead of hitting the upstream in waves; and the server's own `Retry-After`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace tq {

struct RetryPolicy {
  int max_retries = 2;  // attempts = 1 + max_retries
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{5000};
};

// The sleep before retry number `retry` (0 for the first retry): uniform in
// [0, min(backoff_max, backoff_base · 2^retry)].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng);

// The value of a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date,
// as a wait from `now`; nullopt when it is neither (ignored, as the RFC allows). A date in
// the past means "now" (0 ms).
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace tq

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "providers/circuit_breaker.h"
#include "providers/retry.h"

namespace tq {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, FullJitterStaysUnderTheDoublingCeilingAndTheCap) {
  RetryPolicy p;
  p.backoff_base = milliseconds(100);
  p.backoff_max = milliseconds(1000);
  std::mt19937_64 rng(42);
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000};
  for (int retry = 0; retry < 6; ++retry) {
    int64_t max_seen = 0;
    for (int i = 0; i < 2000; ++i) {
      const auto d = backoff_delay(p, retry, rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceilings[retry]);
      max_seen = std::max(max_seen, d);
    }
    // Uniform over [0, ceiling]: 2000 draws come near the top.
    EXPECT_GT(max_seen, ceilings[retry] * 9 / 10) << "retry " << retry;
  }
}

TEST(RetryAfter, DelaySeconds) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
}

TEST(RetryAfter, HttpDateFromMdnExample) {
  // "Wed, 21 Oct 2015 07:28:00 GMT" is Unix time 1445412480 (Python's email.utils agrees).
  const auto at = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at - std::chrono::seconds(90)),
            milliseconds(90000));
  // Obsolete RFC 850 and asctime forms of the same instant.
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", at - std::chrono::seconds(5)),
            milliseconds(5000));
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:28:00 2015", at - std::chrono::seconds(1)),
            milliseconds(1000));
  // A date already past means "retry now".
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at + std::chrono::hours(1)),
            milliseconds(0));
}

TEST(CircuitBreaker, OpensAfterThresholdProbesOnceAfterCooldown) {
  auto now = std::chrono::steady_clock::time_point{};
  CircuitBreaker b(3, milliseconds(1000), [&] { return now; });
  EXPECT_EQ(b.state(), CircuitBreaker::State::Closed);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.allow());
    b.on_failure();
  }
  EXPECT_EQ(b.state(), CircuitBreaker::State::Closed);
  ASSERT_TRUE(b.allow());
  b.on_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::Open);
  EXPECT_FALSE(b.allow());
  EXPECT_EQ(b.retry_in(), milliseconds(1000));
  now += milliseconds(999);
  EXPECT_FALSE(b.allow());
  now += milliseconds(1);
  EXPECT_EQ(b.state(), CircuitBreaker::State::HalfOpen);
  EXPECT_TRUE(b.allow());   // the probe
  EXPECT_FALSE(b.allow());  // only one at a time
  b.on_failure();           // probe failed: open again for a full cooldown
  EXPECT_EQ(b.state(), CircuitBreaker::State::Open);
  now += milliseconds(1000);
  EXPECT_TRUE(b.allow());
  b.on_success();
  EXPECT_EQ(b.state(), CircuitBreaker::State::Closed);
  EXPECT_TRUE(b.allow());
}

TEST(CircuitBreaker, SuccessResetsTheConsecutiveCount) {
  CircuitBreaker b(2, milliseconds(1000));
  b.on_failure();
  b.on_success();
  b.on_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::Closed);
  b.on_failure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::Open);
}

TEST(CircuitBreaker, NeutralOutcomeFreesTheProbeSlot) {
  auto now = std::chrono::steady_clock::time_point{};
  CircuitBreaker b(1, milliseconds(10), [&] { return now; });
  b.on_failure();
  now += milliseconds(10);
  ASSERT_TRUE(b.allow());
  b.on_neutral();  // the probe's client went away: let another probe through
  EXPECT_TRUE(b.allow());
}

}  // namespace
}  // namespace tq

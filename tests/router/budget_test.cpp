#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "router/budget.h"

namespace tq {
namespace {

TEST(Budget, FiftyThreadsCannotOverspend) {
  // Limit 1 €; each request reserves its worst case 0.03 € and really costs 0.01–0.03 €.
  BudgetTracker b({1.0, std::nullopt}, {});
  std::atomic<int> served{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      std::uniform_real_distribution<double> cost(0.01, 0.03);
      for (int i = 0; i < 40; ++i) {
        auto r = b.reserve("", 0.03);
        if (!r) {
          ++refused;
          continue;
        }
        std::this_thread::yield();
        r->settle(cost(rng));
        ++served;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(b.spent_today(""), 1.0 + 1e-9);
  // Nearly all of it was used: refusals only start within one worst case of the limit.
  EXPECT_GT(b.spent_today(""), 1.0 - 0.03 - 1e-9);
  EXPECT_GT(refused.load(), 0);
  EXPECT_GE(served.load(), 34);  // ≥ 1 € / 0.03 €
}

TEST(Budget, KeyAndGlobalLimitsBothApplyAndDaysRoll) {
  auto now = std::chrono::system_clock::from_time_t(1764028800);  // 2025-11-25 00:00 UTC
  BudgetTracker b({std::nullopt, 10.0}, {{"k", BudgetLimits{0.5, std::nullopt}}},
                  [&] { return now; });
  std::string why;
  auto r1 = b.reserve("k", 0.4, &why);
  ASSERT_TRUE(r1);
  EXPECT_FALSE(b.reserve("k", 0.2, &why));  // 0.4 in flight + 0.2 > 0.5
  EXPECT_EQ(why,
            "key 'k' daily budget 0.5000 € reached (spent 0.0000 €, in flight 0.4000 €, "
            "this request up to 0.2000 €)");
  r1->settle(0.1);                   // cheaper than feared: room again
  EXPECT_TRUE(b.reserve("k", 0.2));  // released unsettled at once
  EXPECT_DOUBLE_EQ(b.spent_today("k"), 0.1);
  EXPECT_DOUBLE_EQ(b.spent_this_month(""), 0.1);
  b.add_spent("k", 0.4);
  EXPECT_FALSE(b.has_room("k", 0.01));
  now += std::chrono::hours(24);  // next day: the daily limit resets, the month does not
  EXPECT_TRUE(b.has_room("k", 0.4));
  EXPECT_DOUBLE_EQ(b.spent_this_month("k"), 0.5);
  b.add_spent("", 9.6);
  EXPECT_FALSE(b.has_room("other", 0.01, &why));
  EXPECT_NE(why.find("global monthly budget 10.0000 €"), std::string::npos);
}

}  // namespace
}  // namespace tq

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/thread_pool.h"

namespace tq {
namespace {

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.parallel_for(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    }
  }
}

TEST(ThreadPool, RunsManyRegionsBackToBack) {
  ThreadPool pool(4);
  std::atomic<int64_t> sum{0};
  for (int r = 0; r < 500; ++r)
    pool.run([&](int ith, int nth) {
      EXPECT_EQ(nth, 4);
      sum += ith;
    });
  EXPECT_EQ(sum.load(), 500 * (0 + 1 + 2 + 3));
}

TEST(ThreadPool, PhysicalCoresIsPositive) {
  EXPECT_GE(ThreadPool::physical_cores(), 1);
}

}  // namespace
}  // namespace tq

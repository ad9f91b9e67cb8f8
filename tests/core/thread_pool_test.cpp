#include <gtest/gtest.h>
#include <pthread.h>
#include <semaphore.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/thread_pool.h"

namespace tq {
namespace {

TEST(ThreadPool, ParallelForCoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 17, 1000}) {
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

TEST(ThreadPool, ForEachChunkRunsEveryChunkOnce) {
  ThreadPool pool(3);
  for (int64_t n : {1, 2, 5, 64, 1001}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.for_each_chunk(n, [&](int64_t c) { hits[static_cast<size_t>(c)]++; });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

// Back-to-back regions whose chunk counts change every time: a worker finishing the last
// chunk of one region must not take a chunk of the next under the old region's number
// (each chunk runs exactly once, and the region ends when they are done).
TEST(ThreadPool, BackToBackRegionsOfChangingSizeRunEachChunkOnce) {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    std::vector<std::atomic<int>> hits(64);
    for (int r = 0; r < 20000; ++r) {
      const int64_t n = 1 + (r * 7) % 37;
      for (int64_t c = 0; c < n; ++c) hits[static_cast<size_t>(c)] = 0;
      pool.for_each_chunk(n, [&](int64_t c) { hits[static_cast<size_t>(c)]++; });
      for (int64_t c = 0; c < n; ++c) ASSERT_EQ(hits[static_cast<size_t>(c)].load(), 1) << r;
    }
  }
}

TEST(ThreadPool, RethrowsTheFirstExceptionAfterEveryChunkRan) {
  ThreadPool pool(2);
  std::atomic<int> ran{0};
  EXPECT_THROW(pool.for_each_chunk(16,
                                   [&](int64_t c) {
                                     ran++;
                                     if (c % 5 == 0) throw std::runtime_error("chunk failed");
                                   }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 16);
  // The pool is usable afterwards.
  std::atomic<int> after{0};
  pool.for_each_chunk(8, [&](int64_t) { after++; });
  EXPECT_EQ(after.load(), 8);
}

// A worker stopped by a signal handler stands for one the OS has descheduled: regions
// must complete without it, and when it runs again it must neither repeat nor skip work.
sem_t g_stopped;
sem_t g_resume;
void hold_this_thread(int /*sig*/) {
  sem_post(&g_stopped);
  while (sem_wait(&g_resume) != 0) {
  }
}

TEST(ThreadPool, RegionsCompleteWhileAWorkerIsStopped) {
  ThreadPool pool(2);
  // Find the worker's thread: each of two chunks waits until both have started, so they
  // run on the two threads.
  std::atomic<int> started{0};
  std::atomic<pthread_t> worker{};
  const pthread_t caller = pthread_self();
  pool.run([&](int /*ith*/, int /*nth*/) {
    started++;
    while (started.load() < 2) std::this_thread::yield();
    if (!pthread_equal(pthread_self(), caller)) worker = pthread_self();
  });
  ASSERT_FALSE(pthread_equal(worker.load(), pthread_t{}));

  ASSERT_EQ(sem_init(&g_stopped, 0, 0), 0);
  ASSERT_EQ(sem_init(&g_resume, 0, 0), 0);
  struct sigaction action = {};
  struct sigaction previous = {};
  action.sa_handler = hold_this_thread;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);
  ASSERT_EQ(pthread_kill(worker.load(), SIGUSR1), 0);
  while (sem_wait(&g_stopped) != 0) {
  }

  // The worker is held: every region runs on the caller alone, and still completes.
  std::vector<std::atomic<int>> hits(1000);
  for (int r = 0; r < 50; ++r) {
    pool.parallel_for(1000, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        EXPECT_TRUE(pthread_equal(pthread_self(), caller));
        hits[static_cast<size_t>(i)]++;
      }
    });
  }
  for (auto& h : hits) ASSERT_EQ(h.load(), 50);

  // Released, it finds the regions it missed finished and takes part in later ones.
  sem_post(&g_resume);
  for (int r = 0; r < 50; ++r) {
    pool.parallel_for(1000, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
    });
  }
  for (auto& h : hits) ASSERT_EQ(h.load(), 100);
  ASSERT_EQ(sigaction(SIGUSR1, &previous, nullptr), 0);
  sem_destroy(&g_stopped);
  sem_destroy(&g_resume);
}

TEST(ThreadPool, PhysicalCoresIsPositive) {
  EXPECT_GE(ThreadPool::physical_cores(), 1);
}

}  // namespace
}  // namespace tq

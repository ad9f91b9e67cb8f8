// A fixed set of worker threads that run one parallel region at a time:
// run(fn) calls fn(ith, nth) on every thread (the caller is thread 0) and returns when
// all are done. Kernels split their rows by (ith, nth), the way ggml's graph compute does,
// so there is no per-task allocation on the hot path.
//
// Decoding one token runs a few hundred short regions, so waking workers through a
// condition variable each time (tens of µs) would cost a noticeable share of the token.
// Workers therefore spin on an atomic generation counter for a short while after each
// region and only then go to sleep; the caller spins for completion the same way.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tq {

class ThreadPool {
 public:
  // n_threads <= 0 picks the number of physical cores.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(ith, nth) for ith in [0, nth) and waits. Not re-entrant; one caller at a time.
  void run(const std::function<void(int ith, int nth)>& fn);

  // Splits [0, n) into contiguous ranges, one per thread.
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);

  // Like run(), but on the calling thread alone when `work` (multiply-adds, roughly) is
  // too small to pay for waking the others: a tiny model's matmuls take microseconds, and
  // a region costs that much again — far more when the cores are busy elsewhere.
  void run_sized(int64_t work, const std::function<void(int ith, int nth)>& fn);
  void parallel_for_sized(int64_t work, int64_t n,
                          const std::function<void(int64_t begin, int64_t end)>& fn);

  // Below this much work a region runs inline.
  static constexpr int64_t kMinParallelWork = int64_t{1} << 17;

  static int physical_cores();

 private:
  void worker_loop(int ith);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  // Sleeping workers wait here; the generation is re-checked under the mutex.
  std::mutex mu_;
  std::condition_variable wake_cv_;
  int sleepers_ = 0;
};

}  // namespace tq

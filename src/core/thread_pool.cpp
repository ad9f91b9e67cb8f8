#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace tq {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long an idle worker keeps spinning before sleeping: long enough to bridge the gap
// between two regions of one forward pass, short enough not to burn a core when idle.
constexpr auto kSpinFor = std::chrono::microseconds(2000);

}  // namespace

int ThreadPool::physical_cores() {
  // Hyper-threads share a core's execution units; matmul-bound work gains nothing from
  // them, so count distinct (physical id, core id) pairs when /proc/cpuinfo has them.
  std::ifstream in("/proc/cpuinfo");
  std::set<std::pair<int, int>> cores;
  std::string line;
  int phys = 0;
  while (std::getline(in, line)) {
    auto value = [&]() { return std::stoi(line.substr(line.find(':') + 1)); };
    if (line.rfind("physical id", 0) == 0) phys = value();
    if (line.rfind("core id", 0) == 0) cores.emplace(phys, value());
  }
  const int logical = static_cast<int>(std::thread::hardware_concurrency());
  if (cores.empty()) return std::max(1, logical);
  return std::max(1, std::min(static_cast<int>(cores.size()), std::max(1, logical)));
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads > 0 ? n_threads : physical_cores()) {
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  wake_cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::worker_loop(int ith) {
  uint64_t seen = 0;
  for (;;) {
    // Spin first: the next region usually starts within microseconds.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinFor;
    uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 0; gen == seen && !stop_.load(std::memory_order_relaxed); ++i) {
      cpu_relax();
      // Yield now and then: when threads outnumber free cores, a spinning worker would
      // otherwise hold the core that the thread doing the work needs.
      if ((i & 255) == 255) {
        std::this_thread::yield();
        if (std::chrono::steady_clock::now() > spin_until) break;
      }
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      std::unique_lock<std::mutex> lock(mu_);
      ++sleepers_;
      wake_cv_.wait(lock, [&] {
        return stop_.load() || generation_.load(std::memory_order_acquire) != seen;
      });
      --sleepers_;
      gen = generation_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = gen;
    (*job_)(ith, n_threads_);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
  if (n_threads_ == 1) {
    fn(0, 1);
    return;
  }
  job_ = &fn;
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  {
    // Publishing under the mutex closes the race with a worker about to sleep.
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    if (sleepers_ > 0) wake_cv_.notify_all();
  }
  fn(0, n_threads_);
  for (int i = 0; pending_.load(std::memory_order_acquire) != 0; ++i) {
    if (i < 2000) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  job_ = nullptr;
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  run([&](int ith, int nth) {
    const int64_t per = (n + nth - 1) / nth;
    const int64_t begin = std::min<int64_t>(n, per * ith);
    const int64_t end = std::min<int64_t>(n, begin + per);
    if (begin < end) fn(begin, end);
  });
}

void ThreadPool::run_sized(int64_t work, const std::function<void(int, int)>& fn) {
  if (work < kMinParallelWork) {
    fn(0, 1);
    return;
  }
  run(fn);
}

void ThreadPool::parallel_for_sized(int64_t work, int64_t n,
                                    const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (work < kMinParallelWork) {
    fn(0, n);
    return;
  }
  parallel_for(n, fn);
}

}  // namespace tq

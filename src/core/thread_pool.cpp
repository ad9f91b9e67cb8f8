#include "core/thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "core/error.h"

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

double clock_seconds(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double thread_cpu_seconds() {
  return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

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
  for (int i = 1; i < n_threads_; ++i) {
    workers_.emplace_back([this] { worker_loop(); });
    clockid_t clock{};
    if (pthread_getcpuclockid(workers_.back().native_handle(), &clock) == 0)
      worker_clocks_.push_back(clock);
  }
}

double ThreadPool::workers_cpu_seconds() const {
  double total = 0;
  for (const clockid_t clock : worker_clocks_) total += clock_seconds(clock);
  return total;
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  epoch_.fetch_add(1);
  epoch_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::worker_loop() {
  uint32_t seen = 0;
  for (;;) {
    // Spin first: the next region usually starts within microseconds.
    const auto spin_until = std::chrono::steady_clock::now() + kSpinFor;
    uint32_t epoch = epoch_.load(std::memory_order_acquire);
    for (int i = 0; epoch == seen; ++i) {
      cpu_relax();
      // Yield now and then: when threads outnumber free cores, a spinning worker would
      // otherwise hold the core that the thread doing the work needs.
      if ((i & 255) == 255) {
        std::this_thread::yield();
        if (std::chrono::steady_clock::now() > spin_until) break;
      }
      epoch = epoch_.load(std::memory_order_acquire);
    }
    if (epoch == seen) {
      // Announce the sleep before the last look at the epoch; the caller bumps the epoch
      // before it looks at sleepers_, so one of the two sees the other (both seq_cst).
      sleepers_.fetch_add(1);
      epoch_.wait(seen);
      sleepers_.fetch_sub(1);
      epoch = epoch_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    // A worker that slept through several regions joins the newest one (or finds it
    // finished already); the ones it missed were completed without it.
    seen = epoch;
    work_on(static_cast<uint32_t>(state_.load(std::memory_order_acquire) >> (2 * kChunkBits)));
  }
}

void ThreadPool::work_on(uint32_t region) {
  constexpr uint64_t kMask = (uint64_t{1} << kChunkBits) - 1;
  uint64_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(s >> (2 * kChunkBits)) != region) return;
    const uint64_t chunk = s & kMask;
    if (chunk >= ((s >> kChunkBits) & kMask)) return;  // all taken
    if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
      continue;
    // The chunk is ours: the caller waits for it, so job_ stays valid until done_ counts it.
    run_chunk(static_cast<int64_t>(chunk));
    done_.fetch_add(1, std::memory_order_acq_rel);
    s = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run_chunk(int64_t chunk) {
  try {
    (*job_)(chunk);
  } catch (...) {
    // Every chunk still runs to the end of the region: the caller must not return (and
    // destroy what the job refers to) while another thread is inside it.
    const std::lock_guard<std::mutex> lock(error_mu_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::for_each_chunk(int64_t n_chunks, const std::function<void(int64_t)>& fn) {
  if (n_chunks <= 0) return;
  if (n_chunks > kMaxChunks) throw Error("ThreadPool: too many chunks in one region");
  if (n_threads_ == 1 || n_chunks == 1) {
    for (int64_t c = 0; c < n_chunks; ++c) fn(c);
    return;
  }
  job_ = &fn;
  done_.store(0, std::memory_order_relaxed);
  ++region_;  // wraps at 2^32
  state_.store(uint64_t{region_} << (2 * kChunkBits) | static_cast<uint64_t>(n_chunks)
                                                           << kChunkBits,
               std::memory_order_release);
  epoch_.fetch_add(1);
  if (sleepers_.load() > 0) epoch_.notify_all();
  work_on(region_);
  // Only chunks that a running thread took can still be in progress.
  for (int i = 0; done_.load(std::memory_order_acquire) != n_chunks; ++i) {
    if (i < 2000) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  job_ = nullptr;
  if (error_) {
    std::exception_ptr e;
    std::swap(e, error_);
    std::rethrow_exception(e);
  }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
  const int nth = n_threads_;
  for_each_chunk(nth, [&fn, nth](int64_t c) { fn(static_cast<int>(c), nth); });
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t max_chunks =
      n_threads_ == 1 ? 1 : std::min<int64_t>(kMaxChunks, n_threads_ * kChunksPerThread);
  const int64_t per = (n + std::min(n, max_chunks) - 1) / std::min(n, max_chunks);
  // One pointer captured: the std::function holds it without allocating.
  struct Split {
    int64_t n, per;
    const std::function<void(int64_t, int64_t)>* fn;
  } split{n, per, &fn};
  for_each_chunk((n + per - 1) / per, [s = &split](int64_t c) {
    (*s->fn)(c * s->per, std::min(s->n, (c + 1) * s->per));
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

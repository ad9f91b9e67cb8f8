#include "engine/bench/membw.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/thread_pool.h"

namespace tq {
namespace {

// Four independent sums so the loop is limited by loads, not by one add chain.
uint64_t sum_words(const uint64_t* p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  for (; i < n; ++i) a += p[i];
  return a + b + c + d;
}

double best_pass_gb_s(ThreadPool& pool, const uint64_t* words, size_t n_words, int passes) {
  std::atomic<uint64_t> sink{0};  // keeps the reads from being optimised away
  double best = 0.0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallel_for(static_cast<int64_t>(n_words), [&](int64_t begin, int64_t end) {
      sink.fetch_add(sum_words(words + begin, static_cast<size_t>(end - begin)),
                     std::memory_order_relaxed);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(n_words * sizeof(uint64_t)) / s / 1e9);
  }
  return best;
}

}  // namespace

MemBandwidth measure_memory_bandwidth(size_t bytes, int threads, int passes) {
  const size_t n_words = bytes / 64 * 8;
  if (n_words == 0 || passes < 1)
    throw InputError("memory bandwidth probe: need at least 64 bytes and one pass");
  ThreadPool pool_n(threads);
  ThreadPool pool_1(1);
  std::unique_ptr<uint64_t[]> buf(new uint64_t[n_words]);
  uint64_t* words = buf.get();
  // Touch every page (in parallel, as the reads will be) so page faults are not timed.
  pool_n.parallel_for(static_cast<int64_t>(n_words), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) words[i] = static_cast<uint64_t>(i);
  });
  MemBandwidth r;
  r.bytes = n_words * sizeof(uint64_t);
  r.passes = passes;
  r.threads = pool_n.size();
  r.gb_s_1 = best_pass_gb_s(pool_1, words, n_words, passes);
  r.gb_s_n = best_pass_gb_s(pool_n, words, n_words, passes);
  return r;
}

}  // namespace tq

// A fixed set of worker threads that run one parallel region at a time. A region is a
// number of chunks; the caller and the workers take chunks from one atomic counter until
// none are left, and the region is over when every chunk has finished. So the caller
// waits only for chunks that a running thread has already taken: a worker that wakes late
// (descheduled because the machine is busy elsewhere) finds nothing left and goes back to
// waiting, instead of holding every region up until it gets a core.
//
// Decoding one token runs a few hundred short regions, so waking workers through a
// condition variable each time (tens of µs) would cost a noticeable share of the token.
// Workers therefore spin on the region counter for a short while after each region and
// only then go to sleep; the caller spins for completion the same way.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tq {

// Seconds on `clock` (a CPU-time clock: CLOCK_THREAD_CPUTIME_ID, a thread's or the
// process's); 0 when it cannot be read.
double clock_seconds(clockid_t clock);
// CPU seconds the calling thread has used.
double thread_cpu_seconds();

class ThreadPool {
 public:
  // n_threads <= 0 picks the number of physical cores.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(chunk) once for every chunk in [0, n_chunks), on whichever threads take them
  // (the caller included), and returns when all have finished. n_chunks must be below
  // kMaxChunks. The first exception a chunk throws is rethrown here once every chunk is
  // done. Not re-entrant; one caller at a time.
  void for_each_chunk(int64_t n_chunks, const std::function<void(int64_t chunk)>& fn);

  // Runs fn(ith, nth) once for each ith in [0, nth), nth = size(): a fixed split for
  // callers that share work out themselves. Each ith runs on one thread, but one thread
  // may run several of them when the others are late.
  void run(const std::function<void(int ith, int nth)>& fn);

  // Splits [0, n) into contiguous ranges (up to kChunksPerThread per thread) and runs
  // fn(begin, end) on each. Callers must give every index the same result whichever range
  // it falls in (row-wise work), since the ranges depend on the pool's size.
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);

  // Like run()/parallel_for(), but on the calling thread alone when `work` (multiply-adds,
  // roughly) is too small to pay for waking the others: a tiny model's matmuls take
  // microseconds, and a region costs that much again — far more when the cores are busy.
  void run_sized(int64_t work, const std::function<void(int ith, int nth)>& fn);
  void parallel_for_sized(int64_t work, int64_t n,
                          const std::function<void(int64_t begin, int64_t end)>& fn);

  // Below this much work a region runs inline.
  static constexpr int64_t kMinParallelWork = int64_t{1} << 17;
  // Ranges per thread in parallel_for: enough that the others can pick up a late thread's
  // share, few enough that taking a range stays a negligible cost.
  static constexpr int64_t kChunksPerThread = 8;
  // The region state packs the region number, its chunk count and the next chunk into
  // 64 bits (see state_).
  static constexpr int kChunkBits = 16;
  static constexpr int64_t kMaxChunks = (int64_t{1} << kChunkBits) - 1;

  static int physical_cores();

  // CPU seconds the pool's worker threads (not the caller) have used since they started,
  // read from each worker's per-thread clock: one clock_gettime per worker. Readable from
  // any thread while the pool lives; the energy estimate of local calls takes its deltas
  // around a batch step (see Scheduler::step).
  double workers_cpu_seconds() const;

 private:
  void worker_loop();
  // Takes and runs chunks of region `region` until none are left or another region began.
  void work_on(uint32_t region);
  void run_chunk(int64_t chunk);

  int n_threads_;
  std::vector<std::thread> workers_;
  std::vector<clockid_t> worker_clocks_;  // each worker's CPU-time clock
  // region number (32 bits) | chunk count (16) | next chunk to take (16). Taking a chunk is
  // a CAS on the whole word, so everything that decides whether a chunk may be taken is
  // read at once: a thread still holding an old region's word can never take (or skip) a
  // chunk of a newer region. (A thread would have to stall across exactly 2^32 regions for
  // a stale word to match again.)
  alignas(64) std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> done_{0};  // chunks of the current region that finished
  const std::function<void(int64_t)>* job_ = nullptr;
  uint32_t region_ = 0;  // the caller's count of regions started
  // Bumped for every region (and at shutdown); idle workers spin on it, then sleep on it
  // (a futex, through std::atomic::wait). No lock is involved, so a worker descheduled
  // anywhere cannot block the caller. Its own cache line: workers read it while spinning.
  alignas(64) std::atomic<uint32_t> epoch_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  // The first exception thrown by a chunk of the current region (guarded by error_mu_).
  std::mutex error_mu_;
  std::exception_ptr error_;
};

}  // namespace tq

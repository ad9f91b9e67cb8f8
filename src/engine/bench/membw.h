// Memory read bandwidth of this machine: the ceiling for decoding, which reads every
// weight once per token. Measured like STREAM's best-of-N, but read-only (a sum over a
// buffer larger than any cache), with one thread and with N.
#pragma once

#include <cstddef>

namespace tq {

struct MemBandwidth {
  size_t bytes = 0;     // buffer size read per pass
  int passes = 0;       // best of this many
  int threads = 0;      // N
  double gb_s_1 = 0.0;  // one thread, 1e9 bytes/s
  double gb_s_n = 0.0;  // N threads
};

// Allocates and touches `bytes` (rounded down to 64 bytes), then reads it `passes` times
// per thread count. threads <= 0: the physical cores.
MemBandwidth measure_memory_bandwidth(size_t bytes, int threads, int passes = 5);

}  // namespace tq

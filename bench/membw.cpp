// Memory read bandwidth with one thread and with N (default: the physical cores), over a
// buffer far larger than any cache: the ceiling decoding runs into, since every weight is
// read once per token. The probe itself is the engine's (engine/bench/membw.h), so this
// program, `triptyque bench --membw` and the server report the same number.
//   bench_membw [MiB=1024] [threads=0 (physical cores)] [passes=5]
#include <cstdio>
#include <cstdlib>

#include "engine/bench/membw.h"

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1024;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int passes = argc > 3 ? std::atoi(argv[3]) : 5;
  if (mib <= 0 || threads < 0 || passes <= 0) {
    std::fprintf(stderr, "usage: %s [MiB>0] [threads>=0] [passes>0]\n", argv[0]);
    return 2;
  }
  const tq::MemBandwidth bw =
      tq::measure_memory_bandwidth(static_cast<size_t>(mib) << 20, threads, passes);
  std::printf("buffer %ld MiB, best of %d passes\n", mib, bw.passes);
  std::printf("read, 1 thread:   %8.2f GB/s\n", bw.gb_s_1);
  std::printf("read, %d threads: %8.2f GB/s  (%.2fx one thread)\n", bw.threads, bw.gb_s_n,
              bw.gb_s_n / bw.gb_s_1);
  return 0;
}

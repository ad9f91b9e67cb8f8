// What the running x86 CPU (and the OS) can execute, probed once with cpuid/xgetbv, and
// which kernel level the traits table picked from it. The engine is built for baseline
// x86-64; AVX2/AVX-512 kernels live in *_avx2.cpp / *_avx512.cpp files compiled with
// their own flags and are only called when these bits say the CPU can run them.
#pragma once

#include <string_view>

namespace tq {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;

  // The sets our kernel files are compiled for (see src/engine/CMakeLists.txt).
  bool has_avx2_set() const { return avx2 && fma && f16c; }
  bool has_avx512_set() const {
    return has_avx2_set() && avx512f && avx512bw && avx512vl && avx512dq && avx512vnni;
  }
};

// Probed once (thread-safe static); OS support for the YMM/ZMM state is checked via xgetbv.
const CpuFeatures& cpu_features();

enum class IsaLevel { Scalar, Avx2, Avx512 };

// The level whose kernels fill the traits table: the best the CPU supports, lowered by the
// environment variable TQ_ISA=scalar|avx2|avx512 (a request above what the CPU supports is
// ignored; an unknown value is ignored too).
IsaLevel active_isa_level();
std::string_view active_isa();  // "scalar", "avx2" or "avx512", for the CLI and benchmarks
std::string_view isa_name(IsaLevel level);

}  // namespace tq

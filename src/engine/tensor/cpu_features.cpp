#include "engine/tensor/cpu_features.h"

#include <cstdint>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TQ_X86 1
#endif

namespace tq {
namespace {

#ifdef TQ_X86
// XCR0 read via xgetbv, written as raw bytes so this file needs no -mxsave.
uint64_t read_xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return static_cast<uint64_t>(edx) << 32 | eax;
}

CpuFeatures probe() {
  CpuFeatures f;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return f;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  const bool f16c = (c >> 29) & 1;
  const bool avx = (c >> 28) & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;                 // SSE + AVX state
  const bool zmm_state = ymm_state && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM hi256, hi16
  if (!ymm_state) return f;
  f.fma = fma;
  f.f16c = f16c;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return f;
  f.avx2 = (b >> 5) & 1;
  if (zmm_state) {
    f.avx512f = (b >> 16) & 1;
    f.avx512dq = (b >> 17) & 1;
    f.avx512bw = (b >> 30) & 1;
    f.avx512vl = (b >> 31) & 1;
    f.avx512vnni = (c >> 11) & 1;
    unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
    if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) != 0) f.avx512bf16 = (a1 >> 5) & 1;
  }
  return f;
}
#else
CpuFeatures probe() {
  return {};
}
#endif

IsaLevel best_level(const CpuFeatures& f) {
  if (f.has_avx512_set()) return IsaLevel::Avx512;
  if (f.has_avx2_set()) return IsaLevel::Avx2;
  return IsaLevel::Scalar;
}

IsaLevel choose_level() {
  const IsaLevel best = best_level(cpu_features());
  const char* env = std::getenv("TQ_ISA");
  if (env == nullptr) return best;
  const std::string want(env);
  IsaLevel asked = best;
  if (want == "scalar")
    asked = IsaLevel::Scalar;
  else if (want == "avx2")
    asked = IsaLevel::Avx2;
  else if (want == "avx512")
    asked = IsaLevel::Avx512;
  return static_cast<int>(asked) < static_cast<int>(best) ? asked : best;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = probe();
  return features;
}

IsaLevel active_isa_level() {
  static const IsaLevel level = choose_level();
  return level;
}

std::string_view isa_name(IsaLevel level) {
  switch (level) {
    case IsaLevel::Avx512:
      return "avx512";
    case IsaLevel::Avx2:
      return "avx2";
    case IsaLevel::Scalar:
      break;
  }
  return "scalar";
}

std::string_view active_isa() {
  return isa_name(active_isa_level());
}

}  // namespace tq

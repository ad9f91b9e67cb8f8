#include "engine/tensor/numerics.h"

#include <atomic>
#include <cstdlib>
#include <string_view>

namespace tq {
namespace {

Numerics from_environment() {
  const char* env = std::getenv("TQ_NUMERICS");
  return env != nullptr && std::string_view(env) == "exact" ? Numerics::Exact : Numerics::Fast;
}

std::atomic<Numerics>& mode() {
  static std::atomic<Numerics> m{from_environment()};
  return m;
}

}  // namespace

Numerics numerics() {
  return mode().load(std::memory_order_relaxed);
}
void set_numerics(Numerics m) {
  mode().store(m, std::memory_order_relaxed);
}

}  // namespace tq

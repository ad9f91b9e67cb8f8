// Writes a planned synthetic model: random weights generated and quantised row by row,
// streamed to the file, so memory stays at a few MiB whatever the model's size.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/synth/synth_plan.h"

namespace tq {

class ThreadPool;

struct SynthProgress {
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  std::string_view tensor;  // the tensor being written
};
using SynthProgressFn = std::function<void(const SynthProgress&)>;

// Values depend only on (seed, tensor name, row), not on the thread count. Throws Error
// naming the path on I/O failure; the file appears only when complete.
void write_synth_model(const SynthPlan& plan, uint64_t seed, const std::string& path,
                       ThreadPool& pool, const SynthProgressFn& progress = nullptr);

}  // namespace tq

// Recent latencies per route target, for the latency-target stage: the median of the last
// calls says whether a target currently meets a task's target.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tq {

class LatencyTracker {
 public:
  explicit LatencyTracker(size_t window = 64, size_t min_samples = 5)
      : window_(window), min_samples_(min_samples) {}
  void record(const std::string& target, double ms);
  // The median of the last `window` calls; nullopt with fewer than `min_samples`.
  std::optional<double> p50(const std::string& target);

 private:
  struct Ring {
    std::vector<double> values;
    size_t next = 0;
  };
  size_t window_;
  size_t min_samples_;
  std::mutex mu_;
  std::map<std::string, Ring> rings_;
};

}  // namespace tq

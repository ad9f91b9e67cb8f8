#include "router/latency.h"

#include <algorithm>

namespace tq {

void LatencyTracker::record(const std::string& target, double ms) {
  std::lock_guard lock(mu_);
  Ring& r = rings_[target];
  if (r.values.size() < window_) {
    r.values.push_back(ms);
  } else {
    r.values[r.next] = ms;
    r.next = (r.next + 1) % window_;
  }
}

std::optional<double> LatencyTracker::p50(const std::string& target) {
  std::vector<double> v;
  {
    std::lock_guard lock(mu_);
    const auto it = rings_.find(target);
    if (it == rings_.end() || it->second.values.size() < min_samples_) return std::nullopt;
    v = it->second.values;
  }
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double hi = v[mid];
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

}  // namespace tq

// Counters for GET /metrics in Prometheus text format (version 0.0.4), written by hand:
// requests by endpoint and status, tokens and cost by provider/model, calls by route,
// a latency histogram per endpoint, requests in flight and cancelled streams.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace tq {

class Metrics {
 public:
  void request_done(const std::string& endpoint, int status, double seconds);
  void call_done(const std::string& route, const std::string& provider, const std::string& model,
                 int64_t prompt_tokens, int64_t completion_tokens, double cost_eur);
  void cancelled();
  void in_flight(int delta);
  int64_t cancelled_count() const;
  int64_t in_flight_count() const;
  std::string render() const;

  static constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,  0.25,
                                                      0.5,   1.0,  2.5,   5.0,  10.0, 30.0};

 private:
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};
    int64_t count = 0;
    double sum = 0;
  };
  struct Usage {
    int64_t prompt = 0;
    int64_t completion = 0;
    double cost = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, int>, int64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::tuple<std::string, std::string>, Usage> usage_;
  std::map<std::string, int64_t> routes_;
  int64_t cancelled_ = 0;
  int64_t in_flight_ = 0;
};

}  // namespace tq

// A circuit breaker per provider (Nygard, "Release It!"): after `threshold` consecutive
// failures the circuit opens and calls fail at once (the router falls back instead of
// waiting on a dead upstream); after `cooldown` one probe call is let through
// (half-open): its success closes the circuit, its failure opens it for another cooldown.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace tq {

class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  CircuitBreaker(
      int threshold, std::chrono::milliseconds cooldown,
      Clock clock = [] { return std::chrono::steady_clock::now(); });

  // May a call go out now? In half-open state only the first caller (the probe) gets
  // true; every `true` must be followed by exactly one of the three reports below.
  bool allow();
  void on_success();
  void on_failure();
  // The call ended without saying anything about the upstream's health (the client
  // cancelled, the request was malformed): frees the probe slot, changes nothing else.
  void on_neutral();

  State state();
  // How long until an open circuit lets a probe through (0 when not open).
  std::chrono::milliseconds retry_in();

 private:
  void refresh();  // Open → HalfOpen once the cooldown has passed (lock held)

  const int threshold_;
  const std::chrono::milliseconds cooldown_;
  Clock clock_;
  std::mutex mu_;
  State state_ = State::Closed;
  int failures_ = 0;
  bool probe_in_flight_ = false;
  std::chrono::steady_clock::time_point opened_at_{};
};

const char* to_string(CircuitBreaker::State s);

}  // namespace tq

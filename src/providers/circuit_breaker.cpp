#include "providers/circuit_breaker.h"

#include <algorithm>
#include <utility>

namespace tq {

CircuitBreaker::CircuitBreaker(int threshold, std::chrono::milliseconds cooldown, Clock clock)
    : threshold_(std::max(1, threshold)), cooldown_(cooldown), clock_(std::move(clock)) {}

void CircuitBreaker::refresh() {
  if (state_ == State::Open && clock_() - opened_at_ >= cooldown_) {
    state_ = State::HalfOpen;
    probe_in_flight_ = false;
  }
}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mu_);
  refresh();
  switch (state_) {
    case State::Closed:
      return true;
    case State::Open:
      return false;
    case State::HalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::on_success() {
  std::lock_guard lock(mu_);
  failures_ = 0;
  probe_in_flight_ = false;
  state_ = State::Closed;
}

void CircuitBreaker::on_failure() {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
  ++failures_;
  if (state_ == State::HalfOpen || failures_ >= threshold_) {
    state_ = State::Open;
    opened_at_ = clock_();
  }
}

void CircuitBreaker::on_neutral() {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state() {
  std::lock_guard lock(mu_);
  refresh();
  return state_;
}

std::chrono::milliseconds CircuitBreaker::retry_in() {
  std::lock_guard lock(mu_);
  refresh();
  if (state_ != State::Open) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(opened_at_ + cooldown_ - clock_());
}

const char* to_string(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::Closed:
      return "closed";
    case CircuitBreaker::State::Open:
      return "open";
    case CircuitBreaker::State::HalfOpen:
      return "half-open";
  }
  return "?";
}

}  // namespace tq

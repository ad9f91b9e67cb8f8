#include "server/metrics.h"

#include <cstdio>
#include <sstream>

namespace tq {
namespace {

// Label values escape backslash, double quote and newline (the exposition format's rule).
std::string label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Metrics::request_done(const std::string& endpoint, int status, double seconds) {
  std::lock_guard lock(mutex_);
  requests_[{endpoint, status}]++;
  Histogram& h = latency_[endpoint];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) h.counts[i]++;
  h.count++;
  h.sum += seconds;
}

void Metrics::call_done(const std::string& route, const std::string& provider,
                        const std::string& model, int64_t prompt_tokens, int64_t completion_tokens,
                        double cost_eur) {
  std::lock_guard lock(mutex_);
  routes_[route]++;
  Usage& u = usage_[{provider, model}];
  u.prompt += prompt_tokens;
  u.completion += completion_tokens;
  u.cost += cost_eur;
}

void Metrics::cancelled() {
  std::lock_guard lock(mutex_);
  cancelled_++;
}

void Metrics::in_flight(int delta) {
  std::lock_guard lock(mutex_);
  in_flight_ += delta;
}

int64_t Metrics::cancelled_count() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

int64_t Metrics::in_flight_count() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream o;
  o << "# HELP triptyque_requests_total HTTP requests by endpoint and status code.\n"
       "# TYPE triptyque_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    o << "triptyque_requests_total{endpoint=\"" << label(std::get<0>(key)) << "\",status=\""
      << std::get<1>(key) << "\"} " << n << "\n";
  o << "# HELP triptyque_request_duration_seconds Request latency by endpoint.\n"
       "# TYPE triptyque_request_duration_seconds histogram\n";
  for (const auto& [endpoint, h] : latency_) {
    const std::string e = label(endpoint);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o << "triptyque_request_duration_seconds_bucket{endpoint=\"" << e << "\",le=\""
        << num(kBuckets[i]) << "\"} " << h.counts[i] << "\n";
    o << "triptyque_request_duration_seconds_bucket{endpoint=\"" << e << "\",le=\"+Inf\"} "
      << h.count << "\n";
    o << "triptyque_request_duration_seconds_sum{endpoint=\"" << e << "\"} " << num(h.sum) << "\n";
    o << "triptyque_request_duration_seconds_count{endpoint=\"" << e << "\"} " << h.count << "\n";
  }
  o << "# HELP triptyque_tokens_total Tokens by provider, model and kind.\n"
       "# TYPE triptyque_tokens_total counter\n";
  for (const auto& [key, u] : usage_) {
    const std::string l =
        "provider=\"" + label(std::get<0>(key)) + "\",model=\"" + label(std::get<1>(key)) + "\"";
    o << "triptyque_tokens_total{" << l << ",kind=\"prompt\"} " << u.prompt << "\n";
    o << "triptyque_tokens_total{" << l << ",kind=\"completion\"} " << u.completion << "\n";
  }
  o << "# HELP triptyque_cost_eur_total Cost in euros by provider and model.\n"
       "# TYPE triptyque_cost_eur_total counter\n";
  for (const auto& [key, u] : usage_)
    o << "triptyque_cost_eur_total{provider=\"" << label(std::get<0>(key)) << "\",model=\""
      << label(std::get<1>(key)) << "\"} " << num(u.cost) << "\n";
  o << "# HELP triptyque_route_calls_total Calls by route.\n"
       "# TYPE triptyque_route_calls_total counter\n";
  for (const auto& [route, n] : routes_)
    o << "triptyque_route_calls_total{route=\"" << label(route) << "\"} " << n << "\n";
  o << "# HELP triptyque_cancelled_total Generations stopped because the client went away.\n"
       "# TYPE triptyque_cancelled_total counter\n"
    << "triptyque_cancelled_total " << cancelled_ << "\n";
  o << "# HELP triptyque_in_flight Requests being served now.\n"
       "# TYPE triptyque_in_flight gauge\n"
    << "triptyque_in_flight " << in_flight_ << "\n";
  return o.str();
}

}  // namespace tq

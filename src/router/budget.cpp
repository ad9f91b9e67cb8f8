#include "router/budget.h"

#include <cstdio>
#include <ctime>
#include <utility>

namespace tq {
namespace {

std::string euros(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f €", v);
  return buf;
}

}  // namespace

BudgetTracker::BudgetTracker(BudgetLimits global, std::map<std::string, BudgetLimits> per_key,
                             Clock clock)
    : global_limits_(global), key_limits_(std::move(per_key)), clock_(std::move(clock)) {}

BudgetTracker::Reservation::Reservation(Reservation&& o) noexcept
    : tracker_(std::exchange(o.tracker_, nullptr)), key_(std::move(o.key_)), amount_(o.amount_) {}

BudgetTracker::Reservation::~Reservation() {
  if (tracker_ != nullptr) tracker_->release(key_, amount_, 0.0);
}

void BudgetTracker::Reservation::settle(double actual_eur) {
  if (tracker_ == nullptr) return;
  tracker_->release(key_, amount_, actual_eur);
  tracker_ = nullptr;
}

void BudgetTracker::roll(Window& w) {
  const time_t now = std::chrono::system_clock::to_time_t(clock_());
  std::tm utc{};
  gmtime_r(&now, &utc);
  const int64_t day = static_cast<int64_t>(now / 86400);
  const int64_t month = static_cast<int64_t>(utc.tm_year) * 12 + utc.tm_mon;
  if (w.day != day) {
    w.day = day;
    w.day_spent = 0;
  }
  if (w.month != month) {
    w.month = month;
    w.month_spent = 0;
  }
}

BudgetTracker::Window& BudgetTracker::window(const std::string& key) {
  Window& w = key.empty() ? global_ : keys_[key];
  roll(w);
  return w;
}

bool BudgetTracker::fits(const Window& w, const BudgetLimits& l, double eur,
                         const std::string& scope, std::string* why) const {
  if (l.eur_per_day && w.day_spent + w.reserved + eur > *l.eur_per_day) {
    if (why != nullptr)
      *why = scope + " daily budget " + euros(*l.eur_per_day) + " reached (spent " +
             euros(w.day_spent) + ", in flight " + euros(w.reserved) + ", this request up to " +
             euros(eur) + ")";
    return false;
  }
  if (l.eur_per_month && w.month_spent + w.reserved + eur > *l.eur_per_month) {
    if (why != nullptr)
      *why = scope + " monthly budget " + euros(*l.eur_per_month) + " reached (spent " +
             euros(w.month_spent) + ", in flight " + euros(w.reserved) + ", this request up to " +
             euros(eur) + ")";
    return false;
  }
  return true;
}

bool BudgetTracker::has_room(const std::string& key, double worst_eur, std::string* why) {
  std::lock_guard lock(mu_);
  if (!fits(window(""), global_limits_, worst_eur, "global", why)) return false;
  if (key.empty()) return true;
  const auto it = key_limits_.find(key);
  if (it == key_limits_.end()) return true;
  return fits(window(key), it->second, worst_eur, "key '" + key + "'", why);
}

std::optional<BudgetTracker::Reservation> BudgetTracker::reserve(const std::string& key,
                                                                 double worst_eur,
                                                                 std::string* why) {
  std::lock_guard lock(mu_);
  Window& g = window("");
  if (!fits(g, global_limits_, worst_eur, "global", why)) return std::nullopt;
  if (!key.empty()) {
    Window& k = window(key);
    const auto it = key_limits_.find(key);
    if (it != key_limits_.end() && !fits(k, it->second, worst_eur, "key '" + key + "'", why))
      return std::nullopt;
    k.reserved += worst_eur;
  }
  g.reserved += worst_eur;
  return Reservation(this, key, worst_eur);
}

void BudgetTracker::release(const std::string& key, double reserved, double spent, bool today) {
  std::lock_guard lock(mu_);
  auto apply = [&](Window& w) {
    w.reserved -= reserved;
    if (w.reserved < 1e-12) w.reserved = 0;
    if (today) w.day_spent += spent;
    w.month_spent += spent;
  };
  apply(window(""));
  if (!key.empty()) apply(window(key));
}

void BudgetTracker::add_spent(const std::string& key, double eur, bool today) {
  release(key, 0.0, eur, today);
}

double BudgetTracker::spent_today(const std::string& key) {
  std::lock_guard lock(mu_);
  return window(key).day_spent;
}

double BudgetTracker::spent_this_month(const std::string& key) {
  std::lock_guard lock(mu_);
  return window(key).month_spent;
}

}  // namespace tq

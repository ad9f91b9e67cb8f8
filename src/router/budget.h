// Spending limits per API key and global, per UTC day and month. A request reserves its
// worst-case cost before it runs and settles the real cost after, all under one lock, so
// N parallel clients can never together commit more than the limit: at most the gap
// between one request's real cost and its reservation (zero when the reservation is a
// true upper bound).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tq {

struct BudgetLimits {
  std::optional<double> eur_per_day;
  std::optional<double> eur_per_month;
};

class BudgetTracker {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  BudgetTracker(
      BudgetLimits global, std::map<std::string, BudgetLimits> per_key,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  class Reservation {
   public:
    Reservation(Reservation&& o) noexcept;
    Reservation& operator=(Reservation&&) = delete;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();  // unsettled: released, nothing spent
    void settle(double actual_eur);
    double amount() const { return amount_; }

   private:
    friend class BudgetTracker;
    Reservation(BudgetTracker* t, std::string key, double amount)
        : tracker_(t), key_(std::move(key)), amount_(amount) {}
    BudgetTracker* tracker_;
    std::string key_;
    double amount_;
  };

  // Reserves `worst_eur` against the key's and the global limits; nullopt (and `why`
  // says which limit, with figures) when any would be exceeded.
  std::optional<Reservation> reserve(const std::string& key, double worst_eur,
                                     std::string* why = nullptr);
  // Would a reservation of `worst_eur` fit now? (The router's check; the executor still
  // reserves, which is the guarantee.)
  bool has_room(const std::string& key, double worst_eur, std::string* why = nullptr);
  // Spending already done (e.g. read back from the ledger at start-up); `today` false
  // counts it in this month only (an earlier day of the month).
  void add_spent(const std::string& key, double eur, bool today = true);

  double spent_today(const std::string& key);  // "" for global
  double spent_this_month(const std::string& key);

 private:
  struct Window {
    int64_t day = -1, month = -1;
    double day_spent = 0, month_spent = 0;
    double reserved = 0;
  };
  void roll(Window& w);
  bool fits(const Window& w, const BudgetLimits& l, double eur, const std::string& scope,
            std::string* why) const;
  void release(const std::string& key, double reserved, double spent, bool today = true);
  Window& window(const std::string& key);

  BudgetLimits global_limits_;
  std::map<std::string, BudgetLimits> key_limits_;
  Clock clock_;
  std::mutex mu_;
  Window global_;
  std::map<std::string, Window> keys_;
};

}  // namespace tq

#include "router/route.h"

namespace tq {

std::string Route::name() const {
  if (escalate_to) return "cascade " + primary.label() + " → " + escalate_to->label();
  return primary.label();
}

std::string Route::reason() const {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += "; ";
    out += r;
  }
  return out;
}

std::string Route::kind() const {
  if (explicit_model) return "explicit";
  const std::string how = escalate_to ? "cascade" : (primary.local ? "local" : "remote");
  return task.empty() ? "auto:" + how : task + ":" + how;
}

int Refusal::http_status() const {
  switch (kind) {
    case Kind::UnknownModel:
      return 404;
    case Kind::LocalOnlyNoRoute:
      return 403;
    case Kind::BudgetExhausted:
      return 429;
  }
  return 400;
}

}  // namespace tq

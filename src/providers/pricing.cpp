#include "providers/pricing.h"

#include "core/config.h"
#include "core/error.h"

namespace tq {

PriceTable PriceTable::from_toml(const toml::table& prices, std::string_view where) {
  PriceTable table;
  for (const auto& [key, node] : prices) {
    const std::string model(key.str());
    const std::string at = std::string(where) + ".\"" + model + "\"";
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      throw InputError("config key '" + at +
                       "' must be a table like { input_eur_per_mtok = 0.15, "
                       "output_eur_per_mtok = 0.60 }");
    }
    Price p;
    p.input_eur_per_mtok = config_number(*t, "input_eur_per_mtok").value_or(0.0);
    p.output_eur_per_mtok = config_number(*t, "output_eur_per_mtok").value_or(0.0);
    if (p.input_eur_per_mtok < 0 || p.output_eur_per_mtok < 0) {
      throw InputError("config key '" + at + "': prices must not be negative");
    }
    table.prices_[model] = p;
  }
  return table;
}

std::optional<Price> PriceTable::find(const std::string& model) const {
  const auto it = prices_.find(model);
  if (it == prices_.end()) return std::nullopt;
  return it->second;
}

double PriceTable::cost(const std::string& model, const Usage& usage) const {
  const auto p = find(model);
  return p ? p->cost(usage) : 0.0;
}

int64_t estimate_tokens(std::string_view text) {
  if (text.empty()) return 0;
  return static_cast<int64_t>((text.size() + 3) / 4);
}

int64_t worst_case_prompt_tokens(const std::vector<ChatMessage>& messages) {
  // Templates add role markers per message and sometimes a default system prompt
  // (Llama 3's date header is ~25 tokens): generous constants keep this a bound.
  int64_t n = 64;
  for (const auto& m : messages) {
    n += static_cast<int64_t>(m.content.size() + m.role.size() + m.name.size()) + 16;
    if (!m.tool_calls.is_null()) n += static_cast<int64_t>(m.tool_calls.dump().size());
  }
  return n;
}

}  // namespace tq

// Prices of remote models (€ per million input / output tokens, from the config) and the
// token estimates used when an upstream reports no usage or before a request runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "providers/provider.h"

namespace tq {

class PriceTable {
 public:
  // `[providers.NAME.prices]` holds one inline table per model:
  //   "gpt-4o-mini" = { input_eur_per_mtok = 0.14, output_eur_per_mtok = 0.55 }
  // `where` names the section in errors. Negative prices are an InputError.
  static PriceTable from_toml(const toml::table& prices, std::string_view where);

  void set(const std::string& model, Price p) { prices_[model] = p; }
  std::optional<Price> find(const std::string& model) const;
  double cost(const std::string& model, const Usage& usage) const;

 private:
  std::map<std::string, Price> prices_;
};

// Rough count of tokens in `text` when the upstream did not say (≈ 4 bytes per token for
// English and French with BPE vocabularies; at least 1 for non-empty text).
int64_t estimate_tokens(std::string_view text);

// An upper bound on the prompt tokens of `messages`: BPE never makes more tokens than
// bytes, plus generous room for the template's role markers and default system prompt.
int64_t worst_case_prompt_tokens(const std::vector<ChatMessage>& messages);

}  // namespace tq

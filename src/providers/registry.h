// The providers of one configuration, built from its [providers.NAME] sections through a
// factory table keyed by `kind` ("local" is built in; the openai provider registers
// "openai"), and the lookup the server and the router use: a model id → (provider, model).
// Prices live here too, since they come from the same sections: remote models cost
// € per million input/output tokens, local ones a share of the machine's €/hour.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "providers/provider.h"

namespace tq {

// What a factory gets: the section's name and table, and the folder relative paths in it
// are resolved against (the config file's folder).
struct ProviderConfig {
  std::string name;
  const toml::table* section = nullptr;
  std::filesystem::path base_dir;
};
using ProviderFactory = std::function<std::unique_ptr<Provider>(const ProviderConfig&)>;

// Adds (or replaces) the factory for `kind`. Thread-safe; call before building registries.
void register_provider_kind(const std::string& kind, ProviderFactory factory);
std::vector<std::string> provider_kinds();

struct ModelPrice {
  double input_eur_per_mtok = 0;
  double output_eur_per_mtok = 0;
};

struct ResolvedModel {
  Provider* provider = nullptr;
  std::string model;  // the provider's own model name
};

class ProviderRegistry {
 public:
  ProviderRegistry() = default;
  // Every [providers.NAME] section of `config`; InputError naming the key for an unknown
  // kind, a missing model file, a mistyped value.
  static std::unique_ptr<ProviderRegistry> from_config(const toml::table& config,
                                                       const std::filesystem::path& base_dir);

  // `prices`: per model of this provider; `eur_per_hour`: local machine cost.
  void add(std::unique_ptr<Provider> provider, std::map<std::string, ModelPrice> prices = {},
           double eur_per_hour = 0);

  // "model" (first provider that lists it, in config order) or "provider/model".
  std::optional<ResolvedModel> resolve(const std::string& model_id) const;
  std::vector<ModelInfo> models() const;  // every provider's, in config order
  Provider* provider(const std::string& name) const;
  std::vector<Provider*> providers() const;

  // The cost of one call in €: remote from the price table (0 for a model without a
  // price), local from the machine's €/hour over the provider's measured throughput
  // (see LocalProvider::cost_eur).
  double cost_eur(const Provider& provider, const std::string& model, const Usage& usage) const;

 private:
  struct Entry {
    std::unique_ptr<Provider> provider;
    std::map<std::string, ModelPrice> prices;
    double eur_per_hour = 0;
  };
  const Entry* entry(const Provider& p) const;
  std::vector<Entry> entries_;
};

}  // namespace tq

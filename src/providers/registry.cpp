#include "providers/registry.h"

#include <mutex>
#include <utility>

#include "core/config.h"
#include "core/error.h"
#include "providers/local_provider.h"
#include "providers/openai_provider.h"

namespace tq {
namespace {

struct Factories {
  std::mutex mutex;
  std::map<std::string, ProviderFactory> by_kind;
  Factories() {
    by_kind["local"] = [](const ProviderConfig& c) -> std::unique_ptr<Provider> {
      return std::make_unique<LocalProvider>(
          LocalProviderOptions::from_config(c.name, *c.section, c.base_dir));
    };
    // Any OpenAI-compatible endpoint: hosted APIs, vLLM, llama-server, another triptyque.
    by_kind["openai"] = [](const ProviderConfig& c) -> std::unique_ptr<Provider> {
      return make_openai_provider(c.name, *c.section);
    };
  }
};

Factories& factories() {
  static Factories f;
  return f;
}

// prices = { "model" = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.60 } }
std::map<std::string, ModelPrice> read_prices(const std::string& where, const toml::table& s) {
  std::map<std::string, ModelPrice> prices;
  const auto* node = s.get("prices");
  if (node == nullptr) return prices;
  const auto* table = node->as_table();
  if (table == nullptr)
    throw InputError(where +
                     ".prices must be a table: { model = { input_eur_per_mtok = …, "
                     "output_eur_per_mtok = … } }");
  for (const auto& [model, value] : *table) {
    const auto* t = value.as_table();
    const std::string key = where + ".prices." + std::string(model.str());
    if (t == nullptr) throw InputError(key + " must be a table");
    ModelPrice p;
    p.input_eur_per_mtok = config_number(*t, "input_eur_per_mtok").value_or(0);
    p.output_eur_per_mtok = config_number(*t, "output_eur_per_mtok").value_or(0);
    if (p.input_eur_per_mtok < 0 || p.output_eur_per_mtok < 0)
      throw InputError(key + ": prices must be >= 0");
    prices[std::string(model.str())] = p;
  }
  return prices;
}

}  // namespace

void register_provider_kind(const std::string& kind, ProviderFactory factory) {
  auto& f = factories();
  std::lock_guard lock(f.mutex);
  f.by_kind[kind] = std::move(factory);
}

std::vector<std::string> provider_kinds() {
  auto& f = factories();
  std::lock_guard lock(f.mutex);
  std::vector<std::string> kinds;
  kinds.reserve(f.by_kind.size());
  for (const auto& [kind, factory] : f.by_kind) kinds.push_back(kind);
  return kinds;
}

std::unique_ptr<ProviderRegistry> ProviderRegistry::from_config(
    const toml::table& config, const std::filesystem::path& base_dir) {
  auto registry = std::make_unique<ProviderRegistry>();
  const auto* node = config.get("providers");
  if (node == nullptr) return registry;
  const auto* providers = node->as_table();
  if (providers == nullptr) throw InputError("providers must be a table of [providers.NAME]");
  for (const auto& [key, value] : *providers) {
    const std::string name(key.str());
    const std::string where = "providers." + name;
    const auto* section = value.as_table();
    if (section == nullptr) throw InputError(where + " must be a table");
    if (name.find('/') != std::string::npos)
      throw InputError(where + ": a provider name cannot contain '/'");
    const auto kind = config_string(*section, "kind");
    if (!kind) throw InputError(where + ".kind is missing (local or openai)");
    ProviderFactory factory;
    {
      auto& f = factories();
      std::lock_guard lock(f.mutex);
      const auto it = f.by_kind.find(*kind);
      if (it == f.by_kind.end()) {
        std::string known;
        for (const auto& [k, fn] : f.by_kind) known += (known.empty() ? "" : ", ") + k;
        throw InputError(std::string(where)
                             .append(".kind: unknown kind '")
                             .append(*kind)
                             .append("' (known: ")
                             .append(known)
                             .append(")"));
      }
      factory = it->second;
    }
    auto provider = factory(ProviderConfig{name, section, base_dir});
    const double eur_per_hour = config_number(*section, "price_eur_per_hour").value_or(0);
    registry->add(std::move(provider), read_prices(where, *section), eur_per_hour);
  }
  return registry;
}

void ProviderRegistry::add(std::unique_ptr<Provider> provider,
                           std::map<std::string, ModelPrice> prices, double eur_per_hour) {
  if (this->provider(provider->name()) != nullptr)
    throw InputError("two providers are named '" + provider->name() + "'");
  entries_.push_back(Entry{std::move(provider), std::move(prices), eur_per_hour});
}

std::optional<ResolvedModel> ProviderRegistry::resolve(const std::string& model_id) const {
  for (const auto& e : entries_)
    for (const auto& m : e.provider->models())
      if (m.id == model_id) return ResolvedModel{e.provider.get(), m.id};
  const auto slash = model_id.find('/');
  if (slash != std::string::npos) {
    Provider* p = provider(model_id.substr(0, slash));
    const std::string model = model_id.substr(slash + 1);
    if (p != nullptr)
      for (const auto& m : p->models())
        if (m.id == model) return ResolvedModel{p, model};
  }
  return std::nullopt;
}

std::vector<ModelInfo> ProviderRegistry::models() const {
  std::vector<ModelInfo> out;
  for (const auto& e : entries_)
    for (auto& m : e.provider->models()) out.push_back(std::move(m));
  return out;
}

Provider* ProviderRegistry::provider(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.provider->name() == name) return e.provider.get();
  return nullptr;
}

std::vector<Provider*> ProviderRegistry::providers() const {
  std::vector<Provider*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.provider.get());
  return out;
}

const ProviderRegistry::Entry* ProviderRegistry::entry(const Provider& p) const {
  for (const auto& e : entries_)
    if (e.provider.get() == &p) return &e;
  return nullptr;
}

double ProviderRegistry::cost_eur(const Provider& provider, const std::string& model,
                                  const Usage& usage) const {
  if (const auto* local = dynamic_cast<const LocalProvider*>(&provider))
    return local->cost_eur(usage);
  const Entry* e = entry(provider);
  if (e == nullptr) return 0.0;
  const auto it = e->prices.find(model);
  if (it == e->prices.end()) return 0.0;
  return (static_cast<double>(usage.prompt_tokens) * it->second.input_eur_per_mtok +
          static_cast<double>(usage.completion_tokens) * it->second.output_eur_per_mtok) /
         1e6;
}

}  // namespace tq

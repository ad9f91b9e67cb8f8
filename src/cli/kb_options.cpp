#include "cli/kb_options.h"

#include <filesystem>
#include <memory>

#include "core/config.h"
#include "core/error.h"
#include "providers/local_provider.h"
#include "providers/registry.h"

namespace tq::cli {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> strings_at(const toml::table& t, const char* key, const char* where) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  if (const auto* s = n->as_string()) return {s->get()};
  const auto* arr = n->as_array();
  if (arr == nullptr) throw InputError(std::string(where) + "." + key + " must be a string array");
  for (const auto& e : *arr) {
    const auto* s = e.as_string();
    if (s == nullptr) throw InputError(std::string(where) + "." + key + " must be a string array");
    out.push_back(s->get());
  }
  return out;
}

}  // namespace

KbConfig load_kb_config(const std::string& file) {
  KbConfig c;
  if (file.empty()) return c;
  const toml::table config = load_config_file(file);
  const fs::path base = fs::absolute(file).parent_path();
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (base / p).string();
  };
  if (auto v = config_string(config, "kb.path")) c.path = resolve(*v);
  if (const auto* cat = config.at_path("kb.catalog").as_table()) {
    c.catalog.id_column = config_string(*cat, "id").value_or("");
    c.catalog.title_column = config_string(*cat, "title").value_or("");
    c.catalog.body_columns = strings_at(*cat, "body", "kb.catalog");
    c.catalog.field_columns = strings_at(*cat, "fields", "kb.catalog");
    for (const auto& [key, node] : *cat) {
      const std::string k(key.str());
      if (k == "id" || k == "title" || k == "body" || k == "fields") continue;
      const auto* column = node.as_string();
      if (column == nullptr) {
        throw InputError("kb.catalog." + k + " must name a column (a string)");
      }
      c.catalog.field_names[column->get()] = k;  // e.g. sku = "Référence"
    }
  }
  c.embed_model = config_string(config, "kb.embeddings.model").value_or("");
  if (auto v = config_string(config, "kb.embeddings.file")) c.embed_file = resolve(*v);
  if (auto v = config_number(config, "kb.fusion.bm25")) c.fusion.bm25 = *v;
  if (auto v = config_number(config, "kb.fusion.dense")) c.fusion.dense = *v;
  if (auto v = config_number(config, "kb.fusion.k")) c.fusion.k = *v;
  if (c.fusion.k <= 0 || c.fusion.bm25 < 0 || c.fusion.dense < 0) {
    throw InputError("kb.fusion: k must be > 0 and the weights ≥ 0");
  }
  return c;
}

rag::EmbedFn make_embed_fn(const std::string& config_file, const std::string& file,
                           const std::string& model, std::string* name) {
  if (!file.empty()) {
    if (!fs::is_regular_file(file)) throw InputError("no such embedding model file: " + file);
    LocalProviderOptions lo;
    lo.name = "kb-embed";
    const std::string alias = fs::path(file).stem().string();
    lo.models[alias] = file;
    auto provider = std::make_shared<LocalProvider>(lo);
    if (name != nullptr) *name = alias;
    return [provider, alias](const std::vector<std::string>& texts) {
      return provider->embed(alias, texts).vectors;
    };
  }
  if (model.empty()) return {};
  if (config_file.empty()) throw InputError("kb.embeddings.model needs the config's providers");
  const toml::table config = load_config_file(config_file);
  std::shared_ptr<ProviderRegistry> registry =
      ProviderRegistry::from_config(config, fs::absolute(config_file).parent_path());
  auto resolved = registry->resolve(model);
  if (!resolved) throw InputError("kb.embeddings.model '" + model + "' is not a provider's model");
  if (name != nullptr) *name = model;
  Provider* provider = resolved->provider;
  const std::string provider_model = resolved->model;
  return [registry, provider, provider_model](const std::vector<std::string>& texts) {
    return provider->embed(provider_model, texts).vectors;
  };
}

}  // namespace tq::cli

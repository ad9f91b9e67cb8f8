#include "server/auth.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "core/config.h"
#include "core/error.h"

namespace tq {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw Error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

KeyStore KeyStore::from_config(const toml::table& config) {
  KeyStore store;
  const auto* node = config.at_path("server.keys").node();
  if (node == nullptr) return store;
  const auto* keys = node->as_array();
  if (keys == nullptr) throw InputError("server.keys must be an array of [[server.keys]] tables");
  for (size_t i = 0; i < keys->size(); ++i) {
    const std::string where = "server.keys[" + std::to_string(i) + "]";
    const auto* t = (*keys)[i].as_table();
    if (t == nullptr) throw InputError(where + " must be a table");
    ApiKey k;
    k.name = config_string(*t, "name").value_or("");
    if (k.name.empty()) throw InputError(where + ".name is missing");
    k.sha256 = config_string(*t, "sha256").value_or("");
    std::transform(k.sha256.begin(), k.sha256.end(), k.sha256.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (k.sha256.size() != 64 ||
        k.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      throw InputError(where +
                       ".sha256 must be 64 hex digits: the SHA-256 of the key "
                       "(printf %s KEY | sha256sum)");
    if (const auto* scopes = t->get("scopes")) {
      const auto* arr = scopes->as_array();
      if (arr == nullptr) throw InputError(where + ".scopes must be an array of strings");
      for (const auto& s : *arr) {
        const auto* str = s.as_string();
        if (str == nullptr) throw InputError(where + ".scopes must be an array of strings");
        const std::string& v = str->get();
        if (std::find(std::begin(kKnownScopes), std::end(kKnownScopes), v) ==
            std::end(kKnownScopes))
          throw InputError(
              std::string(where)
                  .append(".scopes: unknown scope '")
                  .append(v)
                  .append("' (chat, completions, embeddings, models, kb, kb_write, tasks)"));
        k.scopes.insert(v);
      }
    }
    for (const char* field : {"kb_labels", "kb_collections"}) {
      const auto* node_list = t->get(field);
      if (node_list == nullptr) continue;
      const auto* arr = node_list->as_array();
      if (arr == nullptr) throw InputError(where + "." + field + " must be an array of strings");
      auto& out = std::string_view(field) == "kb_labels" ? k.kb_labels : k.kb_collections;
      for (const auto& s : *arr) {
        const auto* str = s.as_string();
        if (str == nullptr) throw InputError(where + "." + field + " must be an array of strings");
        const std::string& v = str->get();
        if (&out == &k.kb_labels && v != "public" && v != "internal" && v != "confidential")
          throw InputError(std::string(where)
                               .append(".kb_labels: unknown label '")
                               .append(v)
                               .append("' (public, internal, confidential)"));
        out.push_back(v);
      }
    }
    k.requests_per_minute = config_number(*t, "requests_per_minute").value_or(0);
    if (k.requests_per_minute < 0) throw InputError(where + ".requests_per_minute must be >= 0");
    k.tokens_per_minute = config_number(*t, "tokens_per_minute").value_or(0);
    if (k.tokens_per_minute < 0) throw InputError(where + ".tokens_per_minute must be >= 0");
    const std::string policy = config_string(*t, "data_policy").value_or("default");
    if (policy != "default" && policy != "local_only")
      throw InputError(std::string(where)
                           .append(".data_policy must be \"default\" or \"local_only\" (got \"")
                           .append(policy)
                           .append("\")"));
    k.local_only = policy == "local_only";
    store.add(std::move(k));
  }
  return store;
}

void KeyStore::add(ApiKey key) {
  for (const auto& k : keys_)
    if (k.name == key.name) throw InputError("two API keys are named '" + key.name + "'");
  keys_.push_back(std::move(key));
}

AuthDecision KeyStore::check(std::string_view authorization, const std::string& scope) {
  AuthDecision d;
  if (keys_.empty()) return d;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    d.outcome = AuthDecision::Outcome::Unauthorized;
    d.message = "missing API key: send the header 'Authorization: Bearer YOUR_KEY'";
    return d;
  }
  const std::string hash = sha256_hex(authorization.substr(kBearer.size()));
  const ApiKey* key = nullptr;
  for (const auto& k : keys_)
    if (k.sha256 == hash) key = &k;
  if (key == nullptr) {
    d.outcome = AuthDecision::Outcome::Unauthorized;
    d.message = "incorrect API key provided";
    return d;
  }
  d.key_name = key->name;
  d.key = key;
  if (!key->scopes.empty() && key->scopes.count(scope) == 0) {
    d.outcome = AuthDecision::Outcome::Forbidden;
    d.message = "the API key '" + key->name + "' is not allowed to use " + scope;
    return d;
  }
  const bool spends_tokens = scope == "chat" || scope == "completions" || scope == "embeddings";
  if (key->requests_per_minute <= 0 && (key->tokens_per_minute <= 0 || !spends_tokens)) return d;
  const auto now = RateClock::now();
  std::lock_guard lock(*mutex_);
  Usage& usage = usage_[key->name];
  // Tokens first: a call refused for its tokens does not use up one of its requests.
  if (key->tokens_per_minute > 0 && spends_tokens) {
    if (const double wait = usage.tokens.wait_s(key->tokens_per_minute, now); wait > 0) {
      d.outcome = AuthDecision::Outcome::RateLimited;
      d.retry_after_s = wait;
      d.message = "token rate limit reached for the API key '" + key->name + "' (" +
                  std::to_string(usage.tokens.spent(now)) + " tokens used of " +
                  std::to_string(static_cast<int64_t>(key->tokens_per_minute)) + " per minute)";
      return d;
    }
  }
  if (key->requests_per_minute > 0) {
    if (const double wait = usage.requests.take(key->requests_per_minute, now); wait > 0) {
      d.outcome = AuthDecision::Outcome::RateLimited;
      d.retry_after_s = wait;
      d.message = "rate limit reached for the API key '" + key->name + "' (" +
                  std::to_string(static_cast<int64_t>(key->requests_per_minute)) +
                  " requests per minute)";
      return d;
    }
  }
  return d;
}

void KeyStore::spend_tokens(const std::string& key_name, int64_t tokens) {
  if (key_name.empty() || tokens <= 0) return;
  for (const auto& k : keys_) {
    if (k.name != key_name) continue;
    if (k.tokens_per_minute <= 0) return;
    std::lock_guard lock(*mutex_);
    usage_[key_name].tokens.spend(tokens, RateClock::now());
    return;
  }
}

}  // namespace tq

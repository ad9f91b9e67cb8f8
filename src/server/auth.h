// API keys: the config holds only SHA-256 hashes of the secrets (hex), each with a name
// (what the ledger records), scopes and limits per minute. Clients send
// `Authorization: Bearer <secret>`. A key may be limited in requests per minute and in model
// tokens per minute (server/rate_limit.h); a client over either is told when to come back
// (Retry-After).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "server/rate_limit.h"

namespace tq {

std::string sha256_hex(std::string_view data);

// Scopes a key may hold; route files of other modules (knowledge base, tasks) check theirs
// through Gateway::authorize.
inline constexpr const char* kKnownScopes[] = {"chat", "completions", "embeddings", "models",
                                               "kb",   "kb_write",    "tasks"};

// One configured key. Other modules may add fields here (and read them in
// KeyStore::from_config) — e.g. the knowledge-base labels a key may read — and find them on
// the AuthContext their handler gets.
struct ApiKey {
  std::string name;
  std::string sha256;              // lower-case hex of the secret's SHA-256
  std::set<std::string> scopes;    // kKnownScopes; empty: all but kb_write
  double requests_per_minute = 0;  // 0: unlimited
  // Prompt + completion tokens of chat, completions and embeddings calls over the last
  // 60 s; those scopes are refused while the key is over it. 0: unlimited.
  double tokens_per_minute = 0;
  bool local_only = false;  // data_policy = "local_only": never sent to remote models
  // Knowledge base (server/kb_api.h): labels it may read (default public only) and the
  // collections it may use (empty: any of those labels). Writing needs scope kb_write.
  std::vector<std::string> kb_labels;
  std::vector<std::string> kb_collections;
};

struct AuthDecision {
  enum class Outcome { Allowed, Unauthorized, Forbidden, RateLimited } outcome = Outcome::Allowed;
  std::string key_name;         // "" when auth is off
  const ApiKey* key = nullptr;  // the matched key (owned by the KeyStore); null when auth is off
  std::string message;
  double retry_after_s = 0;
};

class KeyStore {
 public:
  // [[server.keys]] entries: name, sha256, scopes = [...], requests_per_minute,
  // tokens_per_minute, data_policy, kb_labels, kb_collections.
  static KeyStore from_config(const toml::table& config);
  void add(ApiKey key);
  bool enabled() const { return !keys_.empty(); }  // no keys configured: open server
  size_t size() const { return keys_.size(); }

  // `authorization`: the header's value. Consumes one request from the key's bucket.
  AuthDecision check(std::string_view authorization, const std::string& scope);
  // Counts `tokens` (prompt + completion) a call of `key_name` used against its
  // tokens_per_minute; nothing for keys without one (or "": auth off).
  void spend_tokens(const std::string& key_name, int64_t tokens);

 private:
  struct Usage {
    RequestBucket requests;
    TokenWindow tokens;
  };
  std::vector<ApiKey> keys_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();  // movable store
  std::map<std::string, Usage> usage_;                                  // by key name
};

}  // namespace tq

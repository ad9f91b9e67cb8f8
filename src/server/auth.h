// API keys: the config holds only SHA-256 hashes of the secrets (hex), each with a name
// (what the ledger records), scopes and a request rate limit. Clients send
// `Authorization: Bearer <secret>`. Rate limits are token buckets per key: a bucket of
// `requests_per_minute` that refills continuously, so bursts up to the limit pass and a
// client over it is told when to come back (Retry-After).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

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
  bool local_only = false;         // data_policy = "local_only": never sent to remote models
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
  // [[server.keys]] entries: name, sha256, scopes = [...], requests_per_minute.
  static KeyStore from_config(const toml::table& config);
  void add(ApiKey key);
  bool enabled() const { return !keys_.empty(); }  // no keys configured: open server
  size_t size() const { return keys_.size(); }

  // `authorization`: the header's value. Consumes one request from the key's bucket.
  AuthDecision check(std::string_view authorization, const std::string& scope);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::vector<ApiKey> keys_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();  // movable store
  std::map<std::string, Bucket> buckets_;                               // by key name
};

}  // namespace tq

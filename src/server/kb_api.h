// The knowledge base over HTTP, scoped by API key:
//   POST   /v1/kb/search     {"query", "k", "collections", "filters", "prf"}
//   POST   /v1/kb/documents  {"collection", "source", "text", "format", "title", "label"}
//   DELETE /v1/kb/documents  {"collection", "source"} (or ?collection=&source=)
// A caller sees only the collections its key allows (kb_collections) whose access label
// its key may read (kb_labels); labels are enforced in the SQL that reads chunks, so no
// hit, snippet or citation of another label can come back. A collection the key may
// not see answers 404 like a missing one. Errors are OpenAI-shaped JSON.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rag/retriever.h"

namespace httplib {
class Server;
class Request;
class Response;
}  // namespace httplib

namespace tq {

class KeyStore;
class ProviderRegistry;
struct ServerOptions;

namespace rag {
class KnowledgeBase;
class HnswDenseIndex;
}  // namespace rag

// What one caller may do with the knowledge base.
struct KbAccess {
  std::string key_name;
  std::vector<std::string> labels = {"public"};  // labels it may read, and write into
  std::vector<std::string> collections;          // empty: any collection of those labels
  bool may_write = false;
};

// Decides what the request's caller may do for `scope` ("kb" to search, "kb_write" to
// change documents). nullopt: refused, and `res` already holds the error response.
using KbAuthorizer = std::function<std::optional<KbAccess>(
    const httplib::Request& req, httplib::Response& res, const std::string& scope)>;

struct KbApiOptions {
  std::filesystem::path kb_path;
  rag::EmbedFn embed;       // empty: BM25 only
  std::string embed_model;  // the name embeddings are stored under
  rag::FusionWeights fusion;
  size_t max_k = 50;
};

class KbApi {
 public:
  explicit KbApi(KbApiOptions options);
  ~KbApi();
  KbApi(const KbApi&) = delete;
  KbApi& operator=(const KbApi&) = delete;

  // Each returns the HTTP status and sets `body` (a result or an OpenAI error body).
  int search(const nlohmann::json& request, const KbAccess& access, nlohmann::json& body);
  int put_document(const nlohmann::json& request, const KbAccess& access, nlohmann::json& body);
  int delete_document(const nlohmann::json& request, const KbAccess& access, nlohmann::json& body);

 private:
  std::optional<std::string> visible_label(const std::string& collection, const KbAccess& a);
  void refresh_dense();

  KbApiOptions options_;
  std::mutex mutex_;  // one SQLite connection, one request at a time
  std::unique_ptr<rag::KnowledgeBase> kb_;
  std::unique_ptr<rag::Retriever> retriever_;  // long-lived: keeps its term statistics
  std::shared_ptr<rag::HnswDenseIndex> dense_;
  int64_t dense_generation_ = -1;
};

// Installs the three routes on `server`.
void mount_kb_api(httplib::Server& server, KbApi& api, const KbAuthorizer& authorize);

// The gateway's wiring: [kb] path (none: no routes, returns null), [kb.embeddings] model
// from the registry, keys' kb_labels / kb_collections, and the "kb" / "kb_write" scopes
// ("kb_write" must be listed explicitly; a server without keys may search public only).
std::unique_ptr<KbApi> mount_gateway_kb_api(httplib::Server& server, const ServerOptions& options,
                                            const ProviderRegistry& registry, KeyStore& keys);

}  // namespace tq

// Retrieval over the knowledge base: BM25 through FTS5 (tq_bm25, tunable), optional
// pseudo-relevance feedback (RM3-style second query), optional fusion with a dense
// ranking (reciprocal rank fusion), filters on collection, access label and fields.
// Access labels are enforced inside the SQL that reads chunks, so a caller allowed only
// `public` cannot receive anything else whatever the query or the dense index return.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rag/store.h"

namespace tq::rag {

struct Bm25Params {
  double k1 = 1.2;
  double b = 0.75;
  double title_weight = 1.0;
  double body_weight = 1.0;
};

// Defaults tuned on the public collections (docs/ARCHITECTURE.md, "Knowledge base"):
// English (Cranfield, CISI) k1 = 2.0 with titles weighted 2; French (PIAF, CNIL FAQ) the
// classic k1 = 1.2, b = 0.75.
Bm25Params default_bm25(const std::string& language);

// RM3: the top `docs` hits of the first query give a relevance model; its best `terms`
// terms (by feedback weight × idf) are added, mixed with the query's own terms with
// weight `original_weight` for the original query.
struct PrfParams {
  bool enabled = false;
  int docs = 10;
  int terms = 20;
  double original_weight = 0.6;
};

// Embeds texts (a provider's embedding model); dense retrieval is optional.
using EmbedFn = std::function<std::vector<std::vector<float>>(const std::vector<std::string>&)>;

// A nearest-neighbour index over chunk embeddings (HNSW: rag/dense.h). Only chunks of
// `collections` (ids) may be returned; results are (chunk id, similarity), best first.
class DenseIndex {
 public:
  virtual ~DenseIndex() = default;
  virtual std::vector<std::pair<int64_t, float>> search(
      const std::vector<float>& query_vec, size_t k,
      const std::vector<int64_t>& collections) const = 0;
};

struct FusionWeights {
  double bm25 = 1.0;
  double dense = 1.0;
  double k = 60.0;  // the RRF constant
};

struct SearchOptions {
  size_t k = 10;
  std::vector<std::string> collections;  // empty: every collection the labels allow
  std::vector<std::string> labels = {"public"};
  std::map<std::string, std::string> field_filters;  // fields.<key> == value
  std::optional<Bm25Params> bm25;  // unset: default_bm25 of each collection's language
  PrfParams prf;
  bool exhaustive = false;  // score every matching chunk (no pruning): the reference
  bool with_text = false;   // fill Hit::text (the whole chunk)
  bool with_snippet = true;
};

struct Hit {
  int64_t chunk_id = 0;
  int64_t document_id = 0;
  std::string collection;
  std::string label;     // the collection's access label
  std::string source;    // the document's source path / id
  std::string location;  // heading path, page, row
  std::string title;
  std::string snippet;
  std::string text;
  double score = 0;
  nlohmann::json fields = nlohmann::json::object();
  std::string citation() const;  // "source › location"
};

// Fuses rankings (chunk ids, best first) by reciprocal rank: Σ weight / (k + rank).
std::vector<std::pair<int64_t, double>> reciprocal_rank_fusion(
    const std::vector<std::vector<int64_t>>& rankings, const std::vector<double>& weights,
    double k = 60.0);

class Retriever {
 public:
  explicit Retriever(KnowledgeBase& kb);
  ~Retriever();

  // Plugs dense retrieval in: results are then the RRF of BM25 and the dense ranking.
  void set_dense(EmbedFn embed, std::shared_ptr<const DenseIndex> index, FusionWeights weights);

  std::vector<Hit> search(const std::string& query, const SearchOptions& options);

  // BM25 (+PRF) ranking only: (chunk id, score), best first, `depth` at most.
  std::vector<std::pair<int64_t, double>> rank_bm25(const std::string& query,
                                                    const SearchOptions& options, size_t depth);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tq::rag

// Dense retrieval over the store. SQLite holds one embedding per chunk and model (table
// `embeddings`, filled by embed_missing at ingestion); the HNSW index is derived from it,
// saved beside the store with the store generation it reflects, and rebuilt from SQLite
// whenever the file is missing, stale (another generation, dimension or metric) or
// damaged. rag does not link the providers: callers hand in an EmbedFn.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rag/retriever.h"
#include "rag/store.h"

namespace tq {
class VectorIndex;
}

namespace tq::rag {

// Embeds, `batch` texts per call, every chunk that has no embedding for `model` yet
// (title + body), storing each batch in one transaction; returns how many. A killed run
// leaves whole batches, and the next run embeds the rest. `progress(done, total)` is
// called after each batch. InputError when `embed` returns the wrong count or vectors of
// different lengths.
size_t embed_missing(KnowledgeBase& kb, const std::string& model, const EmbedFn& embed,
                     size_t batch = 32,
                     const std::function<void(size_t done, size_t total)>& progress = {});

// Where the index of `model` lives beside the store file `kb_path`.
std::filesystem::path dense_index_path(const std::string& kb_path, const std::string& model);

class HnswDenseIndex : public DenseIndex {
 public:
  // How open() got its index.
  enum class Origin { loaded, built_missing, built_stale, built_damaged };

  // Loads `path` when it reflects the store as it is now; otherwise builds the index from
  // the embeddings of `model` and saves it to `path` ("" = do not save). Returns null when
  // the store holds no embedding of `model`.
  static std::shared_ptr<HnswDenseIndex> open(KnowledgeBase& kb, const std::string& model,
                                              const std::filesystem::path& path,
                                              Origin* origin = nullptr, std::string* why = nullptr);
  ~HnswDenseIndex() override;

  std::vector<std::pair<int64_t, float>> search(
      const std::vector<float>& query_vec, size_t k,
      const std::vector<int64_t>& collections) const override;
  size_t size() const;

 private:
  HnswDenseIndex() = default;
  std::unique_ptr<VectorIndex> index_;
  std::unordered_map<int64_t, int64_t> collection_of_;  // chunk → collection
};

const char* origin_name(HnswDenseIndex::Origin o);

}  // namespace tq::rag

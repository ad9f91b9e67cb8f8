#include "rag/dense.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "core/error.h"
#include "rag/sqlite_util.h"
#include "rag/vector/vector_index.h"

namespace tq::rag {

size_t embed_missing(KnowledgeBase& kb, const std::string& model, const EmbedFn& embed,
                     size_t batch, const std::function<void(size_t done, size_t total)>& progress) {
  if (model.empty()) throw InputError("an embedding model needs a name");
  batch = std::max<size_t>(batch, 1);
  const std::string missing =
      " FROM chunks k WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_id = k.id"
      " AND e.model = ?)";
  Stmt count(kb.db(), "SELECT count(*)" + missing);
  count.bind(1, model);
  count.step();
  const auto total = static_cast<size_t>(count.int64(0));
  Stmt dim_of(kb.db(), "SELECT dim FROM embeddings WHERE model = ? LIMIT 1");
  dim_of.bind(1, model);
  size_t dim = dim_of.step() ? static_cast<size_t>(dim_of.int64(0)) : 0;
  Stmt next(kb.db(), "SELECT k.id, k.title, k.body" + missing + " ORDER BY k.id LIMIT ?");
  size_t done = 0;
  while (done < total) {
    std::vector<int64_t> ids;
    std::vector<std::string> texts;
    next.bind(1, model).bind(2, static_cast<int64_t>(batch));
    while (next.step()) {
      ids.push_back(next.int64(0));
      std::string title = next.text(1);
      std::string body = next.text(2);
      if (!title.empty()) body = title.append("\n").append(body);
      texts.push_back(std::move(body));
    }
    next.reset();
    if (ids.empty()) break;
    auto vecs = embed(texts);
    if (vecs.size() != ids.size()) {
      throw InputError("the embedding model returned " + std::to_string(vecs.size()) +
                       " vectors for " + std::to_string(ids.size()) + " texts");
    }
    for (const auto& v : vecs) {
      if (dim == 0) dim = v.size();
      if (v.empty() || v.size() != dim) {
        throw InputError("the embedding model returned a vector of " + std::to_string(v.size()) +
                         " dimensions where " + std::to_string(dim) + " were expected");
      }
    }
    kb.put_embeddings(model, ids, vecs);
    done += ids.size();
    if (progress) progress(done, total);
  }
  return done;
}

std::filesystem::path dense_index_path(const std::string& kb_path, const std::string& model) {
  std::string safe;
  for (char c : model) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    safe += ok ? c : '_';
  }
  return kb_path + ".hnsw-" + safe;
}

const char* origin_name(HnswDenseIndex::Origin o) {
  switch (o) {
    case HnswDenseIndex::Origin::loaded:
      return "loaded";
    case HnswDenseIndex::Origin::built_missing:
      return "built (no index file)";
    case HnswDenseIndex::Origin::built_stale:
      return "rebuilt (index stale)";
    case HnswDenseIndex::Origin::built_damaged:
      return "rebuilt (index damaged)";
  }
  return "?";
}

std::shared_ptr<HnswDenseIndex> HnswDenseIndex::open(KnowledgeBase& kb, const std::string& model,
                                                     const std::filesystem::path& path,
                                                     Origin* origin, std::string* why) {
  Stmt dim_of(kb.db(), "SELECT dim, count(*) FROM embeddings WHERE model = ?");
  dim_of.bind(1, model);
  if (!dim_of.step() || dim_of.int64(1) == 0) return nullptr;
  VectorIndexOptions options;
  options.dim = static_cast<uint32_t>(dim_of.int64(0));
  options.metric = VectorMetric::kCosine;
  options.ef_search = 128;
  const auto generation = static_cast<uint64_t>(kb.generation());
  std::shared_ptr<HnswDenseIndex> out(new HnswDenseIndex());
  Stmt owners(kb.db(),
              "SELECT k.id, k.collection_id FROM chunks k JOIN embeddings e ON e.chunk_id = k.id"
              " WHERE e.model = ?");
  owners.bind(1, model);
  while (owners.step()) out->collection_of_[owners.int64(0)] = owners.int64(1);

  Origin how = Origin::built_missing;
  if (!path.empty()) {
    IndexLoadResult r = VectorIndex::load(path, options, generation);
    if (why != nullptr) *why = r.message;
    switch (r.status) {
      case IndexLoadStatus::kOk:
        if (r.index->size() == out->collection_of_.size()) {
          out->index_ = std::move(r.index);
          how = Origin::loaded;
        } else {
          how = Origin::built_stale;
          if (why != nullptr) *why = "index size differs from the store's embeddings";
        }
        break;
      case IndexLoadStatus::kMissing:
        how = Origin::built_missing;
        break;
      case IndexLoadStatus::kStale:
        how = Origin::built_stale;
        break;
      case IndexLoadStatus::kDamaged:
        how = Origin::built_damaged;
        break;
    }
  }
  if (!out->index_) {
    Stmt rows(kb.db(), "SELECT chunk_id, vector FROM embeddings WHERE model = ? AND dim = ?");
    rows.bind(1, model).bind(2, static_cast<int64_t>(options.dim));
    std::vector<int64_t> ids;
    std::vector<float> flat;
    while (rows.step()) {
      const std::string blob = rows.text(1);
      if (blob.size() != options.dim * sizeof(float)) {
        throw Error("embedding of chunk " + std::to_string(rows.int64(0)) + " has " +
                    std::to_string(blob.size()) + " bytes, expected " +
                    std::to_string(options.dim * sizeof(float)));
      }
      ids.push_back(rows.int64(0));
      const size_t at = flat.size();
      flat.resize(at + options.dim);
      std::memcpy(flat.data() + at, blob.data(), blob.size());
    }
    out->index_ = std::make_unique<VectorIndex>(options);
    out->index_->add_batch(ids, flat);
    if (!path.empty()) out->index_->save(path, generation);
  }
  if (origin != nullptr) *origin = how;
  return out;
}

HnswDenseIndex::~HnswDenseIndex() = default;

size_t HnswDenseIndex::size() const {
  return index_->size();
}

std::vector<std::pair<int64_t, float>> HnswDenseIndex::search(
    const std::vector<float>& query_vec, size_t k, const std::vector<int64_t>& collections) const {
  auto hits = index_->search(std::span<const float>(query_vec), k, [&](int64_t id) {
    auto it = collection_of_.find(id);
    return it != collection_of_.end() &&
           std::find(collections.begin(), collections.end(), it->second) != collections.end();
  });
  std::vector<std::pair<int64_t, float>> out;
  out.reserve(hits.size());
  for (const auto& h : hits) out.emplace_back(h.id, h.score);
  return out;
}

}  // namespace tq::rag

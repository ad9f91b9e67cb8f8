// Approximate nearest-neighbour search over chunk embeddings: an HNSW graph (hnswlib)
// keyed by SQLite chunk rowids. SQLite stays the source of truth; this index is a cache
// saved beside it with the store generation it reflects, and load() says whether the
// file can be used (ok) or must be rebuilt from the store (missing / stale / damaged).
//
// Concurrency: any number of search() calls run in parallel; add/remove take the index
// exclusively (add_batch then inserts on several threads itself), so feed a live index
// in batches of a few thousand to let searches interleave. save() runs alongside
// searches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rag/vector/distance.h"
#include "rag/vector/vector_types.h"

namespace tq {

struct VectorIndexOptions {
  uint32_t dim = 0;
  VectorMetric metric = VectorMetric::kCosine;
  // Graph degree (level 0 keeps 2·m links) and insertion beam width: saved in the file.
  uint32_t m = 16;
  uint32_t ef_construction = 200;
  // Search beam width (raised to k when smaller): a runtime setting, not saved.
  uint32_t ef_search = 64;
  // Threads add_batch() inserts on; 0 = the machine's hardware threads.
  int build_threads = 0;
  // Seeds hnswlib's level generator; with one build thread a build is reproducible.
  uint64_t seed = 100;
};

enum class IndexLoadStatus {
  kOk,
  kMissing,  // no file: build from the store
  kStale,    // intact, but for another generation, dimension or metric: rebuild
  kDamaged,  // unreadable, truncated, corrupt: rebuild
};

const char* load_status_name(IndexLoadStatus status);

class VectorIndex;

struct IndexLoadResult {
  IndexLoadStatus status = IndexLoadStatus::kMissing;
  std::string message;                 // why, for logs; empty when ok
  std::unique_ptr<VectorIndex> index;  // set only when ok
  uint64_t generation = 0;             // the file's generation (ok and stale)
};

class VectorIndex {
 public:
  // Throws InputError for a zero dimension or out-of-range M / ef_construction.
  explicit VectorIndex(const VectorIndexOptions& options);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // Adds `id`, or replaces its vector (and undeletes it) when present. Cosine vectors are
  // normalised. InputError for a wrong length, NaN/inf, or a zero cosine vector.
  void add(int64_t id, std::span<const float> vec);
  // Adds ids.size() vectors stored row-major in `vectors`, in parallel. Every vector is
  // checked first: on InputError (also for an id repeated within the batch) nothing
  // has been added.
  void add_batch(std::span<const int64_t> ids, std::span<const float> vectors);
  // Marks `id` deleted: it is never returned again (its node still routes searches).
  // Returns false when it is absent or already deleted.
  bool remove(int64_t id);
  bool contains(int64_t id) const;

  // The k nearest live vectors passing `filter`, best first (see VectorHit::score).
  // `ef` overrides the options' ef_search for this call (0 = use it).
  std::vector<VectorHit> search(std::span<const float> query, size_t k,
                                const VectorFilter& filter = {}, size_t ef = 0) const;

  size_t size() const;           // live vectors
  size_t deleted_count() const;  // marked deleted, still stored (rebuild to reclaim)
  VectorIndexOptions options() const;
  void set_ef_search(uint32_t ef);

  // Writes the index atomically (temporary file, fsync, rename, fsync of the folder),
  // stamped with `generation`. Throws tq::Error on an I/O failure; the previous file, if
  // any, is then left as it was.
  void save(const std::filesystem::path& path, uint64_t generation) const;

  // Reads an index saved by save(). `expected.dim` and `.metric` must match the file's
  // (else kStale); ef_search and build_threads are taken from `expected`, M and
  // ef_construction from the file. Never throws for a bad file and never trusts it:
  // every size and link is checked before hnswlib sees it.
  static IndexLoadResult load(const std::filesystem::path& path, const VectorIndexOptions& expected,
                              uint64_t expected_generation);
  // The same over bytes in memory (the fuzz target's entry point).
  static IndexLoadResult load_from_bytes(std::span<const std::byte> bytes,
                                         const VectorIndexOptions& expected,
                                         uint64_t expected_generation);

  struct Impl;

 private:
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  static IndexLoadResult load_fd(int fd, const VectorIndexOptions& expected,
                                 uint64_t expected_generation);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tq

// The one translation unit that includes hnswlib. NO_MANUAL_VECTORIZATION turns off its
// USE_SSE code: the distances are ours anyway, and its prefetches read one link past the
// end of a full neighbour list (a heap overflow ASan reports during inserts). It also
// drops the non-inline cpuid/AVXCapable definitions its header would otherwise add to
// every includer.
#include "rag/vector/vector_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>

#include "core/error.h"
#include "core/thread_pool.h"
#include "rag/vector/index_file.h"

namespace tq {
namespace {

using Graph = hnswlib::HierarchicalNSW<float>;
using hnswlib::tableint;

// Our distances, handed to hnswlib through its SpaceInterface: the dispatching kernels
// of distance.h (hnswlib's own spaces pick SSE at compile time and set global function
// pointers in their constructors, a race between indexes built on different threads).
float cosine_distance(const void* a, const void* b, const void* dim) {
  return 1.0f - dot_product(static_cast<const float*>(a), static_cast<const float*>(b),
                            *static_cast<const size_t*>(dim));
}

float l2_distance(const void* a, const void* b, const void* dim) {
  return squared_l2(static_cast<const float*>(a), static_cast<const float*>(b),
                    *static_cast<const size_t*>(dim));
}

class MetricSpace final : public hnswlib::SpaceInterface<float> {
 public:
  MetricSpace(size_t dim, VectorMetric metric) : dim_(dim), metric_(metric) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override {
    return metric_ == VectorMetric::kCosine ? cosine_distance : l2_distance;
  }
  void* get_dist_func_param() override { return &dim_; }

 private:
  size_t dim_;
  VectorMetric metric_;
};

constexpr size_t kInitialCapacity = 1024;
// Inserting fewer vectors than this runs on the calling thread: starting workers would
// cost more than it saves.
constexpr size_t kMinParallelInsert = 256;

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text() {
  return std::strerror(errno);
}

// An anonymous in-memory file: hnswlib reads and writes only named files, and
// /proc/self/fd/N names this one without touching the disk.
Fd make_memfd() {
  Fd fd(::memfd_create("tq-vector-index", MFD_CLOEXEC));
  if (fd.get() < 0) throw Error("vector index: memfd_create failed: " + errno_text());
  return fd;
}

std::string fd_path(const Fd& fd) {
  return "/proc/self/fd/" + std::to_string(fd.get());
}

bool write_all(int fd, const std::byte* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads exactly n bytes at `offset`; false on EOF or error.
bool pread_all(int fd, std::byte* data, size_t n, uint64_t offset) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, data, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    data += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

// Copies [offset, offset + n) of `from` to the end of `to`, returning the CRC-32 of the
// bytes copied (to = -1: checksum only).
std::optional<uint32_t> copy_with_crc(int from, uint64_t offset, uint64_t n, int to) {
  std::vector<std::byte> buf(static_cast<size_t>(std::min<uint64_t>(n, uint64_t{1} << 20)));
  uint32_t crc = 0;
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
    if (!pread_all(from, buf.data(), chunk, offset)) return std::nullopt;
    crc = crc32_update(crc, std::span<const std::byte>(buf.data(), chunk));
    if (to >= 0 && !write_all(to, buf.data(), chunk)) return std::nullopt;
    offset += chunk;
    n -= chunk;
  }
  return crc;
}

// A read-only view of a whole file descriptor.
class Mapping {
 public:
  Mapping(int fd, size_t size) : size_(size) {
    if (size == 0) return;
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) throw Error("vector index: mmap failed: " + errno_text());
    data_ = p;
  }
  ~Mapping() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte*>(data_), data_ == nullptr ? 0 : size_};
  }

 private:
  void* data_ = nullptr;
  size_t size_;
};

}  // namespace

const char* load_status_name(IndexLoadStatus status) {
  switch (status) {
    case IndexLoadStatus::kOk:
      return "ok";
    case IndexLoadStatus::kMissing:
      return "missing";
    case IndexLoadStatus::kStale:
      return "stale";
    case IndexLoadStatus::kDamaged:
      return "damaged";
  }
  return "unknown";
}

struct VectorIndex::Impl {
  explicit Impl(const VectorIndexOptions& o)
      : options(o), space(o.dim, o.metric), ef_search(o.ef_search) {}

  VectorIndexOptions options;
  MetricSpace space;  // outlives graph, which keeps pointers into it
  std::unique_ptr<Graph> graph;
  std::atomic<uint32_t> ef_search;
  // Searches share it; add/remove/resize take it exclusively.
  mutable std::shared_mutex mu;

  float distance(const float* query, tableint node) const {
    const auto* stored = reinterpret_cast<const float*>(graph->getDataByInternalId(node));
    return options.metric == VectorMetric::kCosine ? 1.0f - dot_product(query, stored, options.dim)
                                                   : squared_l2(query, stored, options.dim);
  }

  void ensure_capacity(size_t needed) {
    if (needed <= graph->max_elements_) return;
    graph->resizeIndex(std::max(needed, graph->max_elements_ * 2));
  }

  std::vector<VectorHit> search(const float* query, size_t k, const VectorFilter& filter,
                                size_t ef) const;
};

namespace {

void check_options(const VectorIndexOptions& o) {
  if (o.dim == 0) throw InputError("vector index: dimension must be at least 1");
  if (o.m < 2 || o.m > 2048)
    throw InputError("vector index: M must be in [2, 2048], got " + std::to_string(o.m));
  if (o.ef_construction < 1 || o.ef_construction > (1U << 20))
    throw InputError("vector index: ef_construction must be in [1, 1048576]");
  if (o.metric != VectorMetric::kCosine && o.metric != VectorMetric::kL2)
    throw InputError("vector index: unknown metric");
}

uint64_t as_label(int64_t id) {
  return static_cast<uint64_t>(id);
}
int64_t as_id(hnswlib::labeltype label) {
  return static_cast<int64_t>(label);
}

// Returns a visited list to hnswlib's pool on scope exit, also when a filter throws.
class VisitedGuard {
 public:
  explicit VisitedGuard(hnswlib::VisitedListPool* pool)
      : pool_(pool), list_(pool->getFreeVisitedList()) {}
  ~VisitedGuard() { pool_->releaseVisitedList(list_); }
  VisitedGuard(const VisitedGuard&) = delete;
  VisitedGuard& operator=(const VisitedGuard&) = delete;
  bool test_and_set(tableint id) {
    if (list_->mass[id] == list_->curV) return true;
    list_->mass[id] = list_->curV;
    return false;
  }

 private:
  hnswlib::VisitedListPool* pool_;
  hnswlib::VisitedList* list_;
};

}  // namespace

// hnswlib 0.6's searchKnn has neither a filter nor a per-call ef (setEf is shared state),
// so the two phases are written here over its public graph: greedy descent through the
// upper levels, then a best-first beam of width ef on level 0. Deleted or filtered-out
// nodes are still traversed (they connect the graph) but never enter the results; while
// fewer than ef nodes passed, the beam keeps expanding, so a selective filter degrades
// towards an exhaustive walk rather than returning too few hits.
std::vector<VectorHit> VectorIndex::Impl::search(const float* query, size_t k,
                                                 const VectorFilter& filter, size_t ef) const {
  const Graph& g = *graph;
  std::vector<VectorHit> hits;
  if (k == 0 || g.cur_element_count == 0) return hits;
  ef = std::max(ef, k);

  tableint current = g.enterpoint_node_;
  float current_dist = distance(query, current);
  for (int level = g.maxlevel_; level > 0; --level) {
    for (bool changed = true; changed;) {
      changed = false;
      const auto* list = g.get_linklist(current, level);
      const size_t n = g.getListCount(const_cast<hnswlib::linklistsizeint*>(list));
      const auto* links = reinterpret_cast<const tableint*>(list + 1);
      for (size_t j = 0; j < n; ++j) {
        const float d = distance(query, links[j]);
        if (d < current_dist) {
          current_dist = d;
          current = links[j];
          changed = true;
        }
      }
    }
  }

  using Entry = std::pair<float, tableint>;
  std::priority_queue<Entry> results;                                       // worst on top
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> frontier;  // best on top
  const auto accept = [&](tableint node) {
    return !g.isMarkedDeleted(node) && (!filter || filter(as_id(g.getExternalLabel(node))));
  };
  VisitedGuard visited(g.visited_list_pool_);
  float bound = std::numeric_limits<float>::infinity();
  visited.test_and_set(current);
  frontier.emplace(current_dist, current);
  if (accept(current)) {
    results.emplace(current_dist, current);
    bound = current_dist;
  }
  while (!frontier.empty()) {
    const auto [d, node] = frontier.top();
    if (d > bound && results.size() >= ef) break;
    frontier.pop();
    const auto* list = g.get_linklist0(node);
    const size_t n = g.getListCount(const_cast<hnswlib::linklistsizeint*>(list));
    const auto* links = reinterpret_cast<const tableint*>(list + 1);
    for (size_t j = 0; j < n; ++j) {
      const tableint next = links[j];
      if (visited.test_and_set(next)) continue;
      const float dn = distance(query, next);
      if (results.size() < ef || dn < bound) {
        frontier.emplace(dn, next);
        if (accept(next)) {
          results.emplace(dn, next);
          if (results.size() > ef) results.pop();
          bound = results.top().first;
        }
      }
    }
  }

  hits.reserve(results.size());
  for (; !results.empty(); results.pop()) {
    const auto [d, node] = results.top();
    const float score = options.metric == VectorMetric::kCosine ? 1.0f - d : -d;
    hits.push_back({as_id(g.getExternalLabel(node)), score});
  }
  std::sort(hits.begin(), hits.end(), hit_before);
  if (hits.size() > k) hits.resize(k);
  return hits;
}

VectorIndex::VectorIndex(const VectorIndexOptions& options) {
  check_options(options);
  impl_ = std::make_unique<Impl>(options);
  impl_->graph = std::make_unique<Graph>(&impl_->space, kInitialCapacity, options.m,
                                         options.ef_construction, options.seed);
}

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

VectorIndex::~VectorIndex() = default;

void VectorIndex::add(int64_t id, std::span<const float> vec) {
  add_batch(std::span<const int64_t>(&id, 1), vec);
}

void VectorIndex::add_batch(std::span<const int64_t> ids, std::span<const float> vectors) {
  const uint32_t dim = impl_->options.dim;
  if (vectors.size() != ids.size() * dim)
    throw InputError("vector index: " + std::to_string(ids.size()) + " ids but " +
                     std::to_string(vectors.size()) + " floats (expected " +
                     std::to_string(ids.size() * dim) + " for dimension " + std::to_string(dim) +
                     ")");
  // Check and normalise everything before touching the graph: a bad vector in the
  // middle of a batch must not leave half of it inserted.
  std::vector<float> prepared(vectors.size());
  std::unordered_set<int64_t> seen;
  seen.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second)
      throw InputError("vector index: id " + std::to_string(ids[i]) +
                       " appears twice in one batch");
    const auto v = prepare_vector(vectors.subspan(i * dim, dim), dim, impl_->options.metric,
                                  "vector " + std::to_string(ids[i]));
    std::copy(v.begin(), v.end(), prepared.begin() + static_cast<ptrdiff_t>(i * dim));
  }

  std::unique_lock lock(impl_->mu);
  Graph& g = *impl_->graph;
  // Replacing existing ids goes through hnswlib's updatePoint, whose random generator is
  // unguarded: do those one by one, and only fresh inserts in parallel.
  std::vector<size_t> fresh;
  fresh.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (g.label_lookup_.count(as_label(ids[i])) != 0)
      g.addPoint(&prepared[i * dim], as_label(ids[i]));
    else
      fresh.push_back(i);
  }
  impl_->ensure_capacity(g.cur_element_count + fresh.size());

  int threads = impl_->options.build_threads > 0
                    ? impl_->options.build_threads
                    : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (fresh.size() < kMinParallelInsert) threads = 1;
  std::atomic<size_t> next{0};
  std::mutex error_mu;
  std::exception_ptr error;
  const auto insert_some = [&](int /*ith*/, int /*nth*/) {
    // Dynamic hand-out: insert cost varies with the node's level and neighbourhood.
    for (size_t j = next.fetch_add(1); j < fresh.size(); j = next.fetch_add(1)) {
      try {
        const size_t i = fresh[j];
        g.addPoint(&prepared[i * dim], as_label(ids[i]));
      } catch (...) {
        const std::lock_guard error_lock(error_mu);
        if (!error) error = std::current_exception();
        next.store(fresh.size());
      }
    }
  };
  if (threads == 1) {
    insert_some(0, 1);
  } else {
    ThreadPool pool(threads);
    pool.run(insert_some);
  }
  if (error) std::rethrow_exception(error);
}

bool VectorIndex::remove(int64_t id) {
  std::unique_lock lock(impl_->mu);
  Graph& g = *impl_->graph;
  const auto it = g.label_lookup_.find(as_label(id));
  if (it == g.label_lookup_.end() || g.isMarkedDeleted(it->second)) return false;
  g.markDeletedInternal(it->second);
  return true;
}

bool VectorIndex::contains(int64_t id) const {
  std::shared_lock lock(impl_->mu);
  const Graph& g = *impl_->graph;
  const auto it = g.label_lookup_.find(as_label(id));
  return it != g.label_lookup_.end() && !g.isMarkedDeleted(it->second);
}

std::vector<VectorHit> VectorIndex::search(std::span<const float> query, size_t k,
                                           const VectorFilter& filter, size_t ef) const {
  const auto q = prepare_vector(query, impl_->options.dim, impl_->options.metric, "query vector");
  std::shared_lock lock(impl_->mu);
  return impl_->search(q.data(), k, filter, ef != 0 ? ef : impl_->ef_search.load());
}

size_t VectorIndex::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->graph->cur_element_count - impl_->graph->num_deleted_;
}

size_t VectorIndex::deleted_count() const {
  std::shared_lock lock(impl_->mu);
  return impl_->graph->num_deleted_;
}

VectorIndexOptions VectorIndex::options() const {
  VectorIndexOptions o = impl_->options;
  o.ef_search = impl_->ef_search.load();
  return o;
}

void VectorIndex::set_ef_search(uint32_t ef) {
  impl_->ef_search.store(ef);
}

void VectorIndex::save(const std::filesystem::path& path, uint64_t generation) const {
  const std::string where = "saving vector index " + path.string() + ": ";
  Fd body = make_memfd();
  IndexFileHeader header;
  header.dim = impl_->options.dim;
  header.metric = impl_->options.metric;
  header.generation = generation;
  {
    std::shared_lock lock(impl_->mu);
    impl_->graph->saveIndex(fd_path(body));
    header.element_count = impl_->graph->cur_element_count;
    header.live_count = header.element_count - impl_->graph->num_deleted_;
  }
  struct stat st {};
  if (::fstat(body.get(), &st) != 0) throw Error(where + "fstat: " + errno_text());
  header.body_size = static_cast<uint64_t>(st.st_size);
  {
    // hnswlib's writer reports no errors: check what it wrote the way load() will.
    const Mapping map(body.get(), header.body_size);
    std::string why;
    if (!validate_hnsw_body(map.bytes(), header.dim, why))
      throw Error(where + "hnswlib wrote an invalid body: " + why);
  }
  const auto crc = copy_with_crc(body.get(), 0, header.body_size, -1);
  if (!crc) throw Error(where + "reading the serialised body back failed");
  header.body_crc = *crc;

  // Same folder as the target, so the rename is atomic; unique per process and call.
  static std::atomic<uint64_t> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0) throw Error(where + "cannot create " + tmp.string() + ": " + errno_text());
  std::byte head[kIndexHeaderSize];
  encode_index_header(header, head);
  const bool written = write_all(out.get(), head, kIndexHeaderSize) &&
                       copy_with_crc(body.get(), 0, header.body_size, out.get()).has_value() &&
                       ::fsync(out.get()) == 0;
  if (!written) {
    const std::string reason = errno_text();
    ::unlink(tmp.c_str());
    throw Error(where + "writing " + tmp.string() + " failed: " + reason);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text();
    ::unlink(tmp.c_str());
    throw Error(where + "rename failed: " + reason);
  }
  // The rename is durable only once the folder entry is.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

namespace {

IndexLoadResult load_result(IndexLoadStatus status, std::string message) {
  IndexLoadResult r;
  r.status = status;
  r.message = std::move(message);
  return r;
}

}  // namespace

// The loader proper, over any readable file descriptor holding a whole index file.
IndexLoadResult VectorIndex::load_fd(int fd, const VectorIndexOptions& expected,
                                     uint64_t expected_generation) {
  using S = IndexLoadStatus;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return load_result(S::kDamaged, "fstat: " + errno_text());
  const auto file_size = static_cast<uint64_t>(st.st_size);
  std::byte head[kIndexHeaderSize];
  std::string why;
  const size_t head_size = static_cast<size_t>(std::min<uint64_t>(file_size, kIndexHeaderSize));
  if (!pread_all(fd, head, head_size, 0)) return load_result(S::kDamaged, "cannot read header");
  const auto header = decode_index_header(std::span<const std::byte>(head, head_size), why);
  if (!header) return load_result(S::kDamaged, why);

  if (header->dim != expected.dim || header->metric != expected.metric ||
      header->generation != expected_generation) {
    IndexLoadResult r = load_result(
        S::kStale, "index is for generation " + std::to_string(header->generation) + ", " +
                       std::to_string(header->dim) + "-d " + metric_name(header->metric) +
                       "; the store needs generation " + std::to_string(expected_generation) +
                       ", " + std::to_string(expected.dim) + "-d " + metric_name(expected.metric));
    r.generation = header->generation;
    return r;
  }
  if (file_size - kIndexHeaderSize != header->body_size)
    return load_result(S::kDamaged, "file holds " + std::to_string(file_size - kIndexHeaderSize) +
                                        " body bytes, header says " +
                                        std::to_string(header->body_size) + " (truncated?)");

  try {
    Fd body = make_memfd();
    const auto crc = copy_with_crc(fd, kIndexHeaderSize, header->body_size, body.get());
    if (!crc) return load_result(S::kDamaged, "reading the body failed: " + errno_text());
    if (*crc != header->body_crc) return load_result(S::kDamaged, "body checksum mismatch");
    std::optional<HnswBodySummary> summary;
    {
      const Mapping map(body.get(), header->body_size);
      summary = validate_hnsw_body(map.bytes(), header->dim, why);
    }
    if (!summary) return load_result(S::kDamaged, why);
    if (summary->element_count != header->element_count ||
        summary->live_count != header->live_count)
      return load_result(S::kDamaged, "header counts disagree with the body");

    VectorIndexOptions options = expected;
    options.m = static_cast<uint32_t>(summary->m);
    options.ef_construction = static_cast<uint32_t>(summary->ef_construction);
    auto impl = std::make_unique<VectorIndex::Impl>(options);
    // hnswlib's loading constructor leaves members uninitialised if loadIndex throws;
    // start from an empty object whose destructor is safe, then load into it.
    auto graph = std::make_unique<Graph>(&impl->space);
    graph->data_level0_memory_ = nullptr;
    graph->linkLists_ = nullptr;
    graph->visited_list_pool_ = nullptr;
    graph->cur_element_count = 0;
    graph->num_deleted_ = 0;
    graph->metric_distance_computations = 0;
    graph->metric_hops = 0;
    try {
      graph->loadIndex(fd_path(body), &impl->space,
                       std::max<size_t>(summary->element_count, kInitialCapacity));
    } catch (...) {
      graph->cur_element_count = 0;  // what it allocated may leak; nothing is freed twice
      throw;
    }
    graph->level_generator_.seed(static_cast<unsigned>(expected.seed));
    impl->graph = std::move(graph);
    IndexLoadResult r;
    r.status = S::kOk;
    r.generation = header->generation;
    r.index = std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
    return r;
  } catch (const std::exception& e) {
    return load_result(S::kDamaged, std::string("loading failed: ") + e.what());
  }
}

IndexLoadResult VectorIndex::load(const std::filesystem::path& path,
                                  const VectorIndexOptions& expected,
                                  uint64_t expected_generation) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      return load_result(IndexLoadStatus::kMissing, "no index file at " + path.string());
    return load_result(IndexLoadStatus::kDamaged,
                       "cannot open " + path.string() + ": " + errno_text());
  }
  IndexLoadResult r = load_fd(fd.get(), expected, expected_generation);
  if (r.status != IndexLoadStatus::kOk) r.message = path.string() + ": " + r.message;
  return r;
}

IndexLoadResult VectorIndex::load_from_bytes(std::span<const std::byte> bytes,
                                             const VectorIndexOptions& expected,
                                             uint64_t expected_generation) {
  try {
    const Fd fd = make_memfd();
    if (!write_all(fd.get(), bytes.data(), bytes.size()))
      return load_result(IndexLoadStatus::kDamaged, "cannot buffer the index: " + errno_text());
    return load_fd(fd.get(), expected, expected_generation);
  } catch (const std::exception& e) {
    return load_result(IndexLoadStatus::kDamaged, e.what());
  }
}

}  // namespace tq

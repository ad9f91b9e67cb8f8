// HNSW benchmark for the knowledge base's dense retrieval (issue 6): builds an index over
// clustered synthetic embeddings, then measures recall@k against exact search and the
// single-query latency distribution for several ef_search values.
//
//   bench_vector_index [--n 100000] [--dim 384] [--clusters 1000] [--spread 0.03]
//                      [--queries 1000] [--k 10] [--m 16] [--ef-construction 200]
//                      [--ef 16,32,64,128,256] [--threads 0] [--save PATH] [--json]
//
// Vectors: `clusters` random unit centres, each point = centre + N(0, spread²) per
// component, normalised; queries are drawn the same way (not from the indexed set).
// Not a Google Benchmark program: recall needs a table, not an iteration loop.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rag/vector/exact_index.h"
#include "rag/vector/vector_index.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  size_t n = 100000, dim = 384, clusters = 1000, queries = 1000, k = 10;
  float spread = 0.03f;
  uint32_t m = 16, ef_construction = 200;
  std::vector<uint32_t> efs = {16, 32, 64, 128, 256};
  int threads = 0;
  std::string save;
  bool json = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_vector_index: %s\nsee the comment at the top of "
               "bench/vector_index.cpp for the flags\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      a.json = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value after " + flag).c_str());
    const std::string v = argv[++i];
    if (flag == "--n")
      a.n = std::stoul(v);
    else if (flag == "--dim")
      a.dim = std::stoul(v);
    else if (flag == "--clusters")
      a.clusters = std::stoul(v);
    else if (flag == "--spread")
      a.spread = std::stof(v);
    else if (flag == "--queries")
      a.queries = std::stoul(v);
    else if (flag == "--k")
      a.k = std::stoul(v);
    else if (flag == "--m")
      a.m = static_cast<uint32_t>(std::stoul(v));
    else if (flag == "--ef-construction")
      a.ef_construction = static_cast<uint32_t>(std::stoul(v));
    else if (flag == "--threads")
      a.threads = std::stoi(v);
    else if (flag == "--save")
      a.save = v;
    else if (flag == "--ef") {
      a.efs.clear();
      std::stringstream ss(v);
      for (std::string item; std::getline(ss, item, ',');)
        a.efs.push_back(static_cast<uint32_t>(std::stoul(item)));
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (a.n == 0 || a.dim == 0 || a.clusters == 0 || a.queries == 0 || a.k == 0)
    usage("sizes must be positive");
  return a;
}

std::vector<float> clustered(size_t n, size_t dim, const std::vector<float>& centres, float spread,
                             uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<size_t> pick(0, centres.size() / dim - 1);
  std::vector<float> out(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = pick(rng);
    for (size_t d = 0; d < dim; ++d) out[i * dim + d] = centres[c * dim + d] + spread * normal(rng);
    tq::normalize(std::span<float>(&out[i * dim], dim));
  }
  return out;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU time of the calling thread (or the whole process): on a shared machine, wall-clock
// percentiles measure the scheduler as much as the search, so both are reported.
double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - 1);
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(a.clusters * a.dim);
  for (float& x : centres) x = normal(rng);
  for (size_t c = 0; c < a.clusters; ++c)
    tq::normalize(std::span<float>(&centres[c * a.dim], a.dim));
  const auto data = clustered(a.n, a.dim, centres, a.spread, 2);
  const auto queries = clustered(a.queries, a.dim, centres, a.spread, 3);
  std::vector<int64_t> ids(a.n);
  for (size_t i = 0; i < a.n; ++i) ids[i] = static_cast<int64_t>(i);

  // Ground truth by exact search, the queries split over the build threads.
  const int threads = a.threads > 0
                          ? a.threads
                          : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  tq::ExactVectorIndex exact(static_cast<uint32_t>(a.dim), tq::VectorMetric::kCosine);
  for (size_t i = 0; i < a.n; ++i)
    exact.add(ids[i], std::span<const float>(&data[i * a.dim], a.dim));
  std::vector<std::vector<int64_t>> truth(a.queries);
  std::vector<double> exact_ms(a.queries);
  {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (size_t q = static_cast<size_t>(t); q < a.queries; q += static_cast<size_t>(threads)) {
          const auto t0 = Clock::now();
          const auto hits = exact.search(std::span<const float>(&queries[q * a.dim], a.dim), a.k);
          exact_ms[q] = seconds_since(t0) * 1e3;
          for (const auto& h : hits) truth[q].push_back(h.id);
        }
      });
    for (auto& th : pool) th.join();
  }

  tq::VectorIndexOptions o;
  o.dim = static_cast<uint32_t>(a.dim);
  o.m = a.m;
  o.ef_construction = a.ef_construction;
  o.build_threads = threads;
  tq::VectorIndex index(o);
  const auto build_start = Clock::now();
  const double build_cpu_start = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  index.add_batch(ids, data);
  const double build_s = seconds_since(build_start);
  const double build_cpu_s = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - build_cpu_start;

  double save_s = 0, load_s = 0;
  if (!a.save.empty()) {
    auto t0 = Clock::now();
    index.save(a.save, 1);
    save_s = seconds_since(t0);
    t0 = Clock::now();
    const auto r = tq::VectorIndex::load(a.save, o, 1);
    load_s = seconds_since(t0);
    if (r.status != tq::IndexLoadStatus::kOk) {
      std::fprintf(stderr, "reload failed: %s\n", r.message.c_str());
      return 1;
    }
  }

  if (a.json) {
    std::printf(
        "{\"n\": %zu, \"dim\": %zu, \"clusters\": %zu, \"spread\": %g, \"queries\": %zu, "
        "\"k\": %zu, \"m\": %u, \"ef_construction\": %u, \"threads\": %d, \"kernel\": \"%s\", "
        "\"build_s\": %.3f, \"build_cpu_s\": %.3f, \"save_s\": %.3f, \"load_s\": %.3f, "
        "\"exact_p50_ms\": %.3f, "
        "\"runs\": [",
        a.n, a.dim, a.clusters, static_cast<double>(a.spread), a.queries, a.k, a.m,
        a.ef_construction, threads, tq::distance_kernel_name(), build_s, build_cpu_s, save_s,
        load_s, percentile(exact_ms, 0.5));
  } else {
    std::printf(
        "%zu vectors, %zu-d, %zu clusters (spread %g), %zu queries, k=%zu, M=%u, "
        "ef_construction=%u, %d threads, %s kernels\n",
        a.n, a.dim, a.clusters, static_cast<double>(a.spread), a.queries, a.k, a.m,
        a.ef_construction, threads, tq::distance_kernel_name());
    std::printf("build %.2f s wall, %.2f s CPU (%.0f vectors/s)", build_s, build_cpu_s,
                static_cast<double>(a.n) / build_s);
    if (!a.save.empty()) std::printf(", save %.2f s, load %.2f s", save_s, load_s);
    std::printf("\nexact search p50 %.2f ms\n\n", percentile(exact_ms, 0.5));
    std::printf(
        "latency of one search: wall clock ms (p50 p99 max), then the searching thread's\n"
        "CPU time (p50 / p99 / max) which a busy machine's scheduler does not inflate\n");
    std::printf("%8s %10s %10s %10s %10s\n", "ef", "recall@k", "p50 ms", "p99 ms", "max ms");
  }
  for (size_t e = 0; e < a.efs.size(); ++e) {
    std::vector<double> ms(a.queries), cpu_ms(a.queries);
    double recall = 0;
    for (size_t q = 0; q < a.queries; ++q) {
      const auto t0 = Clock::now();
      const double c0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      const auto hits =
          index.search(std::span<const float>(&queries[q * a.dim], a.dim), a.k, {}, a.efs[e]);
      cpu_ms[q] = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
      ms[q] = seconds_since(t0) * 1e3;
      size_t found = 0;
      for (const auto& h : hits)
        found += std::count(truth[q].begin(), truth[q].end(), h.id) > 0 ? 1 : 0;
      recall += static_cast<double>(found) / static_cast<double>(truth[q].size());
    }
    recall /= static_cast<double>(a.queries);
    if (a.json)
      std::printf(
          "%s{\"ef\": %u, \"recall\": %.4f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
          "\"cpu_p50_ms\": %.3f, \"cpu_p99_ms\": %.3f}",
          e == 0 ? "" : ", ", a.efs[e], recall, percentile(ms, 0.5), percentile(ms, 0.99),
          percentile(cpu_ms, 0.5), percentile(cpu_ms, 0.99));
    else
      std::printf("%8u %10.4f %10.3f %10.3f %10.3f   cpu %.3f / %.3f / %.3f\n", a.efs[e], recall,
                  percentile(ms, 0.5), percentile(ms, 0.99),
                  *std::max_element(ms.begin(), ms.end()), percentile(cpu_ms, 0.5),
                  percentile(cpu_ms, 0.99), *std::max_element(cpu_ms.begin(), cpu_ms.end()));
  }
  if (a.json) std::printf("]}\n");
  if (!a.save.empty()) std::filesystem::remove(a.save);
  return 0;
}

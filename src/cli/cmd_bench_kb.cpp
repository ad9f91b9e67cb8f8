// triptyque bench-kb: knowledge-base throughput on synthetic data. Chunks of ~100 words
// drawn from a Zipf(1) distribution over a 50k-word vocabulary are ingested (BM25 only),
// then queries of 3–5 words are timed. Query words are drawn from the same Zipf law
// outside its `--skip-top` most frequent words (the stopword-like head a real query does
// not consist of). Not part of the tests: timings depend on the machine.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "core/error.h"
#include "rag/retriever.h"

namespace tq::cli {
namespace {

struct BenchKbOptions {
  size_t chunks = 100000;
  size_t vocab = 50000;
  size_t words = 100;
  size_t queries = 1000;
  size_t skip_top = 100;
  size_t k = 10;
  size_t per_doc = 1000;
  bool exhaustive = false;
  bool query_only = false;
  std::string kb;
  bool json = false;
};

// Pronounceable distinct words: base-20 consonant/vowel syllables of the rank.
std::string word_of(size_t rank) {
  static const char* cons = "bcdfghjklmnprstvwxyz";
  static const char* vow = "aeiou";
  std::string w;
  size_t r = rank + 1;
  while (r > 0) {
    w += cons[r % 20];
    r /= 20;
    w += vow[r % 5];
    r /= 5;
  }
  return w;
}

class Zipf {
 public:
  explicit Zipf(size_t n) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / static_cast<double>(i + 1));
    for (auto& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng, size_t from = 0) {
    double lo = from == 0 ? 0.0 : cdf_[from - 1];
    double u = lo + std::uniform_real_distribution<double>(0, 1)(rng) * (1.0 - lo);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The 1-, 5- and 15-minute load averages: benchmarks on a shared machine say how loaded.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

int run_bench_kb(const BenchKbOptions& o) {
  if (o.vocab < 2 || o.words == 0 || o.skip_top >= o.vocab) {
    throw InputError("need --vocab ≥ 2, --words ≥ 1 and --skip-top < --vocab");
  }
  std::string path = o.kb.empty() ? (std::filesystem::temp_directory_path() /
                                     ("tq-bench-kb-" + std::to_string(::getpid()) + ".sqlite"))
                                        .string()
                                  : o.kb;
  if (o.query_only && (o.kb.empty() || !std::filesystem::exists(path))) {
    throw InputError("--query-only needs --kb FILE built by an earlier bench-kb run");
  }
  if (!o.query_only) std::filesystem::remove(path);
  const double cpu0 = cpu_seconds();
  const std::string load_before = load_average();
  std::vector<std::string> vocab(o.vocab);
  for (size_t i = 0; i < o.vocab; ++i) vocab[i] = word_of(i);
  Zipf zipf(o.vocab);
  std::mt19937_64 rng(42);
  double ingest_s = 0;
  if (!o.query_only) {
    rag::KnowledgeBase kb(path);
    auto c = kb.ensure_collection("bench", "public", {"none", false, false});
    rag::WriteBatch batch(kb);
    const size_t per_doc = o.per_doc;
    for (size_t done = 0; done < o.chunks;) {
      rag::DocumentInput d;
      d.source = "doc" + std::to_string(done / per_doc);
      d.content_hash = d.source;
      size_t n = std::min(per_doc, o.chunks - done);
      for (size_t i = 0; i < n; ++i) {
        std::string body;
        body.reserve(o.words * 8);
        for (size_t w = 0; w < o.words; ++w) {
          if (w) body += ' ';
          body += vocab[zipf(rng)];
        }
        d.chunks.push_back({"", std::move(body), "", nlohmann::json::object()});
      }
      auto t0 = std::chrono::steady_clock::now();
      batch.put(c, d);
      if (done + n == o.chunks) batch.finish();
      ingest_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      done += n;
      if (isatty(fileno(stderr)) != 0) {
        std::fprintf(stderr, "\ringested %zu/%zu chunks", done, o.chunks);
      }
    }
    if (isatty(fileno(stderr)) != 0) std::fprintf(stderr, "\n");
  }
  rag::KnowledgeBase kb(path);
  rag::Retriever r(kb);
  const double ingest_cpu = cpu_seconds() - cpu0;
  rag::SearchOptions so;
  so.k = o.k;
  so.with_snippet = false;
  so.exhaustive = o.exhaustive;
  const double cpu1 = cpu_seconds();
  std::vector<double> ms;
  std::vector<double> cpu_ms;  // per query: what the query costs whatever the load
  std::uniform_int_distribution<int> len(3, 5);
  std::mt19937_64 qrng(7);  // its own stream: --query-only draws the same queries
  for (size_t q = 0; q < o.queries; ++q) {
    std::string query;
    int n = len(qrng);
    for (int i = 0; i < n; ++i) query += (i ? " " : "") + vocab[zipf(qrng, o.skip_top)];
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    auto hits = r.search(query, so);
    cpu_ms.push_back(thread_cpu_ms() - c0);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double query_cpu = cpu_seconds() - cpu1;
  nlohmann::json j = {{"chunks", o.chunks},
                      {"words_per_chunk", o.words},
                      {"vocab", o.vocab},
                      {"ingest_seconds", ingest_s},
                      {"ingest_chunks_per_s", static_cast<double>(o.chunks) / ingest_s},
                      {"ingest_cpu_seconds", ingest_cpu},
                      {"query_cpu_ms_mean", 1000.0 * query_cpu / static_cast<double>(o.queries)},
                      {"exhaustive", o.exhaustive},
                      {"load_before", load_before},
                      {"load_after", load_average()},
                      {"queries", o.queries},
                      {"query_p50_ms", percentile(ms, 0.50)},
                      {"query_p99_ms", percentile(ms, 0.99)},
                      {"query_cpu_p50_ms", percentile(cpu_ms, 0.50)},
                      {"query_cpu_p99_ms", percentile(cpu_ms, 0.99)},
                      {"query_max_ms", percentile(ms, 1.0)},
                      {"kb_bytes", std::filesystem::file_size(path)}};
  if (o.kb.empty()) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    if (!o.query_only) {
      std::printf("ingest: %zu chunks in %.1f s = %.0f chunks/s (%.1f s CPU)\n", o.chunks, ingest_s,
                  static_cast<double>(o.chunks) / ingest_s, ingest_cpu);
    }
    std::printf(
        "query: p50 %.2f ms, p99 %.2f ms, max %.2f ms; CPU p50 %.2f ms, p99 %.2f ms, mean %.2f ms"
        " (%zu queries, %s)\n"
        "load average before: %s, after: %s\n",
        j["query_p50_ms"].get<double>(), j["query_p99_ms"].get<double>(),
        j["query_max_ms"].get<double>(), j["query_cpu_p50_ms"].get<double>(),
        j["query_cpu_p99_ms"].get<double>(), j["query_cpu_ms_mean"].get<double>(), o.queries,
        o.exhaustive ? "exhaustive" : "pruned", load_before.c_str(), load_average().c_str());
  }
  return kExitOk;
}

}  // namespace

Action register_bench_kb(CLI::App& app) {
  auto o = std::make_shared<BenchKbOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench-kb", "Benchmark knowledge-base ingestion and BM25 queries on synthetic Zipf text");
  cmd->add_option("--chunks", o->chunks, "Synthetic chunks to ingest")->capture_default_str();
  cmd->add_option("--vocab", o->vocab, "Vocabulary size")->capture_default_str();
  cmd->add_option("--words", o->words, "Words per chunk")->capture_default_str();
  cmd->add_option("--queries", o->queries, "Queries to time")->capture_default_str();
  cmd->add_option("--skip-top", o->skip_top, "Query words avoid the N most frequent words")
      ->capture_default_str();
  cmd->add_option("-k", o->k, "Results per query")->capture_default_str();
  cmd->add_option("--kb", o->kb, "Keep the store in this file (default: a temporary file)");
  cmd->add_option("--chunks-per-doc", o->per_doc, "Chunks per synthetic document")
      ->capture_default_str();
  cmd->add_flag("--exhaustive", o->exhaustive, "Score every matching chunk (no pruning)");
  cmd->add_flag("--query-only", o->query_only, "Reuse the store given by --kb (no ingestion)");
  cmd->add_flag("--json", o->json, "JSON output");
  return [o] { return run_bench_kb(*o); };
}

}  // namespace tq::cli

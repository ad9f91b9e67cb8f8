// triptyque search: BM25 retrieval over the knowledge base with snippets and citations;
// with an embedding model (--embed-model or [kb.embeddings]) the reciprocal rank fusion
// of BM25 and the HNSW ranking, the index loaded or rebuilt from the store's embeddings.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kb_options.h"
#include "core/error.h"
#include "rag/dense.h"
#include "rag/retriever.h"

namespace tq::cli {
namespace {

struct SearchCliOptions {
  std::string query;
  std::string kb = default_kb_path();
  std::vector<std::string> collections;
  std::vector<std::string> labels = {"public", "internal"};
  std::vector<std::string> filters;
  size_t k = 5;
  bool prf = false;
  bool json = false;
  bool kb_given = false;
  std::string config;
  std::string embed_file;
};

int run_search(const SearchCliOptions& o) {
  const KbConfig config = load_kb_config(o.config);
  const std::string kb_path = o.kb_given || config.path.empty() ? o.kb : config.path;
  rag::KnowledgeBase kb(kb_path);
  rag::Retriever r(kb);
  std::string embed_name;
  const rag::EmbedFn embed =
      make_embed_fn(o.config, o.embed_file.empty() ? config.embed_file : o.embed_file,
                    o.embed_file.empty() ? config.embed_model : "", &embed_name);
  std::string dense_origin;
  if (embed) {
    auto origin = rag::HnswDenseIndex::Origin::loaded;
    std::string why;
    auto dense = rag::HnswDenseIndex::open(
        kb, embed_name, rag::dense_index_path(kb_path, embed_name), &origin, &why);
    if (!dense) {
      throw InputError("no chunk has an embedding of " + embed_name +
                       ": ingest with the same --embed-model first");
    }
    dense_origin = rag::origin_name(origin);
    if (!o.json && origin != rag::HnswDenseIndex::Origin::loaded) {
      std::fprintf(stderr, "dense index %s%s%s\n", dense_origin.c_str(), why.empty() ? "" : ": ",
                   why.c_str());
    }
    r.set_dense(embed, dense, config.fusion);
  }
  rag::SearchOptions so;
  so.k = o.k;
  so.collections = o.collections;
  so.labels = o.labels;
  so.prf.enabled = o.prf;
  for (const auto& f : o.filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("--filter takes FIELD=VALUE, got '" + f + "'");
    so.field_filters[f.substr(0, eq)] = f.substr(eq + 1);
  }
  auto hits = r.search(o.query, so);
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& h : hits) {
      j.push_back({{"chunk_id", h.chunk_id},
                   {"document_id", h.document_id},
                   {"collection", h.collection},
                   {"label", h.label},
                   {"source", h.source},
                   {"location", h.location},
                   {"title", h.title},
                   {"score", h.score},
                   {"snippet", h.snippet},
                   {"citation", h.citation()},
                   {"fields", h.fields}});
    }
    nlohmann::json out = {{"query", o.query}, {"hits", j}};
    if (embed) out["dense_index"] = dense_origin;
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (hits.empty()) std::printf("no results\n");
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& h = hits[i];
    std::printf("%zu. [%.3f] %s\n   %s\n   %s\n", i + 1, h.score, h.title.c_str(),
                h.citation().c_str(), h.snippet.c_str());
  }
  return kExitOk;
}

}  // namespace

Action register_search(CLI::App& app) {
  auto o = std::make_shared<SearchCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "search", "Search the knowledge base (BM25 [+ dense], snippets, citations)");
  cmd->add_option("query", o->query, "What to look for")->required();
  cmd->add_option("--kb", o->kb,
                  "Knowledge-base file (default: kb.path, $TQ_KB or ./triptyque-kb.sqlite)")
      ->each([o](const std::string&) { o->kb_given = true; });
  cmd->add_option("--config", o->config, "TOML config: [kb] path, [kb.embeddings], [kb.fusion]")
      ->check(CLI::ExistingFile);
  cmd->add_option("--embed-model", o->embed_file,
                  "GGUF embedding model: hybrid BM25 + dense search (RRF)");
  cmd->add_option("-c,--collection", o->collections, "Only these collections (repeatable)");
  cmd->add_option("--label", o->labels, "Access labels the caller may read (repeatable)")
      ->capture_default_str();
  cmd->add_option("--filter", o->filters,
                  "Field filter FIELD=VALUE, e.g. vendor=Acme (repeatable)");
  cmd->add_option("-k", o->k, "Number of results")->capture_default_str();
  cmd->add_flag("--prf", o->prf, "Pseudo-relevance feedback (expand the query from the top hits)");
  cmd->add_flag("--json", o->json, "JSON output");
  return [o] { return run_search(*o); };
}

}  // namespace tq::cli
